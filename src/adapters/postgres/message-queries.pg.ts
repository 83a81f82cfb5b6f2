import { MESSAGE_COLUMNS } from "./message-rows.pg.js";

/** The message store's queries (see PgMessageStore). */
export const SQL = {
  insert: `INSERT INTO messages (${MESSAGE_COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
  insertKeys: `INSERT INTO message_idempotency_keys (sender_id, idempotency_key, message_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
  get: "SELECT * FROM messages WHERE id = $1",
  byKey: `SELECT m.* FROM message_idempotency_keys k JOIN messages m ON m.id = k.message_id
    WHERE k.sender_id = $1 AND k.idempotency_key = $2`,
  // SKIP LOCKED: concurrent claims (other nodes) take the next due rows instead of waiting for these
  claim: `UPDATE messages SET status = 'dispatching', updated_at = $2, history = history || $3::jsonb
    WHERE id IN (
      SELECT id FROM messages WHERE status = 'accepted' AND not_before <= $2
      ORDER BY not_before, id LIMIT $1 FOR UPDATE SKIP LOCKED
    ) AND status = 'accepted'
    RETURNING *`,
  defer: `UPDATE messages SET status = 'accepted', not_before = $2, history = history || $3::jsonb, updated_at = $4
    WHERE id = $1 AND status IN ('dispatching', 'accepted')`,
  inFlight: `UPDATE messages SET status = 'unknown', updated_at = $1, history = history || $2::jsonb
    WHERE status = 'dispatching' AND updated_at < $3`,
  // the outbox index in claim order, at most `scan` rows read: the longest due expire first
  overdue: `SELECT id FROM (SELECT id, valid_until FROM messages WHERE status = 'accepted' AND not_before <= $1
    ORDER BY not_before, id LIMIT $2) due WHERE valid_until <= $1`,
  latestTo: `SELECT * FROM messages WHERE phone = $1 AND status <> 'refused' AND status <> 'cancelled'
    AND starts_with(port, $2)
    ORDER BY created_at DESC, id DESC LIMIT 1`,
  // the recipient index (phone, created_at) holds every message not refused, unknown ones included
  unknownTo: `SELECT * FROM messages
    WHERE phone = $1 AND status = 'unknown' AND status <> 'refused' AND created_at >= $2
    ORDER BY created_at DESC, id DESC LIMIT 50`,
  verificationSince: `SELECT phone, signature_id, created_at FROM messages
    WHERE category = 'verification' AND status <> 'refused' AND created_at >= $1 AND status <> 'cancelled' AND signature_id IS NOT NULL`,
  marketingSince: `SELECT phone, sender_id, count(*) AS n FROM messages
    WHERE category LIKE 'marketing.%' AND created_at >= $1 AND status <> 'refused' AND status <> 'cancelled'
    GROUP BY phone, sender_id`,
  byCampaign: "SELECT * FROM messages WHERE campaign_id = $1 AND id > $2 ORDER BY id LIMIT $3",
  all: "SELECT * FROM messages WHERE id > $1 ORDER BY id LIMIT $2",
  bySender: "SELECT * FROM messages WHERE sender_id = $1 AND id > $2 ORDER BY id LIMIT $3",
  // A few senders: each one's next ids from its index (at most `limit` each), merged, then the page.
  // (= ANY(ARRAY(…)) rather than IN (…): the planner then expects a page, not a table, of rows.)
  bySendersMerge: `SELECT * FROM messages WHERE id = ANY(ARRAY(
      SELECT s.id FROM unnest($1::text[]) AS u(sender_id)
      CROSS JOIN LATERAL (
        SELECT id FROM messages WHERE sender_id = u.sender_id AND id > $2 ORDER BY id LIMIT $3
      ) s
      ORDER BY s.id LIMIT $3
    )) ORDER BY id`,
  // Many: walk the primary key in id order, filtering ("|| ''" keeps the planner off the sender index).
  bySendersScan: `SELECT * FROM messages WHERE (sender_id || '') = ANY($1::text[]) AND id > $2
    ORDER BY id LIMIT $3`,
} as const;
