import type Database from "better-sqlite3";
import { toEvent, toScanned } from "../sql-rows/ledger-rows.js";

export { toEvent, toScanned };

const SUPPRESSING = "type IN ('withdraw', 'dnd_set', 'dnd_remove')";
const WITH_PHONE =
  "SELECT e.*, r.phone FROM consent_events e LEFT JOIN recipients r ON r.recipient_id = e.recipient_id";

/** Every statement the ledger store runs, prepared once. */
export function ledgerStatements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO consent_events (shard, shard_seq, id, consent_id, recipient_id, enterprise_id, category, type,
         method, captured_at, recorded_at, source, notice_text, expires_at, channel, actor, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    head: db.prepare(
      "SELECT shard_seq, hash, recorded_at FROM consent_events WHERE shard = ? ORDER BY shard_seq DESC LIMIT 1",
    ),
    dataVersion: db.prepare("PRAGMA data_version").pluck(),
    upsertRecipient: db.prepare(
      `INSERT INTO recipients (recipient_id, phone) VALUES (?, ?)
       ON CONFLICT (recipient_id) DO UPDATE SET phone = excluded.phone WHERE recipients.phone IS NULL`,
    ),
    erase: db.prepare("UPDATE recipients SET phone = NULL WHERE recipient_id = ?"),
    forRecipient: db.prepare("SELECT * FROM consent_events WHERE recipient_id = ? ORDER BY seq"),
    scan: db.prepare(`${WITH_PHONE} WHERE e.seq > ? ORDER BY e.seq LIMIT ?`),
    scanIndex: db
      .prepare(
        `SELECT e.seq, r.phone, e.enterprise_id, e.category, e.type, e.expires_at, e.recorded_at
         FROM consent_events e LEFT JOIN recipients r ON r.recipient_id = e.recipient_id
         WHERE e.seq > ? ORDER BY e.seq LIMIT ?`,
      )
      .raw(),
    scanShard: db.prepare(
      "SELECT * FROM consent_events WHERE shard = ? AND shard_seq > ? ORDER BY shard_seq LIMIT ?",
    ),
    suppressionsAll: db.prepare(`${WITH_PHONE} WHERE e.${SUPPRESSING} AND e.seq > ? ORDER BY e.seq LIMIT ?`),
    suppressionsOf: db.prepare(
      `${WITH_PHONE} WHERE e.${SUPPRESSING} AND e.seq > ?
         AND (e.type <> 'withdraw' OR e.enterprise_id IN (SELECT value FROM json_each(?)))
       ORDER BY e.seq LIMIT ?`,
    ),
    suppressionsBySeqs: db.prepare(
      `${WITH_PHONE} WHERE e.seq IN (SELECT value FROM json_each(?)) ORDER BY e.seq`,
    ),
    dndSeqs: db
      .prepare(
        "SELECT seq FROM consent_events WHERE type IN ('dnd_set', 'dnd_remove') AND seq > ? ORDER BY seq LIMIT ?",
      )
      .pluck(),
    withdrawalSeqs: db
      .prepare(
        `SELECT seq FROM consent_events WHERE type = 'withdraw' AND enterprise_id = ? AND seq > ?
         ORDER BY seq LIMIT ?`,
      )
      .pluck(),
    insertAnchor: db.prepare(
      "INSERT INTO ledger_anchors (shard, shard_seq, hash, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    anchors: db.prepare("SELECT * FROM ledger_anchors WHERE shard = ? ORDER BY shard_seq"),
    // The ledger is append-only and seq is SQLite's rowid (max + 1, no gaps): max(seq) is the count.
    count: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM consent_events").pluck(),
  };
}

export type LedgerStatements = ReturnType<typeof ledgerStatements>;
