import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import type { Message, MessageEvent, MessageStatus } from "../../domain/messages/message.js";
import type {
  InsertOutcome,
  MarketingCount,
  MessageStore,
  VerificationSent,
} from "../../domain/messages/message-store.port.js";
import { StoreConflictError } from "../../domain/shared/store-errors.js";
import { COPY_MESSAGES_SQL, copyChunks } from "./message-copy.pg.js";
import {
  appendedEventJson,
  byDue,
  INSERT_UNNEST_SQL,
  INSERT_WITH_KEY_SQL,
  MESSAGE_COLUMNS,
  messageParams,
  toMessage,
  unnestParams,
} from "./message-rows.pg.js";
import {
  type NotifyingCall,
  notifyingBatcher,
  type TransitionCall,
  transitionBatcher,
} from "./message-transitions.pg.js";
import { insertNoticeRows } from "./notice-rows.pg.js";
import {
  ensureMonthlyPartitions,
  inTransaction,
  isUniqueViolation,
  num,
  type PgClient,
  type PgPool,
  type Row,
  str,
} from "./pg-util.js";
import { messageIdBound } from "./schema/messages.js";
import { StatementBatcher } from "./statement-batcher.js";

const SQL = {
  insert: `INSERT INTO messages (${MESSAGE_COLUMNS})
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
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
  latestTo: `SELECT * FROM messages WHERE phone = $1 AND status <> 'refused' AND starts_with(port, $2)
    ORDER BY created_at DESC, id DESC LIMIT 1`,
  // the recipient index (phone, created_at) holds every message not refused, unknown ones included
  unknownTo: `SELECT * FROM messages
    WHERE phone = $1 AND status = 'unknown' AND status <> 'refused' AND created_at >= $2
    ORDER BY created_at DESC, id DESC LIMIT 50`,
  verificationSince: `SELECT phone, signature_id, created_at FROM messages
    WHERE category = 'verification' AND status <> 'refused' AND created_at >= $1 AND signature_id IS NOT NULL`,
  marketingSince: `SELECT phone, sender_id, count(*) AS n FROM messages
    WHERE category LIKE 'marketing.%' AND created_at >= $1 AND status <> 'refused'
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

/** Above this many senders, a listing walks the primary key instead of merging per-sender streams. */
const MERGE_MAX_STREAMS = 32;

/** From this many messages on, a batch goes in by COPY rather than one INSERT of unnested arrays. */
export const COPY_MIN_ROWS = 200;

/** The `what` of a unique violation on the message log or its idempotency keys. */
function conflictWhat(constraint: string | undefined): string {
  if (constraint === "message_idempotency_keys_pkey") return "idempotency key";
  // the partitions' primary keys are named after them: messages_pkey, messages_202503_pkey, …
  if (constraint?.startsWith("messages") && constraint.endsWith("_pkey")) return "message id";
  return "message";
}

/** Runs `fn`, turning a unique violation on the message log into a StoreConflictError. */
export async function withMessageConflicts<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new StoreConflictError(conflictWhat(err.constraint));
  }
}

/**
 * The message log and outbox, in PostgreSQL: a log partitioned by month on the (time-sorted) id, with
 * idempotency keys in their own table. Claims lock with SKIP LOCKED, so several nodes share one outbox.
 */
export class PgMessageStore implements MessageStore {
  /** Inserts without an idempotency key, several per statement. */
  private readonly inserts: StatementBatcher<Message, void>;
  /** Transitions, several per statement; each resolves with its row as moved, or null. */
  private readonly transitions: StatementBatcher<TransitionCall, Row | null>;
  private readonly notifying: StatementBatcher<NotifyingCall, Message | null>;

  constructor(private readonly pool: PgPool) {
    this.inserts = new StatementBatcher<Message, void>({
      runMany: async (ms) => {
        await pool.query(INSERT_UNNEST_SQL, unnestParams(ms));
        return ms.map(() => undefined);
      },
      runOne: async (m) => {
        await pool.query(SQL.insert, messageParams(m));
      },
      keyOf: (m) => m.id,
    });
    this.transitions = transitionBatcher(pool);
    this.notifying = notifyingBatcher(pool);
  }

  /** Creates last month's, this month's and the next months' partitions of the log. */
  async ensurePartitions(now: number): Promise<void> {
    await ensureMonthlyPartitions(this.pool, "messages", messageIdBound, now);
  }

  /**
   * Inserts messages inside the caller's transaction on `c` (used by insertMany and by the campaign
   * store's recordChunk): COPY for large batches, one INSERT of unnested arrays for small ones; the
   * idempotency keys some may carry go to their table. Not part of the port.
   */
  async insertRows(c: PgClient, ms: readonly Message[]): Promise<void> {
    if (ms.length === 0) return;
    if (ms.length >= COPY_MIN_ROWS)
      await pipeline(
        Readable.from(copyChunks(ms), { objectMode: false }),
        c.query(copyFrom(COPY_MESSAGES_SQL)),
      );
    else await c.query(INSERT_UNNEST_SQL, unnestParams(ms));
    const keyed = ms.filter((m) => m.idempotencyKey !== null);
    if (keyed.length > 0)
      await c.query(SQL.insertKeys, [
        keyed.map((m) => m.senderId),
        keyed.map((m) => m.idempotencyKey),
        keyed.map((m) => m.id),
      ]);
  }

