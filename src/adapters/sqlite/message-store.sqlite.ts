import type Database from "better-sqlite3";
import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import type { Message, MessageEvent, MessageStatus } from "../../domain/messages/message.js";
import type {
  InsertOutcome,
  MarketingCount,
  MessageStore,
  VerificationSent,
} from "../../domain/messages/message-store.port.js";
import {
  byDue,
  eventJson,
  MESSAGE_COLUMNS,
  messageFromValues,
  prepareMessageInsert,
  reasonsJson,
  runMessageInsert,
} from "./message-rows.js";
import { idList, num, type Row, str, withConflicts } from "./sqlite-util.js";

/** A message row read as an array, in MESSAGE_COLUMNS order (see messageFromValues). */
type Values = unknown[];

const CONFLICTS = { "messages.id": "message id", "messages.sender_id": "idempotency key" };

/**
 * SQL appending the event JSON bound at its place to the stored history, without parsing it (the history
 * is a JSON array as the message rows write it).
 */
const APPEND =
  "(CASE WHEN history = '[]' THEN '[' ELSE substr(history, 1, length(history) - 1) || ',' END || ? || ']')";

/**
 * A status transition for a from-list of `n` statuses, one statement. The moved row is read back with a
 * SELECT by key, not RETURNING: a one-row UPDATE … RETURNING costs about three times the UPDATE and the
 * SELECT together here (SQLite runs it to the end into a temporary table before the first row).
 */
function transitionSql(n: number): string {
  return `UPDATE messages SET status = ?, history = ${APPEND}, updated_at = ?,
      upstream_id = COALESCE(?, upstream_id), reasons = COALESCE(?, reasons)
    WHERE id = ? AND status IN (${Array(n).fill("?").join(", ")})`;
}

/** At most this many candidates from findUnknownToRecipient. */
const UNKNOWN_TO_RECIPIENT_MAX = 50;

