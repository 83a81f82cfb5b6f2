import type { ConsentEvent, ConsentEventInput } from "../../domain/consent/consent.js";
import { type ChainHead, linkEvent } from "../../domain/consent/ledger-chain.js";

/** The head of one shard's chain as the append state keeps it. */
export type Head = ChainHead;

/**
 * Gives events their place in the ledger, in order: the next global seq, their shard's next position
 * and the chain hash over the shard's head. Starts from the state read under the append lock.
 */
export class Chainer {
  /** The heads, moved by every event chained. */
  readonly heads: Map<number, Head>;
  /** Shards whose head moved. */
  readonly moved = new Set<number>();

  constructor(
    private readonly ledgerKey: Buffer,
    /** The last seq given so far. */
    public lastSeq: number,
    heads: ReadonlyMap<number, Head>,
  ) {
    this.heads = new Map([...heads].map(([shard, h]) => [shard, { ...h }]));
  }

  next(e: ConsentEventInput): ConsentEvent {
    const event = linkEvent(this.ledgerKey, this.heads, e, ++this.lastSeq);
    this.moved.add(event.shard);
    return event;
  }

  /** The moved heads as the four arrays of the `advance` statements (shard, shard_seq, hash, at). */
  movedHeads(): [number[], number[], string[], number[]] {
    const out: [number[], number[], string[], number[]] = [[], [], [], []];
    for (const shard of this.moved) {
      const h = this.heads.get(shard);
      if (!h) continue;
      out[0].push(shard);
      out[1].push(h.shardSeq);
      out[2].push(h.hash);
      out[3].push(h.at);
    }
    return out;
  }
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A text value in COPY text format: \N for null, the four special characters escaped. */
function text(v: string | null): string {
  if (v === null) return "\\N";
  return SPECIAL.test(v) ? v.replace(SPECIALS, (c) => ESCAPES[c] ?? c) : v;
}

/** A bigint value in COPY text format. */
function int(v: number | null): string {
  return v === null ? "\\N" : String(v);
}

/**
 * One event as a line of `COPY consent_events (EVENT_COLUMNS) FROM STDIN` in text format; the
 * hashes are hex, written as they are.
 */
export function copyLine(e: ConsentEvent, phone: string | null): string {
  return `${e.seq}\t${e.recordedAt}\t${e.shardSeq}\t${e.shard}\t${text(e.id)}\t${text(e.consentId)}\t${text(
    e.recipientId,
  )}\t${text(e.enterpriseId)}\t${text(e.category)}\t${text(e.type)}\t${text(e.method)}\t${int(
    e.capturedAt,
  )}\t${text(e.source)}\t${text(e.noticeText)}\t${int(e.expiresAt)}\t${text(e.channel)}\t${text(
    e.actor,
  )}\t${text(phone)}\t${e.prevHash}\t${e.hash}\n`;
}

/** Events as one array per column (EVENT_COLUMNS order), for the unnest INSERT of small batches. */
export function columnArrays(
  events: readonly ConsentEvent[],
  phoneOf: (recipientId: string) => string | null,
): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 20 }, () => new Array(events.length));
  events.forEach((e, i) => {
    const row = [
      e.seq,
      e.recordedAt,
      e.shardSeq,
      e.shard,
      e.id,
      e.consentId,
      e.recipientId,
      e.enterpriseId,
      e.category,
      e.type,
      e.method,
      e.capturedAt,
      e.source,
      e.noticeText,
      e.expiresAt,
      e.channel,
      e.actor,
      phoneOf(e.recipientId),
      e.prevHash,
      e.hash,
    ];
    for (let c = 0; c < row.length; c++) (cols[c] as unknown[])[i] = row[c];
  });
  return cols;
}
