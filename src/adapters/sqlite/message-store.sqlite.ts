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
  messageFromValues,
  parseHistory,
  parseReasons,
  reasonsJson,
  runMessageInsert,
} from "./message-rows.js";
import {
  HISTORY,
  messageStatements,
  REASONS,
  ROWID,
  type Statements,
  transitionSql,
} from "./message-statements.js";
import { idList, num, type Row, type RowValues, str, withConflicts } from "./sqlite-util.js";

const CONFLICTS = { "messages.id": "message id", "messages.sender_id": "idempotency key" };

type NotifyingArgs = Parameters<MessageStore["transitionNotifying"]>;

/** What a transition may change beside the status and history. */
type Patch = { upstreamId?: string; reasons?: Message["reasons"] };

/** Above this many senders, a listing walks the primary key instead of merging per-sender streams. */
const MERGE_MAX_STREAMS = 32;

/** The message log and outbox, in SQLite. */
export class SqliteMessageStore implements MessageStore {
  private readonly stmts: Statements;
  private readonly insertOneTx: (m: Message) => InsertOutcome;
  private readonly insertManyTx: (ms: readonly Message[]) => void;
  /** Transition statements by from-list length. */
  private readonly transitions = new Map<number, Database.Statement>();
  /**
   * Runs `fn` in a transaction holding the write lock: the one open (the group's, or a caller's, whose
   * first write takes the lock or fails if another connection wrote since it read), else a new IMMEDIATE
   * one. No savepoint: one costs about 6 µs here, half of a receipt's store work.
   */
  private readonly inLock: <T>(fn: () => T) => T;
  private readonly insertNotice: (n: SenderNotice) => void;
  private readonly db: Database.Database;
  private readonly bySendersTx: (senderIds: string[], afterId: string, limit: number) => RowValues[];

  private readonly insertNotifyingTx: (m: Message, notice: SenderNotice) => InsertOutcome;

