import { foldConsents } from "../../domain/consent/consent-state.js";
import { parseInboundReply } from "../../domain/optout/keywords.js";
import { parsePhone } from "../../domain/phone/phone.js";
import type { Port } from "../../domain/sending-ports/port.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { appendToLedger, newLedgerEvent } from "../consent/ledger-writer.js";
import { marketingCategories, withdrawFor } from "../consent/withdraw-consent.js";
import { type Actor, type AppContext, actingTime, pseudonym } from "../context.js";
import { queueConfirmation } from "./confirmation.js";
import { enterprisesForReply } from "./reply-target.js";

export interface InboundInput {
  from: string;
  to: string;
  text: string;
  at?: string | number;
}

export type InboundResult =
  | {
      action: "opt_out";
      keyword: string;
      enterpriseIds: string[];
      withdrawn: number;
      confirmationId: string | null;
    }
  | { action: "opt_in_confirmed"; keyword: string; enterpriseIds: string[]; confirmed: number }
  | { action: "nothing" };

/**
 * Handles a reply (MO) from a recipient to a port. An opt-out keyword withdraws, at once, all marketing
 * consent for the enterprises the reply is aimed at and queues one confirmation; Y / 是 / YES confirms a
 * pending double opt-in. Anything else does nothing. The admin, or the port's provider, may call it.
 */
export async function handleInbound(
  ctx: AppContext,
  actor: Actor,
  input: InboundInput,
): Promise<InboundResult> {
  const at = actingTime(ctx, input.at);
  const from = parsePhone(input.from);
  if (!from.ok)
    throw new DomainError("RECIPIENT_INVALID", "from is not a valid mobile number", { field: "from" });
  const to = input.to.replace(/[\s-]/g, "");
  const port = ctx.state.registry.portOfNumber(to);
  if (!port || (actor.kind === "enterprise" && actor.enterpriseId !== port.providerId))
    throw new DomainError("NOT_FOUND", "no such port");
  const intent = parseInboundReply(input.text, signatureTextsOf(ctx, port));
  if (intent.kind === "none") return { action: "nothing" };
  const target = await enterprisesForReply(ctx, port, to, from.e164);
  const recipientId = pseudonym(ctx, from.e164);
  if (intent.kind === "opt_out") {
    const r = await withdrawFor(
      ctx,
      from.e164,
      recipientId,
      target.enterpriseIds,
      marketingCategories(ctx),
      "sms_reply",
      {
        actor: "recipient",
        at,
      },
    );
    const confirmationId = await queueConfirmation(ctx, target, to, from.e164, at);
    return {
      action: "opt_out",
      keyword: intent.keyword,
      enterpriseIds: r.enterpriseIds,
      withdrawn: r.withdrawn,
      confirmationId,
    };
  }
  return confirmOptIn(ctx, intent.keyword, from.e164, recipientId, target.enterpriseIds, at);
}

/** Confirms every pending, unexpired double opt-in of the recipient with the targeted enterprises. */
async function confirmOptIn(
  ctx: AppContext,
  keyword: string,
  e164: string,
  recipientId: string,
  enterpriseIds: readonly string[],
  at: number,
): Promise<InboundResult> {
  const events = await ctx.store.ledger.eventsForRecipient(recipientId);
  const pendingTtl = ctx.state.policy.doubleOptIn.pendingHours * 3600_000;
  const pending = foldConsents(events, at, pendingTtl).filter(
    (s) => s.status === "pending" && enterpriseIds.includes(s.enterpriseId),
  );
  if (pending.length === 0) return { action: "nothing" };
  const confirms = pending.map((s) =>
    newLedgerEvent(ctx, {
      consentId: s.consentId,
      recipientId,
      enterpriseId: s.enterpriseId,
      category: s.category,
      type: "confirm",
      method: "sms_double_opt_in",
      capturedAt: at,
      recordedAt: at,
      source: "sms_reply",
      channel: "sms_reply",
      actor: "recipient",
    }),
  );
  await appendToLedger(ctx, confirms, new Map([[recipientId, e164]]));
  return {
    action: "opt_in_confirmed",
    keyword,
    enterpriseIds: [...new Set(pending.map((s) => s.enterpriseId))],
    confirmed: confirms.length,
  };
}

/** Texts of every signature bound to the port, so a reply like 【好物商城】TD still reads as TD. */
function signatureTextsOf(ctx: AppContext, port: Port): string[] {
  const reg = ctx.state.registry;
  const texts: string[] = [];
  for (const a of reg.allocationsOfPort(port.id))
    for (const sid of a.signatureIds) {
      const s = reg.signatures.get(sid);
      if (s) texts.push(s.text);
    }
  return texts;
}