  async insert(m: Message): Promise<InsertOutcome> {
    return withMessageConflicts(async () => {
      if (m.idempotencyKey === null) {
        await this.inserts.run(m);
        return { inserted: true };
      }
      // key and message in one statement: a concurrent insert of the same key waits for this one, then
      // finds the key taken and reads the message it made
      const r = await this.pool.query(INSERT_WITH_KEY_SQL, messageParams(m));
      if (r.rowCount) return { inserted: true };
      const existing = (await this.pool.query(SQL.byKey, [m.senderId, m.idempotencyKey])).rows[0] as
        | Row
        | undefined;
      if (!existing) throw new Error(`idempotency key ${m.idempotencyKey} names no message`);
      return { inserted: false, existing: toMessage(existing) };
    });
  }

  async insertNotifying(m: Message, notice: SenderNotice): Promise<InsertOutcome> {
    // rare (refusals told by receipt): one transaction of its own, no batching
    return withMessageConflicts(() =>
      inTransaction(this.pool, async (c): Promise<InsertOutcome> => {
        const r = await c.query(
          m.idempotencyKey === null ? SQL.insert : INSERT_WITH_KEY_SQL,
          messageParams(m),
        );
        if (!r.rowCount) {
          const existing = (await c.query(SQL.byKey, [m.senderId, m.idempotencyKey])).rows[0] as
            | Row
            | undefined;
          if (!existing) throw new Error(`idempotency key ${m.idempotencyKey} names no message`);
          return { inserted: false, existing: toMessage(existing) };
        }
        await insertNoticeRows(c, [notice]);
        return { inserted: true };
      }),
    );
  }

  async insertMany(ms: Message[]): Promise<void> {
    if (ms.length === 0) return;
    await withMessageConflicts(() => inTransaction(this.pool, (c) => this.insertRows(c, ms)));
  }

  async get(id: string): Promise<Message | null> {
    const r = (await this.pool.query(SQL.get, [id])).rows[0] as Row | undefined;
    return r ? toMessage(r) : null;
  }

  async transition(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): Promise<boolean> {
    return (await this.transitions.run({ id, from, to, event, patch })) !== null;
  }

  async transitionReturning(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): Promise<Message | null> {
    const row = await this.transitions.run({ id, from, to, event, patch });
    return row ? toMessage(row) : null;
  }

  async transitionNotifying(
    ...[id, from, to, event, noticeFor, patch]: Parameters<MessageStore["transitionNotifying"]>
  ): Promise<Message | null> {
    return this.notifying.run({ id, from, to, event, patch, noticeFor });
  }

  async claimOutbox(limit: number, now: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const r = await this.pool.query(SQL.claim, [
      limit,
      now,
      appendedEventJson({ status: "dispatching", at: now }),
    ]);
    return (r.rows as Row[]).map(toMessage).sort(byDue);
  }

  async defer(id: string, notBefore: number, event: MessageEvent): Promise<void> {
    await this.pool.query(SQL.defer, [id, notBefore, appendedEventJson(event), event.at]);
  }

  async markInFlightUnknown(at: number, claimedBefore = Number.MAX_SAFE_INTEGER): Promise<number> {
    const r = await this.pool.query(SQL.inFlight, [
      at,
      appendedEventJson({ status: "unknown", at }),
      claimedBefore,
    ]);
    return r.rowCount ?? 0;
  }

  async latestToRecipient(phone: string, portPrefix: string): Promise<Message | null> {
    const r = (await this.pool.query(SQL.latestTo, [phone, portPrefix])).rows[0] as Row | undefined;
    return r ? toMessage(r) : null;
  }

  async findUnknownToRecipient(phone: string, since: number): Promise<Message[]> {
    return ((await this.pool.query(SQL.unknownTo, [phone, since])).rows as Row[]).map(toMessage);
  }

  async marketingCountsSince(since: number): Promise<MarketingCount[]> {
    return ((await this.pool.query(SQL.marketingSince, [since])).rows as Row[]).map((r) => ({
      phone: str(r.phone),
      senderId: str(r.sender_id),
      count: num(r.n),
    }));
  }

  async verificationSince(since: number): Promise<VerificationSent[]> {
    return ((await this.pool.query(SQL.verificationSince, [since])).rows as Row[]).map((r) => ({
      phone: str(r.phone),
      signatureId: str(r.signature_id),
      at: num(r.created_at),
    }));
  }

  async listByCampaign(campaignId: string, afterId: string, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    return ((await this.pool.query(SQL.byCampaign, [campaignId, afterId, limit])).rows as Row[]).map(
      toMessage,
    );
  }

  async listBySenders(
    senderIds: readonly string[] | "all",
    afterId: string,
    limit: number,
  ): Promise<Message[]> {
    let rows: Row[];
    if (limit <= 0) rows = [];
    else if (senderIds === "all") rows = (await this.pool.query(SQL.all, [afterId, limit])).rows;
    else if (senderIds.length === 0) rows = [];
    else if (senderIds.length === 1)
      rows = (await this.pool.query(SQL.bySender, [senderIds[0], afterId, limit])).rows;
    else {
      const unique = [...new Set(senderIds)];
      const sql = unique.length > MERGE_MAX_STREAMS ? SQL.bySendersScan : SQL.bySendersMerge;
      rows = (await this.pool.query(sql, [unique, afterId, limit])).rows;
    }
    return rows.map(toMessage);
  }
}
