import type Database from "better-sqlite3";
import type { ConsentEvent, ConsentEventInput } from "../../domain/consent/consent.js";
import {
  type ChainHead,
  LEDGER_SHARDS,
  type LedgerAnchor,
  linkEvent,
} from "../../domain/consent/ledger-chain.js";
import type { IndexEntry, LedgerStore, ScannedEvent } from "../../domain/consent/ledger-store.port.js";
import { type LedgerStatements, ledgerStatements, toEvent, toScanned } from "./ledger-rows.js";
import { idList, num, type Row, str } from "./sqlite-util.js";

type Head = ChainHead;

/** Above this many enterprises, suppressions are found by one filtered scan rather than a merge. */
const MERGE_MAX_STREAMS = 32;

interface Appended {
  recorded: ConsentEvent[];
  heads: Map<number, Head>;
}

/**
 * The hash-chained consent ledger in SQLite. Appends run in one IMMEDIATE transaction per call, which
 * also records the recipients' numbers (table `recipients`, joined by the scans); the 16 shard heads are cached in memory, updated only after a commit, and reloaded after a rollback or when
 * another connection has written to the file (`PRAGMA data_version`).
 */
export class SqliteLedgerStore implements LedgerStore {
  private readonly stmts: LedgerStatements;
  private readonly appendTx: (
    events: readonly ConsentEventInput[],
    phones: ReadonlyMap<string, string>,
  ) => Appended;
  private readonly anchorsTx: (anchors: readonly LedgerAnchor[]) => void;
  private readonly suppressionsOfTx: (
    enterpriseIds: string[],
    afterSeq: number,
    limit: number,
  ) => ScannedEvent[];
  private heads_ = new Map<number, Head>();
  private seenVersion = -1;

  constructor(
    db: Database.Database,
    private readonly ledgerKey: Buffer,
  ) {
    const s = ledgerStatements(db);
    this.stmts = s;
    const append = db.transaction(
      (events: readonly ConsentEventInput[], phones: ReadonlyMap<string, string>) => {
        this.refreshHeadsIfStale();
        if (phones.size > 0) {
          const given = new Set<string>();
          for (const e of events) {
            const phone = phones.get(e.recipientId);
            if (phone === undefined || given.has(e.recipientId)) continue;
            given.add(e.recipientId);
            s.upsertRecipient.run(e.recipientId, phone);
          }
        }
        const heads = new Map(this.heads_);
        const recorded: ConsentEvent[] = [];
        for (const e of events) {
          const event = linkEvent(this.ledgerKey, heads, e, 0);
          const info = s.insert.run(
            event.shard,
            event.shardSeq,
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
            event.prevHash,
            event.hash,
          );
          event.seq = Number(info.lastInsertRowid);
          recorded.push(event);
        }
        return { recorded, heads };
      },
    );
    this.appendTx = (events, phones) => append.immediate(events, phones);
    const anchors = db.transaction((list: readonly LedgerAnchor[]) => {
      for (const a of list) s.insertAnchor.run(a.shard, a.shardSeq, a.hash, a.at);
    });
    this.anchorsTx = (list) => anchors.immediate(list);
    // A few enterprises: merge the DND stream with each one's withdrawals, every stream read in seq order
    // from its own partial index, inside one read transaction (one snapshot). Many: one filtered scan.
    this.suppressionsOfTx = db.transaction(
      (ids: string[], afterSeq: number, limit: number): ScannedEvent[] => {
        if (ids.length > MERGE_MAX_STREAMS) {
          return (s.suppressionsOf.all(afterSeq, idList(ids), limit) as Row[]).map(toScanned);
        }
        const seqs = (s.dndSeqs.all(afterSeq, limit) as unknown[]).map(num);
        for (const id of ids)
          for (const q of s.withdrawalSeqs.all(id, afterSeq, limit) as unknown[]) seqs.push(num(q));
        if (seqs.length === 0) return [];
        const page = seqs.sort((a, b) => a - b).slice(0, limit);
        return (s.suppressionsBySeqs.all(JSON.stringify(page)) as Row[]).map(toScanned);
      },
    );
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

  async append(events: ConsentEventInput[], phones: ReadonlyMap<string, string>): Promise<ConsentEvent[]> {
    if (events.length === 0) return [];
    try {
      const { recorded, heads } = this.appendTx(events, phones);
      this.heads_ = heads;
      return recorded;
    } catch (err) {
      this.reloadHeads();
      throw err;
    }
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

  async scanIndexEntries(afterSeq: number, limit: number): Promise<IndexEntry[]> {
    const rows = this.stmts.scanIndex.all(afterSeq, limit) as unknown[][];
    const out: IndexEntry[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as unknown[];
      out[i] = {
        seq: Number(r[0]),
        phone: (r[1] as string | null) ?? null,
        enterpriseId: (r[2] as string | null) ?? null,
        category: r[3] as string,
        type: r[4] as IndexEntry["type"],
        expiresAt: r[5] === null ? null : Number(r[5]),
        recordedAt: Number(r[6]),
      };
    }
    return out;
  }

  async scanShard(shard: number, afterShardSeq: number, limit: number): Promise<ConsentEvent[]> {
    return (this.stmts.scanShard.all(shard, afterShardSeq, limit) as Row[]).map(toEvent);
  }

  async suppressions(
    enterpriseIds: readonly string[] | "all",
    afterSeq: number,
    limit: number,
  ): Promise<ScannedEvent[]> {
    if (limit <= 0) return [];
    if (enterpriseIds === "all")
      return (this.stmts.suppressionsAll.all(afterSeq, limit) as Row[]).map(toScanned);
    return this.suppressionsOfTx([...new Set(enterpriseIds)], afterSeq, limit);
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
