import type Database from "better-sqlite3";
import type { ConsentEvent, ConsentEventInput, ConsentEventType } from "../../domain/consent/consent.js";
import {
  canonicalEvent,
  chainHash,
  GENESIS_HASH,
  LEDGER_SHARDS,
  type LedgerAnchor,
  shardOf,
} from "../../domain/consent/ledger-chain.js";
import type { LedgerStore, ScannedEvent } from "../../domain/consent/ledger-store.port.js";
import { idList, num, numOrNull, type Row, str, strOrNull } from "./sqlite-util.js";

interface Head {
  shardSeq: number;
  hash: string;
  /** recordedAt of the head event. */
  at: number;
}

const SUPPRESSING = "type IN ('withdraw', 'dnd_set', 'dnd_remove')";
const WITH_PHONE = "SELECT e.*, r.phone FROM consent_events e LEFT JOIN recipients r ON r.recipient_id = e.recipient_id";

function toEvent(r: Row): ConsentEvent {
  return {
    id: str(r.id),
    consentId: strOrNull(r.consent_id),
    recipientId: str(r.recipient_id),
    enterpriseId: strOrNull(r.enterprise_id),
    category: str(r.category),
    type: str(r.type) as ConsentEventType,
    method: strOrNull(r.method),
    capturedAt: numOrNull(r.captured_at),
    recordedAt: num(r.recorded_at),
    source: strOrNull(r.source),
    noticeText: strOrNull(r.notice_text),
    expiresAt: numOrNull(r.expires_at),
    channel: strOrNull(r.channel),
    actor: str(r.actor),
    seq: num(r.seq),
    shard: num(r.shard),
    shardSeq: num(r.shard_seq),
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
  };
}

function toScanned(r: Row): ScannedEvent {
  return { ...toEvent(r), phone: strOrNull(r.phone) };
}

function statements(db: Database.Database) {
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
    scanShard: db.prepare(
      "SELECT * FROM consent_events WHERE shard = ? AND shard_seq > ? ORDER BY shard_seq LIMIT ?",
    ),
    suppressionsAll: db.prepare(`${WITH_PHONE} WHERE e.${SUPPRESSING} AND e.seq > ? ORDER BY e.seq LIMIT ?`),
    suppressionsOf: db.prepare(
      `${WITH_PHONE} WHERE e.${SUPPRESSING} AND e.seq > ?
         AND (e.type <> 'withdraw' OR e.enterprise_id IN (SELECT value FROM json_each(?)))
       ORDER BY e.seq LIMIT ?`,
    ),
    insertAnchor: db.prepare(
      "INSERT INTO ledger_anchors (shard, shard_seq, hash, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    anchors: db.prepare("SELECT * FROM ledger_anchors WHERE shard = ? ORDER BY shard_seq"),
    // The ledger is append-only and seq is SQLite's rowid (max + 1, no gaps): max(seq) is the count.
    count: db.prepare("SELECT COALESCE(MAX(seq), 0) FROM consent_events").pluck(),
  };
}

type Statements = ReturnType<typeof statements>;

interface Appended {
  recorded: ConsentEvent[];
  heads: Map<number, Head>;
}

/**
 * The hash-chained consent ledger in SQLite. Appends run in one IMMEDIATE transaction per call; the 16
 * shard heads are cached in memory, updated only after a commit, and reloaded after a rollback or when
 * another connection has written to the file (`PRAGMA data_version`).
 */
export class SqliteLedgerStore implements LedgerStore {
  private readonly stmts: Statements;
  private readonly appendTx: (events: readonly ConsentEventInput[]) => Appended;
  private readonly upsertTx: (pairs: ReadonlyArray<{ recipientId: string; phone: string }>) => void;
  private readonly anchorsTx: (anchors: readonly LedgerAnchor[]) => void;
  private heads_ = new Map<number, Head>();
  private seenVersion = -1;

