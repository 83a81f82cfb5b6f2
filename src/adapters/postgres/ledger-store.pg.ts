import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import type { ConsentEvent, ConsentEventInput } from "../../domain/consent/consent.js";
import type { LedgerAnchor } from "../../domain/consent/ledger-chain.js";
import type { IndexEntry, LedgerStore, ScannedEvent } from "../../domain/consent/ledger-store.port.js";
import { Chainer, columnArrays, copyLine, type Head } from "./ledger-batch.pg.js";
import {
  EVENT_COLUMNS,
  LEDGER_STATEMENTS as SQL,
  toAnchor,
  toEvent,
  toIndexEntry,
  toScanned,
} from "./ledger-rows.pg.js";
import {
  ensureMonthlyPartitions,
  num,
  type PgClient,
  type PgPool,
  type Row,
  str,
  strOrNull,
} from "./pg-util.js";

/** Advisory lock key of ledger appends (the same on every node): seqs are given in commit order. */
const APPEND_LOCK = 0x616e6c67;

/** Above this many events, an append streams them with COPY rather than one INSERT. */
const COPY_MIN_EVENTS = 500;

/** Bytes per chunk written to the COPY stream (hashing overlaps with the server's inserting). */
const COPY_CHUNK_BYTES = 512 * 1024;

/** Above this many enterprises, suppressions are found by one filtered scan rather than a merge. */
const MERGE_MAX_STREAMS = 32;

/** The append state read under the lock. */
interface AppendState {
  lastSeq: number;
  heads: Map<number, Head>;
  /** Whether some recipient's events carry no number (so a number given now may belong on them too). */
  numberless: boolean;
}

/**
 * Runs `fn` in a transaction holding the ledger's append lock (taken in the same round trip as BEGIN,
 * released by COMMIT or ROLLBACK). Another node's append commits entirely before this one reads.
 */
