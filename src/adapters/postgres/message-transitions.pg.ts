import type { Message, MessageEvent, MessageStatus } from "../../domain/messages/message.js";
import { appendedEventJson, reasonsJson } from "./message-rows.pg.js";
import { type PgPool, type Row, str } from "./pg-util.js";
import { StatementBatcher } from "./statement-batcher.js";

/** One `transition` call, as the batcher holds it. */
export interface TransitionCall {
  id: string;
  from: readonly MessageStatus[];
  to: MessageStatus;
  event: MessageEvent;
  patch?: { upstreamId?: string; reasons?: Message["reasons"] } | undefined;
}

// many transitions in one statement; each row's from-list as JSON text; RETURNING the moved rows
const MANY = `UPDATE messages m SET status = u.to_status, history = m.history || u.event::jsonb,
    updated_at = u.at, upstream_id = COALESCE(u.upstream_id, m.upstream_id),
    reasons = COALESCE(u.reasons::jsonb, m.reasons)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[])
    AS u(id, from_list, to_status, event, at, upstream_id, reasons)
  WHERE m.id = u.id AND m.status IN (SELECT jsonb_array_elements_text(u.from_list::jsonb))
  RETURNING m.*`;

const reasonsOf = (c: TransitionCall) =>
  c.patch?.reasons === undefined ? null : reasonsJson(c.patch.reasons);

/**
 * Status transitions (compare-and-set on the status, history appended, patch applied), the calls of one
 * turn in one statement; each resolves with its row as moved, or null when its status did not match.
 * Two calls on one message go in order, in separate statements.
 */
export function transitionBatcher(pool: PgPool): StatementBatcher<TransitionCall, Row | null> {
  return new StatementBatcher<TransitionCall, Row | null>({
    runMany: async (calls) => {
      const rows = (
        await pool.query(MANY, [
          calls.map((c) => c.id),
          calls.map((c) => JSON.stringify(c.from)),
          calls.map((c) => c.to),
          calls.map((c) => appendedEventJson(c.event)),
          calls.map((c) => c.event.at),
          calls.map((c) => c.patch?.upstreamId ?? null),
          calls.map(reasonsOf),
        ])
      ).rows as Row[];
      const byId = new Map(rows.map((r) => [str(r.id), r]));
      return calls.map((c) => byId.get(c.id) ?? null);
    },
    keyOf: (c) => c.id,
  });
}
