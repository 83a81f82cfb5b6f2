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
import { SQL } from "./message-queries.pg.js";
import {
  appendedEventJson,
  byDue,
  INSERT_UNNEST_SQL,
  INSERT_WITH_KEY_SQL,
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
 * Inserts one message on `q` with its idempotency key, if it has one: key and message in one statement,
 * so a concurrent insert of the same key waits for this one, then finds the key taken and reads the
 * message it made.
 */
async function insertOne(q: PgPool | PgClient, m: Message): Promise<InsertOutcome> {
  if (m.idempotencyKey === null) {
    await q.query(SQL.insert, messageParams(m));
    return { inserted: true };
  }
  const r = await q.query(INSERT_WITH_KEY_SQL, messageParams(m));
  if (r.rowCount) return { inserted: true };
  const existing = (await q.query(SQL.byKey, [m.senderId, m.idempotencyKey])).rows[0] as Row | undefined;
  if (!existing) throw new Error(`idempotency key ${m.idempotencyKey} names no message`);
  return { inserted: false, existing: toMessage(existing) };
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
      if (m.idempotencyKey !== null) return insertOne(this.pool, m);
      await this.inserts.run(m);
      return { inserted: true };
    });
  }

  async insertNotifying(m: Message, notice: SenderNotice): Promise<InsertOutcome> {
    // rare (refusals told by receipt): one transaction of its own, no batching
    return withMessageConflicts(() =>
      inTransaction(this.pool, async (c) => {
        const out = await insertOne(c, m);
        if (out.inserted) await insertNoticeRows(c, [notice]);
        return out;
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

  async overdue(now: number, scan: number): Promise<string[]> {
    const r = await this.pool.query(SQL.overdue, [now, scan]);
    return (r.rows as Array<{ id: string }>).map((x) => x.id);
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
