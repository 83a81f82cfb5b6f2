import type { ConsentEvent, ConsentEventInput } from "../../domain/consent/consent.js";
import type { AppContext } from "../context.js";

/**
 * Appends events to the ledger and applies them to the in-memory index in the same order, so the send
 * path sees a withdrawal the moment the ledger has it. `phones` maps recipient ids to E.164 numbers,
 * recorded with the events in the same transaction.
 */
export async function appendToLedger(
  ctx: AppContext,
  events: ConsentEventInput[],
  phones: ReadonlyMap<string, string>,
): Promise<ConsentEvent[]> {
  if (events.length === 0) return [];
  const recorded = await ctx.store.ledger.append(events, phones);
  // with other nodes: applied in seq order with theirs, and they are woken at once (not at their next poll)
  if (ctx.sync) await ctx.sync.applyOwn(recorded, phones);
  else
    for (const e of recorded) {
      const phone = phones.get(e.recipientId);
      if (phone) ctx.state.consents.apply(Number(phone.slice(1)), e);
    }
  return recorded;
}

/** The fields every ledger event names; the rest default to null. */
type EventEssentials = Pick<
  ConsentEventInput,
  "recipientId" | "enterpriseId" | "category" | "type" | "recordedAt" | "actor"
>;

/** A new ledger event with a fresh id and every field it does not name set to null. */
export function newLedgerEvent(
  ctx: AppContext,
  e: EventEssentials & Partial<ConsentEventInput>,
): ConsentEventInput {
  return {
    id: ctx.ids.next("evt"),
    consentId: null,
    method: null,
    capturedAt: null,
    source: null,
    noticeText: null,
    expiresAt: null,
    channel: null,
    ...e,
  };
}