  constructor(
    db: Database.Database,
    private readonly ledgerKey: Buffer,
  ) {
    const s = statements(db);
    this.stmts = s;
    const append = db.transaction((events: readonly ConsentEventInput[]) => {
      this.refreshHeadsIfStale();
      const heads = new Map(this.heads_);
      const recorded: ConsentEvent[] = [];
      for (const e of events) {
        const shard = shardOf(e.recipientId);
        const head = heads.get(shard);
        const shardSeq = (head?.shardSeq ?? 0) + 1;
        const prevHash = head?.hash ?? GENESIS_HASH;
        const event: ConsentEvent = {
          id: e.id,
          consentId: e.consentId,
          recipientId: e.recipientId,
          enterpriseId: e.enterpriseId,
          category: e.category,
          type: e.type,
          method: e.method,
          capturedAt: e.capturedAt,
          recordedAt: e.recordedAt,
          source: e.source,
          noticeText: e.noticeText,
          expiresAt: e.expiresAt,
          channel: e.channel,
          actor: e.actor,
          seq: 0,
          shard,
          shardSeq,
          prevHash,
          hash: "",
        };
        event.hash = chainHash(this.ledgerKey, prevHash, canonicalEvent(event));
        const info = s.insert.run(
          shard,
          shardSeq,
          event.id,
          event.consentId,
          event.recipientId,
          event.enterpriseId,
          event.category,
          event.type,
          event.method,
          event.capturedAt,
          event.recordedAt,
          event.source,
          event.noticeText,
          event.expiresAt,
          event.channel,
          event.actor,
          prevHash,
          event.hash,
        );
        event.seq = Number(info.lastInsertRowid);
        heads.set(shard, { shardSeq, hash: event.hash, at: event.recordedAt });
        recorded.push(event);
      }
      return { recorded, heads };
    });
    this.appendTx = (events) => append.immediate(events);
    const upsert = db.transaction((pairs: ReadonlyArray<{ recipientId: string; phone: string }>) => {
      for (const p of pairs) s.upsertRecipient.run(p.recipientId, p.phone);
    });
    this.upsertTx = (pairs) => upsert.immediate(pairs);
    const anchors = db.transaction((list: readonly LedgerAnchor[]) => {
      for (const a of list) s.insertAnchor.run(a.shard, a.shardSeq, a.hash, a.at);
    });
    this.anchorsTx = (list) => anchors.immediate(list);
    this.reloadHeads();
  }

  private reloadHeads(): void {
    const heads = new Map<number, Head>();
    for (let shard = 0; shard < LEDGER_SHARDS; shard++) {
      const r = this.stmts.head.get(shard) as Row | undefined;
      if (r) heads.set(shard, { shardSeq: num(r.shard_seq), hash: str(r.hash), at: num(r.recorded_at) });
    }
    this.heads_ = heads;
    this.seenVersion = num(this.stmts.dataVersion.get());
  }

  /** Another connection committed since we last looked: our cached heads may be behind. */
  private refreshHeadsIfStale(): void {
    if (num(this.stmts.dataVersion.get()) !== this.seenVersion) this.reloadHeads();
  }

  async append(events: ConsentEventInput[]): Promise<ConsentEvent[]> {
    if (events.length === 0) return [];
    try {
      const { recorded, heads } = this.appendTx(events);
      this.heads_ = heads;
      return recorded;
    } catch (err) {
      this.reloadHeads();
      throw err;
    }
  }

  async upsertRecipients(pairs: Array<{ recipientId: string; phone: string }>): Promise<void> {
    if (pairs.length > 0) this.upsertTx(pairs);
  }

  async eraseRecipient(recipientId: string): Promise<void> {
    this.stmts.erase.run(recipientId);
  }

  async eventsForRecipient(recipientId: string): Promise<ConsentEvent[]> {
    return (this.stmts.forRecipient.all(recipientId) as Row[]).map(toEvent);
  }

  async scanEvents(afterSeq: number, limit: number): Promise<ScannedEvent[]> {
    return (this.stmts.scan.all(afterSeq, limit) as Row[]).map(toScanned);
  }

  async scanShard(shard: number, afterShardSeq: number, limit: number): Promise<ConsentEvent[]> {
    return (this.stmts.scanShard.all(shard, afterShardSeq, limit) as Row[]).map(toEvent);
  }

  async suppressions(
    enterpriseIds: readonly string[] | "all",
    afterSeq: number,
    limit: number,
  ): Promise<ScannedEvent[]> {
    const rows =
      enterpriseIds === "all"
        ? this.stmts.suppressionsAll.all(afterSeq, limit)
        : this.stmts.suppressionsOf.all(afterSeq, idList(enterpriseIds), limit);
    return (rows as Row[]).map(toScanned);
  }

  async heads(): Promise<LedgerAnchor[]> {
    this.refreshHeadsIfStale();
    return [...this.heads_.entries()]
      .sort(([a], [b]) => a - b)
      .map(([shard, h]) => ({ shard, shardSeq: h.shardSeq, hash: h.hash, at: h.at }));
  }

  async insertAnchors(anchors: LedgerAnchor[]): Promise<void> {
    if (anchors.length > 0) this.anchorsTx(anchors);
  }

  async listAnchors(shard: number): Promise<LedgerAnchor[]> {
    return (this.stmts.anchors.all(shard) as Row[]).map((r) => ({
      shard: num(r.shard),
      shardSeq: num(r.shard_seq),
      hash: str(r.hash),
      at: num(r.at),
    }));
  }

  async count(): Promise<number> {
    return num(this.stmts.count.get());
  }
}
