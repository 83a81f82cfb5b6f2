import type { ConsentEventInput } from "../../domain/consent/consent.js";
import { parsePhone } from "../../domain/phone/phone.js";
import { isMarketing } from "../../domain/shared/categories.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, assertActsFor, pseudonym } from "../context.js";
import { checkCategories, knownCategories } from "../registry/signatures.js";
import { appendToLedger, newLedgerEvent } from "./ledger-writer.js";

/** Every marketing category the policy knows. */
export function marketingCategories(ctx: AppContext): string[] {
  return [...knownCategories(ctx)].filter(isMarketing);
}

export interface WithdrawInput {
  phone: string;
  enterpriseId?: string;
  category?: string;
  channel: string;
}

/**
 * Withdraws consent at once, by any channel. Without `enterpriseId`, the admin withdraws from every
 * enterprise the recipient ever dealt with, and an enterprise from itself and its merchants; without
 * `category`, every marketing category. Queued messages are stopped by the dispatcher's re-check.
 */
export async function withdrawConsent(
  ctx: AppContext,
  actor: Actor,
  input: WithdrawInput,
  opts: { actorLabel?: string; at?: number } = {},
): Promise<{ withdrawn: number; enterpriseIds: string[] }> {
  const phone = parsePhone(input.phone);
  if (!phone.ok)
    throw new DomainError("RECIPIENT_INVALID", "phone is not a valid mobile number", { field: "phone" });
  if (!input.channel?.trim())
    throw new DomainError("VALIDATION_FAILED", "channel is required", { field: "channel" });
  const recipientId = pseudonym(ctx, phone.e164);
  let enterprises: string[];
  if (input.enterpriseId !== undefined) {
    assertActsFor(ctx, actor, input.enterpriseId);
    if (!ctx.state.registry.enterprises.has(input.enterpriseId))
      throw new DomainError("NOT_FOUND", "no such enterprise");
    enterprises = [input.enterpriseId];
  } else {
    const history = await ctx.store.ledger.eventsForRecipient(recipientId);
    const seen = new Set(history.map((e) => e.enterpriseId).filter((e): e is string => e !== null));
    enterprises = [...seen].filter(
      (id) => actor.kind === "admin" || ctx.state.registry.canActFor(actor.enterpriseId, id),
    );
    if (actor.kind === "enterprise" && !enterprises.includes(actor.enterpriseId))
      enterprises.push(actor.enterpriseId);
  }
  const categories =
    input.category !== undefined
      ? checkCategories(ctx, [input.category], "category")
      : marketingCategories(ctx);
  return withdrawFor(ctx, phone.e164, recipientId, enterprises, categories, input.channel, {
    actor: opts.actorLabel ?? (actor.kind === "admin" ? "admin" : actor.enterpriseId),
    at: opts.at ?? ctx.clock.now(),
  });
}

/** Appends one withdrawal event per (enterprise, category). Shared with opt-out by reply. */
export async function withdrawFor(
  ctx: AppContext,
  e164: string,
  recipientId: string,
  enterpriseIds: readonly string[],
  categories: readonly string[],
  channel: string,
  who: { actor: string; at: number },
): Promise<{ withdrawn: number; enterpriseIds: string[] }> {
  const events: ConsentEventInput[] = [];
  for (const enterpriseId of enterpriseIds)
    for (const category of categories)
      events.push(
        newLedgerEvent(ctx, {
          recipientId,
          enterpriseId,
          category,
          type: "withdraw",
          recordedAt: who.at,
          channel,
          actor: who.actor,
        }),
      );
  await appendToLedger(ctx, events, new Map([[recipientId, e164]]));
  return { withdrawn: events.length, enterpriseIds: [...enterpriseIds] };
}
