import { createHmac } from "node:crypto";
import type { ConsentEvent, ConsentEventInput } from "./consent.js";

/** Number of independent hash chains; events go to a shard by recipient. */
export const LEDGER_SHARDS = 16;

/** The hash every chain starts from. */
export const GENESIS_HASH = "0".repeat(64);

/** Shard of a recipient id (a hex pseudonym): stable, so one recipient's events share one chain. */
export function shardOf(recipientId: string): number {
  return Number.parseInt(recipientId.slice(0, 4), 16) % LEDGER_SHARDS;
}

/** The exact bytes the chain hashes for one event: every field but the hashes, in a fixed order. */
export function canonicalEvent(e: ConsentEventInput & { shard: number; shardSeq: number }): string {
  return JSON.stringify([
    e.shard,
    e.shardSeq,
    e.id,
    e.consentId,
    e.recipientId,
    e.enterpriseId,
    e.category,
    e.type,
    e.method,
    e.capturedAt,
    e.recordedAt,
    e.source,
    e.noticeText,
    e.expiresAt,
    e.channel,
    e.actor,
  ]);
}

/**
 * Chain hash: HMAC-SHA256 under the ledger key over the previous hash and the canonical event.
 * Without the key an edited chain cannot be recomputed; with it, anchors still pin past heads.
 */
export function chainHash(key: Buffer, prevHash: string, canonical: string): string {
  return createHmac("sha256", key).update(prevHash).update("\n").update(canonical).digest("hex");
}

/** A recorded head of one shard's chain, kept so later edits of the whole chain show. */
/** The last link of one shard's chain. */
export interface ChainHead {
  shardSeq: number;
  hash: string;
  /** recordedAt of the head event. */
  at: number;
}

/**
 * Links an event to its shard's chain: its position after the shard's head, the head's hash, and its own
 * hash. Moves the head in `heads`. `seq` is the event's global sequence number, when already known
 * (it is not part of the hash).
 */
export function linkEvent(
  key: Buffer,
  heads: Map<number, ChainHead>,
  e: ConsentEventInput,
  seq: number,
): ConsentEvent {
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
    seq,
    shard,
    shardSeq,
    prevHash,
    hash: "",
  };
  event.hash = chainHash(key, prevHash, canonicalEvent(event));
  heads.set(shard, { shardSeq, hash: event.hash, at: event.recordedAt });
  return event;
}

export interface LedgerAnchor {
  shard: number;
  shardSeq: number;
  hash: string;
  at: number;
}

export type LedgerProblemKind =
  | "hash_mismatch"
  | "broken_link"
  | "sequence_gap"
  | "backdated"
  | "anchor_mismatch";

export interface LedgerProblem {
  kind: LedgerProblemKind;
  shard: number;
  shardSeq: number;
  eventId: string | null;
  detail: string;
}

/**
 * Checks one shard's events (in chain order): each hash recomputes, links to its predecessor, sequence
 * numbers have no gap, recording time never goes backwards and no consent is captured after it was
 * recorded; each anchor matches the event at its position.
 */
export function verifyShard(
  key: Buffer,
  shard: number,
  events: Iterable<ConsentEvent>,
  anchors: readonly LedgerAnchor[],
): { checked: number; problems: LedgerProblem[] } {
  const problems: LedgerProblem[] = [];
  const anchorAt = new Map(anchors.map((a) => [a.shardSeq, a]));
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let prevRecordedAt = Number.NEGATIVE_INFINITY;
  let checked = 0;
  for (const e of events) {
    checked++;
    const p = (kind: LedgerProblemKind, detail: string) =>
      problems.push({ kind, shard, shardSeq: e.shardSeq, eventId: e.id, detail });
    if (e.shardSeq !== prevSeq + 1)
      p("sequence_gap", `expected position ${prevSeq + 1}, found ${e.shardSeq}`);
    if (e.prevHash !== prevHash) p("broken_link", "previous-hash link does not match the preceding event");
    if (chainHash(key, e.prevHash, canonicalEvent(e)) !== e.hash)
      p("hash_mismatch", "event content was changed");
    if (e.recordedAt < prevRecordedAt) p("backdated", "recorded earlier than the event before it");
    if (e.capturedAt !== null && e.capturedAt > e.recordedAt)
      p("backdated", "captured after it was recorded");
    const anchor = anchorAt.get(e.shardSeq);
    if (anchor && anchor.hash !== e.hash) p("anchor_mismatch", "differs from the anchored chain head");
    anchorAt.delete(e.shardSeq);
    prevHash = e.hash;
    prevSeq = e.shardSeq;
    prevRecordedAt = Math.max(prevRecordedAt, e.recordedAt);
  }
  for (const a of anchorAt.values()) {
    problems.push({
      kind: "anchor_mismatch",
      shard,
      shardSeq: a.shardSeq,
      eventId: null,
      detail: "an anchored event is missing (deleted)",
    });
  }
  return { checked, problems };
}
