import { maskPhone } from "../../domain/phone/phone.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { Actor, AppContext } from "../context.js";
import { checkLimit } from "../page-limit.js";

/**
 * A sender's withdrawn and DND recipients since a cursor, for syncing CRMs. Enterprises get their own
 * (and their merchants') withdrawals plus every DND change; the admin gets everything. The number is
 * given in full here: the sender already holds it and needs it to suppress.
 */
export async function listSuppressions(
  ctx: AppContext,
  actor: Actor,
  input: { cursor?: string; limit?: number },
) {
  const after = input.cursor === undefined ? 0 : Number(input.cursor);
  if (!Number.isSafeInteger(after) || after < 0)
    throw new DomainError("VALIDATION_FAILED", "cursor is not valid", { field: "cursor" });
  const limit = checkLimit(input.limit, 1000, 10_000);
  const scope =
    actor.kind === "admin"
      ? ("all" as const)
      : [...ctx.state.registry.enterprises.keys()].filter((id) =>
          ctx.state.registry.canActFor(actor.enterpriseId, id),
        );
  const events = await ctx.store.ledger.suppressions(scope, after, limit);
  return {
    items: events.map((e) => ({
      cursor: String(e.seq),
      type: e.type === "withdraw" ? "withdrawn" : e.type === "dnd_set" ? "dnd" : "dnd_removed",
      phone: e.phone,
      phoneMasked: e.phone ? maskPhone(e.phone) : null,
      enterpriseId: e.enterpriseId,
      category: e.category,
      channel: e.channel,
      at: new Date(e.recordedAt).toISOString(),
    })),
    nextCursor: events.length ? String(events.at(-1)?.seq) : String(after),
  };
}