async function underAppendLock<T>(pool: PgPool, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query(`BEGIN; SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch((e: unknown) => {
      broken = e instanceof Error ? e : new Error(String(e));
    });
    throw err;
  } finally {
    // a connection that cannot even roll back is dropped, not reused
    c.release(broken);
  }
}

async function readState(c: PgClient): Promise<AppendState> {
  const rows = (await c.query(SQL.state)).rows as Row[];
  const heads = new Map<number, Head>();
  for (const r of rows)
    if (r.shard !== null)
      heads.set(num(r.shard), { shardSeq: num(r.shard_seq), hash: str(r.hash), at: num(r.at) });
  return { lastSeq: num(rows[0]?.last_seq ?? 0), heads, numberless: rows[0]?.numberless === true };
}

/** The number each event's recipient is recorded with, and the recipients left without one. */
interface ResolvedPhones {
  phoneOf: (recipientId: string) => string | null;
  numberless: string[];
}

/**
 * The number each event's recipient is recorded with: the one given, else one already on its earlier
 * events (a recipient's events all carry its number, or all none). A number given for a recipient
 * whose events carry none (never given, or erased) is written on them too. When every recipient's
 * number is given (the usual case, e.g. an import) this costs one map lookup per event.
 */
async function resolvePhones(
  c: PgClient,
  events: readonly ConsentEventInput[],
  phones: ReadonlyMap<string, string>,
  someNumberless: boolean,
): Promise<ResolvedPhones> {
  const missing = new Set<string>();
  for (const e of events) if (!phones.has(e.recipientId)) missing.add(e.recipientId);
  const known = new Map<string, string | null>();
  if (missing.size > 0) {
    const rows = (await c.query({ ...SQL.knownPhones, values: [[...missing]] })).rows as Row[];
    for (const r of rows) known.set(str(r.id), strOrNull(r.phone));
  }
  if (someNumberless && missing.size < events.length) {
    const given = new Map<string, string>();
    for (const e of events) {
      const phone = phones.get(e.recipientId);
      if (phone !== undefined) given.set(e.recipientId, phone);
    }
    await c.query({ ...SQL.restorePhones, values: [[...given.keys()], [...given.values()]] });
  }
  return {
    phoneOf: (r) => phones.get(r) ?? known.get(r) ?? null,
    numberless: [...known].filter(([, phone]) => phone === null).map(([r]) => r),
  };
}

/**
 * The hash-chained consent ledger in PostgreSQL. An append is one transaction under an advisory lock:
 * it reads the last seq and the 16 shard heads (ledger_state, ledger_heads), chains the events in
 * Node, writes them (COPY for large batches, one unnest INSERT otherwise) with their recipients'
 * numbers, and moves the state, so seqs are committed in order and chains never fork, whichever node
 * appends. Nothing is cached between appends. Events are partitioned by month of recordedAt.
 */
export class PgLedgerStore implements LedgerStore {
  constructor(
    private readonly pool: PgPool,
    private readonly ledgerKey: Buffer,
  ) {}

  /** Creates the monthly partitions of consent_events around `now` (those missing). */
  async ensurePartitions(now: number): Promise<void> {
    await ensureMonthlyPartitions(this.pool, "consent_events", (ms) => String(ms), now);
  }

  async append(events: ConsentEventInput[], phones: ReadonlyMap<string, string>): Promise<ConsentEvent[]> {
    if (events.length === 0) return [];
    return underAppendLock(this.pool, async (c) => {
      const state = await readState(c);
      const { phoneOf, numberless } = await resolvePhones(c, events, phones, state.numberless);
      const chain = new Chainer(this.ledgerKey, state.lastSeq, state.heads);
      let recorded: ConsentEvent[];
      if (events.length > COPY_MIN_EVENTS) {
        recorded = await copyEvents(c, chain, events, phoneOf);
        await c.query({ ...SQL.advance, values: [chain.lastSeq, ...chain.movedHeads()] });
      } else {
        recorded = events.map((e) => chain.next(e));
        const cols = columnArrays(recorded, phoneOf);
        await c.query({ ...SQL.insertAndAdvance, values: [...cols, chain.lastSeq, ...chain.movedHeads()] });
      }
      if (numberless.length > 0) await c.query({ ...SQL.markNumberless, values: [numberless] });
      return recorded;
    });
  }

  async eraseRecipient(recipientId: string): Promise<void> {
    await underAppendLock(this.pool, (c) => c.query({ ...SQL.erase, values: [recipientId] }));
  }

  async eventsForRecipient(recipientId: string): Promise<ConsentEvent[]> {
    return ((await this.pool.query({ ...SQL.forRecipient, values: [recipientId] })).rows as Row[]).map(
      toEvent,
    );
  }

  async scanEvents(afterSeq: number, limit: number): Promise<ScannedEvent[]> {
    return ((await this.pool.query({ ...SQL.scan, values: [afterSeq, limit] })).rows as Row[]).map(toScanned);
  }

  async scanIndexEntries(afterSeq: number, limit: number): Promise<IndexEntry[]> {
    const res = await this.pool.query({ ...SQL.scanIndex, values: [afterSeq, limit], rowMode: "array" });
    return (res.rows as unknown[][]).map(toIndexEntry);
  }

  async scanShard(shard: number, afterShardSeq: number, limit: number): Promise<ConsentEvent[]> {
    const res = await this.pool.query({ ...SQL.scanShard, values: [shard, afterShardSeq, limit] });
    return (res.rows as Row[]).map(toEvent);
  }

  async suppressions(
    enterpriseIds: readonly string[] | "all",
    afterSeq: number,
    limit: number,
  ): Promise<ScannedEvent[]> {
    if (limit <= 0) return [];
    if (enterpriseIds === "all")
      return (
        (await this.pool.query({ ...SQL.suppressionsAll, values: [afterSeq, limit] })).rows as Row[]
      ).map(toScanned);
    const ids = [...new Set(enterpriseIds)];
    const sql = ids.length > MERGE_MAX_STREAMS ? SQL.suppressionsOfMany : SQL.suppressionsOfFew;
    return ((await this.pool.query({ ...sql, values: [afterSeq, ids, limit] })).rows as Row[]).map(toScanned);
  }

  async heads(): Promise<LedgerAnchor[]> {
    return ((await this.pool.query(SQL.heads)).rows as Row[]).map(toAnchor);
  }

  async insertAnchors(anchors: LedgerAnchor[]): Promise<void> {
    if (anchors.length === 0) return;
    await this.pool.query({
      ...SQL.insertAnchors,
      values: [
        anchors.map((a) => a.shard),
        anchors.map((a) => a.shardSeq),
        anchors.map((a) => a.hash),
        anchors.map((a) => a.at),
      ],
    });
  }

  async listAnchors(shard: number): Promise<LedgerAnchor[]> {
    return ((await this.pool.query({ ...SQL.anchors, values: [shard] })).rows as Row[]).map(toAnchor);
  }

  async count(): Promise<number> {
    return num((await this.pool.query(SQL.count)).rows[0]?.last_seq ?? 0);
  }
}

/**
 * Chains the events and streams them to `COPY consent_events FROM STDIN` in chunks of about
 * COPY_CHUNK_BYTES, so the server inserts one chunk while the next is hashed. Returns them as recorded.
 */
async function copyEvents(
  c: PgClient,
  chain: Chainer,
  events: readonly ConsentEventInput[],
  phoneOf: (recipientId: string) => string | null,
): Promise<ConsentEvent[]> {
  const recorded: ConsentEvent[] = new Array(events.length);
  function* chunks(): Generator<Buffer> {
    let buf = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    let used = 0;
    for (let i = 0; i < events.length; i++) {
      const e = chain.next(events[i] as ConsentEventInput);
      recorded[i] = e;
      const line = copyLine(e, phoneOf(e.recipientId));
      // a UTF-16 code unit takes at most 3 bytes of UTF-8
      if (used + line.length * 3 > buf.length) {
        yield buf.subarray(0, used);
        buf = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, line.length * 3));
        used = 0;
      }
      used += buf.write(line, used);
    }
    if (used > 0) yield buf.subarray(0, used);
  }
  await pipeline(
    // one chunk at a time: each is sent before the next is hashed
    Readable.from(chunks(), { highWaterMark: 1 }),
    c.query(copyFrom(`COPY consent_events (${EVENT_COLUMNS}) FROM STDIN`)),
  );
  return recorded;
}
