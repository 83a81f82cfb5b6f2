import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import type { Message, MessageEvent, MessageStatus } from "../../domain/messages/message.js";
import { appendedEventJson, reasonsJson, toMessage } from "./message-rows.pg.js";
import { insertNoticeRows } from "./notice-rows.pg.js";
import { inTransaction, type PgClient, type PgPool, type Row, str } from "./pg-util.js";
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

/** Runs the transitions in one statement (on the pool or a transaction's client); each call's row or null. */
async function runTransitions(
  q: PgPool | PgClient,
  calls: readonly TransitionCall[],
): Promise<(Row | null)[]> {
  const rows = (
    await q.query(MANY, [
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
}

/**
 * Status transitions (compare-and-set on the status, history appended, patch applied), the calls of one
 * turn in one statement; each resolves with its row as moved, or null when its status did not match.
 * Two calls on one message go in order, in separate statements.
 */
export function transitionBatcher(pool: PgPool): StatementBatcher<TransitionCall, Row | null> {
  return new StatementBatcher<TransitionCall, Row | null>({
    runMany: (calls) => runTransitions(pool, calls),
    keyOf: (c) => c.id,
  });
}

/** A transition that queues the sender notice built from the moved message in the same transaction. */
export interface NotifyingCall extends TransitionCall {
  noticeFor: (moved: Message) => SenderNotice;
}

/**
 * Transitions with their notices: the calls of one turn as one transaction (one UPDATE for them all, one
 * INSERT for the notices of those that moved), so every status change and its notice commit together.
 */
export function notifyingBatcher(pool: PgPool): StatementBatcher<NotifyingCall, Message | null> {
  return new StatementBatcher<NotifyingCall, Message | null>({
    runMany: (calls) =>
      inTransaction(pool, async (c) => {
        const moved = (await runTransitions(c, calls)).map((r) => (r ? toMessage(r) : null));
        const notices: SenderNotice[] = [];
        moved.forEach((m, i) => {
          if (m) notices.push((calls[i] as NotifyingCall).noticeFor(m));
        });
        await insertNoticeRows(c, notices);
        return moved;
      }),
    keyOf: (c) => c.id,
  });
}
