import { WEAKEST_METHODS } from "../../domain/consent/consent.js";
import { foldConsents, foldDnd } from "../../domain/consent/consent-state.js";
import { maskPhone, parsePhone } from "../../domain/phone/phone.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, parseTime, pseudonym } from "../context.js";

/**
 * A recipient's consents with their full history, as of now or as of a past time `at` (by server
 * recording time, for audits). An enterprise sees only its own consents and its merchants'.
 */
export async function queryConsents(
  ctx: AppContext,
  actor: Actor,
  input: { phone: string; at?: string | number },
) {
  const phone = parsePhone(input.phone);
  if (!phone.ok)
    throw new DomainError("RECIPIENT_INVALID", "phone is not a valid mobile number", { field: "phone" });
  const at = input.at === undefined ? ctx.clock.now() : parseTime(input.at, "at");
  const all = await ctx.store.ledger.eventsForRecipient(pseudonym(ctx, phone.e164));
  const visible = (enterpriseId: string | null) =>
    enterpriseId === null ||
    actor.kind === "admin" ||
    ctx.state.registry.canActFor(actor.enterpriseId, enterpriseId);
  const events = all.filter((e) => visible(e.enterpriseId) && e.recordedAt <= at);
  const pendingTtl = ctx.state.policy.doubleOptIn.pendingHours * 3600_000;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    phone: maskPhone(phone.e164),
    at: iso(at),
    dnd: [...foldDnd(events, at)],
    consents: foldConsents(events, at, pendingTtl).map((s) => ({
      id: s.consentId,
      enterpriseId: s.enterpriseId,
      category: s.category,
      status: s.status,
      method: s.method,
      weakEvidence: s.method !== null && WEAKEST_METHODS.has(s.method),
      capturedAt: iso(s.capturedAt),
      expiresAt: iso(s.expiresAt),
      updatedAt: iso(s.updatedAt),
      history: events
        .filter((e) => e.enterpriseId === s.enterpriseId && e.category === s.category)
        .map((e) => ({
          eventId: e.id,
          type: e.type,
          recordedAt: iso(e.recordedAt),
          method: e.method,
          capturedAt: iso(e.capturedAt),
          source: e.source,
          noticeText: e.noticeText,
          expiresAt: iso(e.expiresAt),
          channel: e.channel,
          actor: e.actor,
          hash: e.hash,
        })),
    })),
  };
}
