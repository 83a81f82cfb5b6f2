import type Database from "better-sqlite3";
import { MESSAGE_COLUMNS, prepareMessageInsert } from "./message-rows.js";

/** Positions in a message row: reasons and history (of MESSAGE_COLUMNS), then the rowid `getForMove` adds. */
export const [REASONS, HISTORY, ROWID] = [10, 19, 21];

/**
 * SQL appending the event JSON bound at its place to the stored history, without parsing it (the history
 * is a JSON array as the message rows write it).
 */
const APPEND =
  "(CASE WHEN history = '[]' THEN '[' ELSE substr(history, 1, length(history) - 1) || ',' END || ? || ']')";

/** A status transition for a from-list of `n` statuses, one statement. */
export function transitionSql(n: number): string {
  return `UPDATE messages SET status = ?, history = ${APPEND}, updated_at = ?,
      upstream_id = COALESCE(?, upstream_id), reasons = COALESCE(?, reasons)
    WHERE id = ? AND status IN (${Array(n).fill("?").join(", ")})`;
}

/** At most this many candidates from findUnknownToRecipient. */
const UNKNOWN_TO_RECIPIENT_MAX = 50;

/** The message store's prepared statements. */
export function messageStatements(db: Database.Database) {
  // reads of whole messages: `SELECT <MESSAGE_COLUMNS> FROM messages <rest>`, each row an array
  const rows = (rest: string) => db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages ${rest}`).raw();
  return {
    insert: prepareMessageInsert(db),
    get: rows("WHERE id = ?"),
    // a row to move (its rowid last), and the move: every value worked out from the row read, under the
    // write lock (no history appended in SQL, no second walk of the id index)
    getForMove: db.prepare(`SELECT ${MESSAGE_COLUMNS}, rowid FROM messages WHERE id = ?`).raw(),
    moveRow: db.prepare(
      "UPDATE messages SET status = ?, history = ?, updated_at = ?, upstream_id = ?, reasons = ? WHERE rowid = ?",
    ),
    byKey: rows("WHERE sender_id = ? AND idempotency_key = ?"),
    // one statement per claim: the due rows move to dispatching and come back (sorted by the caller)
    claim: db
      .prepare(
        `UPDATE messages SET status = 'dispatching', history = ${APPEND}, updated_at = ?
         WHERE id IN (
           SELECT id FROM messages WHERE status = 'accepted' AND not_before <= ? ORDER BY not_before, id LIMIT ?
         )
         RETURNING ${MESSAGE_COLUMNS}`,
      )
      .raw(),
    defer: db.prepare(
      `UPDATE messages SET status = 'accepted', not_before = ?, history = ${APPEND}, updated_at = ?
       WHERE id = ? AND status IN ('dispatching', 'accepted')`,
    ),
    inFlight: db.prepare(
      `UPDATE messages SET status = 'unknown', history = ${APPEND}, updated_at = ?
       WHERE status = 'dispatching' AND updated_at < ?`,
    ),
    // the outbox index in claim order, at most `scan` rows read: the longest due expire first
    overdue: db
      .prepare(
        `SELECT id FROM (SELECT id, valid_until FROM messages WHERE status = 'accepted' AND not_before <= ?
           ORDER BY not_before, id LIMIT ?) WHERE valid_until <= ?`,
      )
      .pluck(),
    latestTo: rows(`WHERE phone = ? AND status <> 'refused' AND status <> 'cancelled'
       AND substr(port, 1, length(?)) = ?
       ORDER BY created_at DESC LIMIT 1`),
    unknownTo: rows(`WHERE phone = ? AND status = 'unknown' AND created_at >= ?
       ORDER BY created_at DESC, id DESC LIMIT ${UNKNOWN_TO_RECIPIENT_MAX}`),
    verificationSince: db.prepare(
      `SELECT phone, signature_id, created_at FROM messages
       WHERE category = 'verification' AND status <> 'refused' AND created_at >= ? AND status <> 'cancelled' AND signature_id IS NOT NULL`,
    ),
    marketingSince: db.prepare(
      `SELECT phone, sender_id, count(*) AS n FROM messages
       WHERE category LIKE 'marketing.%' AND created_at >= ? AND status <> 'refused' AND status <> 'cancelled'
       GROUP BY phone, sender_id`,
    ),
    byCampaign: rows("WHERE campaign_id = ? AND id > ? ORDER BY id LIMIT ?"),
    all: rows("WHERE id > ? ORDER BY id LIMIT ?"),
    bySender: rows("WHERE sender_id = ? AND id > ? ORDER BY id LIMIT ?"),
    senderIds: db
      .prepare("SELECT id FROM messages WHERE sender_id = ? AND id > ? ORDER BY id LIMIT ?")
      .pluck(),
    byIds: rows("WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"),
    // "+sender_id": walk the primary key in id order, filtering, rather than sort every sender's rows.
    bySendersScan: rows(`WHERE +sender_id IN (SELECT value FROM json_each(?)) AND id > ?
       ORDER BY id LIMIT ?`),
  };
}

export type Statements = ReturnType<typeof messageStatements>;