function statements(db: Database.Database) {
  // reads of whole messages: `SELECT <MESSAGE_COLUMNS> FROM messages <rest>`, each row an array
  const rows = (rest: string) => db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages ${rest}`).raw();
  return {
    insert: prepareMessageInsert(db),
    get: rows("WHERE id = ?"),
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
    latestTo: rows(`WHERE phone = ? AND status <> 'refused' AND substr(port, 1, length(?)) = ?
       ORDER BY created_at DESC LIMIT 1`),
    unknownTo: rows(`WHERE phone = ? AND status = 'unknown' AND created_at >= ?
       ORDER BY created_at DESC, id DESC LIMIT ${UNKNOWN_TO_RECIPIENT_MAX}`),
    verificationSince: db.prepare(
      `SELECT phone, signature_id, created_at FROM messages
       WHERE category = 'verification' AND status <> 'refused' AND created_at >= ? AND signature_id IS NOT NULL`,
    ),
    marketingSince: db.prepare(
      `SELECT phone, sender_id, count(*) AS n FROM messages
       WHERE category LIKE 'marketing.%' AND created_at >= ? AND status <> 'refused'
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

type Statements = ReturnType<typeof statements>;

type NotifyingArgs = Parameters<MessageStore["transitionNotifying"]>;

/** Above this many senders, a listing walks the primary key instead of merging per-sender streams. */
const MERGE_MAX_STREAMS = 32;

/** The message log and outbox, in SQLite. */
export class SqliteMessageStore implements MessageStore {
  private readonly stmts: Statements;
  private readonly insertOneTx: (m: Message) => InsertOutcome;
  private readonly insertManyTx: (ms: readonly Message[]) => void;
  /** Transition statements by from-list length. */
  private readonly transitions = new Map<number, Database.Statement>();
  private readonly movedRowTx: (
    stmt: Database.Statement,
    args: unknown[],
    id: string,
  ) => {
    changes: number;
    row?: Values;
  };
  private readonly db: Database.Database;
  private readonly bySendersTx: (senderIds: string[], afterId: string, limit: number) => Values[];

  private readonly notifyingTx: (...args: NotifyingArgs) => Message | null;
  private readonly insertNotifyingTx: (m: Message, notice: SenderNotice) => InsertOutcome;

  /** `insertNotice` writes one sender notice row in the current transaction (the delivery store's). */
  constructor(db: Database.Database, insertNotice: (n: SenderNotice) => void) {
    const s = statements(db);
    this.stmts = s;
    // the status change and the notice of it in one savepoint of the group's transaction
    const notifying = db.transaction((...[id, from, to, event, noticeFor, patch]: NotifyingArgs) => {
      const r = this.runTransition(true, id, from, to, event, patch).row;
      if (!r) return null;
      const m = messageFromValues(r);
      insertNotice(noticeFor(m));
      return m;
    });
    // a taken notice id comes out of insertNotice as a conflict, and rolls the move back with it
    this.notifyingTx = (...args) => notifying.immediate(...args);
    const insertOne = db.transaction((m: Message): InsertOutcome => {
      if (m.idempotencyKey !== null) {
        const existing = s.byKey.get(m.senderId, m.idempotencyKey) as Values | undefined;
        if (existing) return { inserted: false, existing: messageFromValues(existing) };
      }
      runMessageInsert(s.insert, m);
      return { inserted: true };
    });
    this.insertOneTx = (m) => insertOne.immediate(m);
    const movedRow = db.transaction((stmt: Database.Statement, args: unknown[], id: string) =>
      this.movedRow(stmt, args, id),
    );
    this.movedRowTx = (stmt, args, id) => movedRow.immediate(stmt, args, id);
    // the message and its sender's notice in one savepoint: a notice that cannot be stored takes the
    // message back out with it
    const insertNotifying = db.transaction((m: Message, notice: SenderNotice): InsertOutcome => {
      const out = insertOne(m);
      if (out.inserted) insertNotice(notice);
      return out;
    });
    this.insertNotifyingTx = (m, notice) => insertNotifying.immediate(m, notice);
    const insertMany = db.transaction((ms: readonly Message[]) => this.insertRows(ms));
    this.insertManyTx = (ms) => insertMany.immediate(ms);

    this.db = db;

    // A few senders: merge each one's ids (read in order from its index) in one snapshot, then fetch the
    // page. Many: one primary-key walk with a filter.
    this.bySendersTx = db.transaction((senderIds: string[], afterId: string, limit: number): Values[] => {
      if (senderIds.length > MERGE_MAX_STREAMS)
        return s.bySendersScan.all(idList(senderIds), afterId, limit) as Values[];
      const found: string[] = [];
      for (const sender of senderIds)
        for (const id of s.senderIds.all(sender, afterId, limit)) found.push(str(id));
      if (found.length === 0) return [];
      const page = found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit);
      return s.byIds.all(JSON.stringify(page)) as Values[];
    });
  }

  /**
   * Inserts messages with the shared prepared statement, inside the caller's transaction (used by
   * insertMany and by the campaign store's recordChunk). Not part of the port.
   */
  insertRows(ms: readonly Message[]): void {
    withConflicts(
      () => {
        for (const m of ms) runMessageInsert(this.stmts.insert, m);
      },
      CONFLICTS,
      "message",
    );
  }

  async insert(m: Message): Promise<InsertOutcome> {
    return withConflicts(
      () => {
        // no key to look up first: one statement, atomic on its own
        if (m.idempotencyKey !== null) return this.insertOneTx(m);
        runMessageInsert(this.stmts.insert, m);
        return { inserted: true };
      },
      CONFLICTS,
      "message",
    );
  }

  async insertNotifying(m: Message, notice: SenderNotice): Promise<InsertOutcome> {
    return withConflicts(() => this.insertNotifyingTx(m, notice), CONFLICTS, "message");
  }

  async insertMany(ms: Message[]): Promise<void> {
    if (ms.length > 0) this.insertManyTx(ms);
  }

  async get(id: string): Promise<Message | null> {
    const r = this.stmts.get.get(id) as Values | undefined;
    return r ? messageFromValues(r) : null;
  }

  async transition(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): Promise<boolean> {
    return this.runTransition(false, id, from, to, event, patch).changes > 0;
  }

  async transitionReturning(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): Promise<Message | null> {
    const r = this.runTransition(true, id, from, to, event, patch).row;
    return r ? messageFromValues(r) : null;
  }

  async transitionNotifying(...args: NotifyingArgs): Promise<Message | null> {
    return this.notifyingTx(...args);
  }

  /** One UPDATE … WHERE status IN (from): no read first, the status test and the write are one step. */
  private runTransition(
    returning: boolean,
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): { changes: number; row?: Values } {
    if (from.length === 0) return { changes: 0 };
    let stmt = this.transitions.get(from.length);
    if (!stmt) {
      stmt = this.db.prepare(transitionSql(from.length));
      this.transitions.set(from.length, stmt);
    }
    const reasons = patch?.reasons === undefined ? null : reasonsJson(patch.reasons);
    const args = [to, eventJson(event), event.at, patch?.upstreamId ?? null, reasons, id, ...from];
    if (!returning) return { changes: stmt.run(...args).changes };
    // the write and the read of the moved row in one transaction (the group's when one is open: its
    // write lock keeps any other connection out between the two)
    if (!this.db.inTransaction) return this.movedRowTx(stmt, args, id);
    return this.movedRow(stmt, args, id);
  }

  /** Runs transition `stmt` and reads the moved row back (the caller holds a transaction). */
  private movedRow(stmt: Database.Statement, args: unknown[], id: string): { changes: number; row?: Values } {
    if (stmt.run(...args).changes === 0) return { changes: 0 };
    const row = this.stmts.get.get(id) as Values | undefined;
    return row ? { changes: 1, row } : { changes: 0 };
  }

  async claimOutbox(limit: number, now: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const event = eventJson({ status: "dispatching", at: now });
    return (this.stmts.claim.all(event, now, now, limit) as Values[]).map(messageFromValues).sort(byDue);
  }

  async defer(id: string, notBefore: number, event: MessageEvent): Promise<void> {
    this.stmts.defer.run(notBefore, eventJson(event), event.at, id);
  }

  async markInFlightUnknown(at: number, claimedBefore = Number.MAX_SAFE_INTEGER): Promise<number> {
    return this.stmts.inFlight.run(eventJson({ status: "unknown", at }), at, claimedBefore).changes;
  }

  async latestToRecipient(phone: string, portPrefix: string): Promise<Message | null> {
    const r = this.stmts.latestTo.get(phone, portPrefix, portPrefix) as Values | undefined;
    return r ? messageFromValues(r) : null;
  }

  async findUnknownToRecipient(phone: string, since: number): Promise<Message[]> {
    return (this.stmts.unknownTo.all(phone, since) as Values[]).map(messageFromValues);
  }

  async marketingCountsSince(since: number): Promise<MarketingCount[]> {
    return (this.stmts.marketingSince.all(since) as Row[]).map((r) => ({
      phone: str(r.phone),
      senderId: str(r.sender_id),
      count: num(r.n),
    }));
  }

  async verificationSince(since: number): Promise<VerificationSent[]> {
    return (this.stmts.verificationSince.all(since) as Row[]).map((r) => ({
      phone: str(r.phone),
      signatureId: str(r.signature_id),
      at: num(r.created_at),
    }));
  }

  async listByCampaign(campaignId: string, afterId: string, limit: number): Promise<Message[]> {
    return (this.stmts.byCampaign.all(campaignId, afterId, limit) as Values[]).map(messageFromValues);
  }

  async listBySenders(
    senderIds: readonly string[] | "all",
    afterId: string,
    limit: number,
  ): Promise<Message[]> {
    let rows: Values[];
    if (limit <= 0) rows = [];
    else if (senderIds === "all") rows = this.stmts.all.all(afterId, limit) as Values[];
    else if (senderIds.length === 0) rows = [];
    else if (senderIds.length === 1) rows = this.stmts.bySender.all(senderIds[0], afterId, limit) as Values[];
    else rows = this.bySendersTx([...new Set(senderIds)], afterId, limit);
    return rows.map(messageFromValues);
  }
}
