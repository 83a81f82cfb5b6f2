import type { LedgerAnchor } from "../../domain/consent/ledger-chain.js";
import type { IndexEntry } from "../../domain/consent/ledger-store.port.js";
import { toEvent, toScanned } from "../sql-rows/ledger-rows.js";
import { num, type Row, str } from "./pg-util.js";

export { toEvent, toScanned };

/** The consent_events columns an append writes, in the order of the COPY and INSERT statements. */
export const EVENT_COLUMNS =
  "seq, recorded_at, shard_seq, shard, id, consent_id, recipient_id, enterprise_id, category, type, " +
  "method, captured_at, source, notice_text, expires_at, channel, actor, phone, prev_hash, hash";

const SUPPRESSING = "type IN ('withdraw', 'dnd_set', 'dnd_remove')";

/** Every statement of the ledger store but the COPY, named so each connection prepares it once. */
export const LEDGER_STATEMENTS = {
  /** The append state, read under the append lock: one row per non-empty shard (or one with nulls). */
  state: {
    name: "ledger.state",
    text: `SELECT s.last_seq, EXISTS (SELECT 1 FROM ledger_numberless) AS numberless,
                  h.shard, h.shard_seq, h.hash, h.at
           FROM ledger_state s LEFT JOIN ledger_heads h ON true`,
  },
  /** A number already on some event of each given recipient (null when none). */
  knownPhones: {
    name: "ledger.knownPhones",
    text: `SELECT r.id, (SELECT e.phone FROM consent_events e
                         WHERE e.recipient_id = r.id AND e.phone IS NOT NULL LIMIT 1) AS phone
           FROM unnest($1::text[]) AS r(id)`,
  },
  /** Writes the given numbers on the earlier events of those of their recipients that had none. */
  restorePhones: {
    name: "ledger.restorePhones",
    text: `WITH gone AS (
             DELETE FROM ledger_numberless n USING unnest($1::text[], $2::text[]) AS p(id, phone)
             WHERE n.recipient_id = p.id RETURNING n.recipient_id, p.phone)
           UPDATE consent_events e SET phone = gone.phone FROM gone
           WHERE e.recipient_id = gone.recipient_id AND e.phone IS NULL`,
  },
  markNumberless: {
    name: "ledger.markNumberless",
    text: "INSERT INTO ledger_numberless (recipient_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
  },
  /** A small batch: the rows from one array per column, then the new last seq and the changed heads. */
  insertAndAdvance: {
    name: "ledger.insertAndAdvance",
    text: `WITH ins AS (
             INSERT INTO consent_events (${EVENT_COLUMNS})
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::smallint[], $5::text[],
               $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[],
               $13::text[], $14::text[], $15::bigint[], $16::text[], $17::text[], $18::text[], $19::text[],
               $20::text[])),
           st AS (UPDATE ledger_state SET last_seq = $21 WHERE id = 1)
           INSERT INTO ledger_heads (shard, shard_seq, hash, at)
           SELECT * FROM unnest($22::smallint[], $23::bigint[], $24::text[], $25::bigint[])
           ON CONFLICT (shard) DO UPDATE
             SET shard_seq = excluded.shard_seq, hash = excluded.hash, at = excluded.at`,
  },
  /** After a COPY: the new last seq and the changed heads. */
  advance: {
    name: "ledger.advance",
    text: `WITH st AS (UPDATE ledger_state SET last_seq = $1 WHERE id = 1)
           INSERT INTO ledger_heads (shard, shard_seq, hash, at)
           SELECT * FROM unnest($2::smallint[], $3::bigint[], $4::text[], $5::bigint[])
           ON CONFLICT (shard) DO UPDATE
             SET shard_seq = excluded.shard_seq, hash = excluded.hash, at = excluded.at`,
  },
  erase: {
    name: "ledger.erase",
    text: `WITH erased AS (
             UPDATE consent_events SET phone = NULL WHERE recipient_id = $1 AND phone IS NOT NULL RETURNING 1)
           INSERT INTO ledger_numberless (recipient_id) SELECT $1 WHERE EXISTS (SELECT 1 FROM erased)
           ON CONFLICT DO NOTHING`,
  },
  forRecipient: {
    name: "ledger.forRecipient",
    text: "SELECT * FROM consent_events WHERE recipient_id = $1 ORDER BY seq",
  },
  scan: { name: "ledger.scan", text: "SELECT * FROM consent_events WHERE seq > $1 ORDER BY seq LIMIT $2" },
  scanIndex: {
    name: "ledger.scanIndex",
    text: `SELECT seq, phone, enterprise_id, category, type, expires_at, recorded_at
           FROM consent_events WHERE seq > $1 ORDER BY seq LIMIT $2`,
  },
  scanShard: {
    name: "ledger.scanShard",
    text: "SELECT * FROM consent_events WHERE shard = $1 AND shard_seq > $2 ORDER BY shard_seq LIMIT $3",
  },
  suppressionsAll: {
    name: "ledger.suppressionsAll",
    text: `SELECT * FROM consent_events WHERE ${SUPPRESSING} AND seq > $1 ORDER BY seq LIMIT $2`,
  },
  /** Many enterprises: one scan of every suppression, filtered. */
  suppressionsOfMany: {
    name: "ledger.suppressionsOfMany",
    text: `SELECT * FROM consent_events
           WHERE ${SUPPRESSING} AND seq > $1 AND (type <> 'withdraw' OR enterprise_id = ANY($2::text[]))
           ORDER BY seq LIMIT $3`,
  },
  /**
   * A few enterprises: the first `limit` seqs of the DND stream and of each one's withdrawals (each read
   * in seq order from its partial index), merged, then those events.
   */
  suppressionsOfFew: {
    name: "ledger.suppressionsOfFew",
    text: `SELECT * FROM consent_events WHERE seq = ANY (ARRAY(
             SELECT s.seq FROM (
               (SELECT seq FROM consent_events WHERE type IN ('dnd_set', 'dnd_remove') AND seq > $1
                ORDER BY seq LIMIT $3)
               UNION ALL
               SELECT w.seq FROM unnest($2::text[]) AS ent(id) CROSS JOIN LATERAL (
                 SELECT seq FROM consent_events
                 WHERE type = 'withdraw' AND enterprise_id = ent.id AND seq > $1
                 ORDER BY seq LIMIT $3) w
             ) s ORDER BY s.seq LIMIT $3))
           ORDER BY seq`,
  },
  heads: { name: "ledger.heads", text: "SELECT shard, shard_seq, hash, at FROM ledger_heads ORDER BY shard" },
  insertAnchors: {
    name: "ledger.insertAnchors",
    text: `INSERT INTO ledger_anchors (shard, shard_seq, hash, at)
           SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::text[], $4::bigint[])
           ON CONFLICT DO NOTHING`,
  },
  anchors: {
    name: "ledger.anchors",
    text: "SELECT shard, shard_seq, hash, at FROM ledger_anchors WHERE shard = $1 ORDER BY shard_seq",
  },
  count: { name: "ledger.count", text: "SELECT last_seq FROM ledger_state WHERE id = 1" },
} as const;

/** A row of `scanIndex` in array mode → IndexEntry. */
export function toIndexEntry(r: unknown[]): IndexEntry {
  return {
    seq: Number(r[0]),
    phone: (r[1] as string | null) ?? null,
    enterpriseId: (r[2] as string | null) ?? null,
    category: r[3] as string,
    type: r[4] as IndexEntry["type"],
    expiresAt: r[5] === null ? null : Number(r[5]),
    recordedAt: Number(r[6]),
  };
}

/** A ledger_heads or ledger_anchors row → LedgerAnchor. */
export function toAnchor(r: Row): LedgerAnchor {
  return { shard: num(r.shard), shardSeq: num(r.shard_seq), hash: str(r.hash), at: num(r.at) };
}