  /** `insertNotice` writes one sender notice row in the current transaction (the delivery store's). */
  constructor(db: Database.Database, insertNotice: (n: SenderNotice) => void) {
    const s = messageStatements(db);
    this.stmts = s;
    const inTx = db.transaction((fn: () => unknown) => fn());
    this.inLock = <T>(fn: () => T): T => (db.inTransaction ? fn() : (inTx.immediate(fn) as T));
    this.insertNotice = insertNotice;
    const insertOne = db.transaction((m: Message): InsertOutcome => {
      if (m.idempotencyKey !== null) {
        const existing = s.byKey.get(m.senderId, m.idempotencyKey) as RowValues | undefined;
        if (existing) return { inserted: false, existing: messageFromValues(existing) };
      }
      runMessageInsert(s.insert, m);
      return { inserted: true };
    });
    this.insertOneTx = (m) => insertOne.immediate(m);
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
    this.bySendersTx = db.transaction((senderIds: string[], afterId: string, limit: number): RowValues[] => {
      if (senderIds.length > MERGE_MAX_STREAMS)
        return s.bySendersScan.all(idList(senderIds), afterId, limit) as RowValues[];
      const found: string[] = [];
      for (const sender of senderIds)
        for (const id of s.senderIds.all(sender, afterId, limit)) found.push(str(id));
      if (found.length === 0) return [];
      const page = found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit);
      return s.byIds.all(JSON.stringify(page)) as RowValues[];
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
    const r = this.stmts.get.get(id) as RowValues | undefined;
    return r ? messageFromValues(r) : null;
  }

  async transition(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: Patch,
  ): Promise<boolean> {
    return this.runTransition(id, from, to, eventJson(event), event.at, patch) > 0;
  }

  async transitionReturning(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: Patch,
  ): Promise<Message | null> {
    return this.inLock(() => this.move(id, from, to, event, patch));
  }

  async transitionNotifying(
    ...[id, from, to, event, noticeFor, patch]: NotifyingArgs
  ): Promise<Message | null> {
    // a taken notice id comes out of insertNotice as a conflict, before the row moved
    return this.inLock(() =>
      this.move(id, from, to, event, patch, (moved) => this.insertNotice(noticeFor(moved))),
    );
  }

  /** One UPDATE … WHERE status IN (from): no read first, the status test and the write are one step. */
  private runTransition(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    eventJsonText: string,
    at: number,
    patch?: Patch,
  ): number {
    if (from.length === 0) return 0;
    let stmt = this.transitions.get(from.length);
    if (!stmt) {
      stmt = this.db.prepare(transitionSql(from.length));
      this.transitions.set(from.length, stmt);
    }
    const reasons = patch?.reasons === undefined ? null : reasonsJson(patch.reasons);
    return stmt.run(to, eventJsonText, at, patch?.upstreamId ?? null, reasons, id, ...from).changes;
  }

  /**
   * A transition that hands back the moved message, inside a transaction holding the write lock: reads
   * the row, tests its status, builds the moved message as a read would give it, runs `first` with it
   * (queuing the notice: a step that may fail, and then fails before anything moved), then writes the
   * row by rowid with the values worked out from it. One read by key either way: reading the row back
   * after the UPDATE costs the same, and a one-row UPDATE … RETURNING about three times the UPDATE and
   * the read together here.
   */
  private move(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: Patch,
    first?: (moved: Message) => void,
  ): Message | null {
    const row = this.stmts.getForMove.get(id) as RowValues | undefined;
    if (!row) return null;
    const current = messageFromValues(row);
    if (!from.includes(current.status)) return null;
    const evJson = eventJson(event);
    const stored = str(row[HISTORY]);
    const history = stored === "[]" ? `[${evJson}]` : `${stored.slice(0, -1)},${evJson}]`;
    const reasons = patch?.reasons === undefined ? row[REASONS] : reasonsJson(patch.reasons);
    const moved: Message = {
      ...current,
      status: to,
      updatedAt: event.at,
      upstreamId: patch?.upstreamId ?? current.upstreamId,
      reasons: patch?.reasons === undefined ? current.reasons : parseReasons(reasons),
      history: [...current.history, ...parseHistory(`[${evJson}]`)],
    };
    first?.(moved);
    // the lock held since the read: the row is as read
    this.stmts.moveRow.run(to, history, event.at, moved.upstreamId, reasons, row[ROWID]);
    return moved;
  }

  async claimOutbox(limit: number, now: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const event = eventJson({ status: "dispatching", at: now });
    return (this.stmts.claim.all(event, now, now, limit) as RowValues[]).map(messageFromValues).sort(byDue);
  }

  async defer(id: string, notBefore: number, event: MessageEvent): Promise<void> {
    this.stmts.defer.run(notBefore, eventJson(event), event.at, id);
  }

  async markInFlightUnknown(at: number, claimedBefore = Number.MAX_SAFE_INTEGER): Promise<number> {
    return this.stmts.inFlight.run(eventJson({ status: "unknown", at }), at, claimedBefore).changes;
  }

  async overdue(now: number, scan: number): Promise<string[]> {
    return this.stmts.overdue.all(now, scan, now) as string[];
  }

  async latestToRecipient(phone: string, portPrefix: string): Promise<Message | null> {
    const r = this.stmts.latestTo.get(phone, portPrefix, portPrefix) as RowValues | undefined;
    return r ? messageFromValues(r) : null;
  }

  async findUnknownToRecipient(phone: string, since: number): Promise<Message[]> {
    return (this.stmts.unknownTo.all(phone, since) as RowValues[]).map(messageFromValues);
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
    return (this.stmts.byCampaign.all(campaignId, afterId, limit) as RowValues[]).map(messageFromValues);
  }

  async listBySenders(
    senderIds: readonly string[] | "all",
    afterId: string,
    limit: number,
  ): Promise<Message[]> {
    let rows: RowValues[];
    if (limit <= 0) rows = [];
    else if (senderIds === "all") rows = this.stmts.all.all(afterId, limit) as RowValues[];
    else if (senderIds.length === 0) rows = [];
    else if (senderIds.length === 1)
      rows = this.stmts.bySender.all(senderIds[0], afterId, limit) as RowValues[];
    else rows = this.bySendersTx([...new Set(senderIds)], afterId, limit);
    return rows.map(messageFromValues);
  }
}
