import { maskPhone, parsePhone } from "../../domain/phone/phone.js";
import { isMarketing } from "../../domain/shared/categories.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, assertAdmin, pseudonym } from "../context.js";
import { checkCategories } from "../registry/signatures.js";
import { appendToLedger, newLedgerEvent } from "./ledger-writer.js";

/**
 * Sets or lifts do-not-disturb for a recipient: scope "all" (every marketing message from everyone) or
 * one marketing category. It overrides any consent. Set by the recipient's channels (through the admin
 * API for now); never by a sender.
 */
export async function changeDnd(
  ctx: AppContext,
  actor: Actor,
  input: { phone: string; scope: string; channel?: string },
  set: boolean,
): Promise<{ phone: string; scope: string; dnd: boolean }> {
  assertAdmin(actor);
  const phone = parsePhone(input.phone);
  if (!phone.ok)
    throw new DomainError("RECIPIENT_INVALID", "phone is not a valid mobile number", { field: "phone" });
  if (input.scope !== "all") {
    checkCategories(ctx, [input.scope], "scope");
    if (!isMarketing(input.scope))
      throw new DomainError("VALIDATION_FAILED", 'scope is "all" or a marketing category', {
        field: "scope",
      });
  }
  const recipientId = pseudonym(ctx, phone.e164);
  await appendToLedger(
    ctx,
    [
      newLedgerEvent(ctx, {
        recipientId,
        enterpriseId: null,
        category: input.scope,
        type: set ? "dnd_set" : "dnd_remove",
        recordedAt: ctx.clock.now(),
        channel: input.channel ?? "api",
        actor: "recipient",
      }),
    ],
    new Map([[recipientId, phone.e164]]),
  );
  return { phone: maskPhone(phone.e164), scope: input.scope, dnd: set };
}
