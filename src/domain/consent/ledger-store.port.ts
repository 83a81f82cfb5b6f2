import type { ConsentEvent, ConsentEventInput } from "./consent.js";
import type { LedgerAnchor } from "./ledger-chain.js";

/** An event as scanned for building the in-memory index: with the recipient's number, unless erased. */
export interface ScannedEvent extends ConsentEvent {
  /** E.164 of the recipient; null once erased under PIPL. */
  phone: string | null;
}

/** The few fields of an event the in-memory consent index needs (start-up replay reads millions). */
export interface IndexEntry {
  seq: number;
  /** E.164, or null once erased. */
  phone: string | null;
  enterpriseId: string | null;
  category: string;
  type: ConsentEvent["type"];
  expiresAt: number | null;
  recordedAt: number;
}

/**
 * The append-only, hash-chained consent ledger. Implementations assign `seq` (global), `shard`
 * (shardOf(recipientId)), `shardSeq`, `prevHash` and `hash` (chainHash with the ledger key) atomically,
 * so concurrent appends never fork a chain.
 */
export interface LedgerStore {
  /**
   * Appends events in the given order, in one transaction, and returns them as recorded. `phones` maps
   * the events' recipient ids (pseudonyms of their numbers: one id, one number) to E.164, recorded in
   * the same transaction: a recipient's number, once known, is the one scans report for all of its
   * events, earlier ones included, until it is erased. Events of a recipient whose number is not in
   * `phones` and was never recorded (or was erased since) scan with phone null. Entries for recipients
   * without an event in `events` may be ignored.
   */
  append(events: ConsentEventInput[], phones: ReadonlyMap<string, string>): Promise<ConsentEvent[]>;
  /**
   * Erases a recipient's number: its events scan with phone null from now on, until a later append
   * gives the number again. The events and the chain stay intact.
   */
  eraseRecipient(recipientId: string): Promise<void>;
  /** One recipient's events, in recording order. */
  eventsForRecipient(recipientId: string): Promise<ConsentEvent[]>;
  /** Events with seq > afterSeq in seq order, at most `limit`, with the recipient's number. */
  scanEvents(afterSeq: number, limit: number): Promise<ScannedEvent[]>;
  /** Like scanEvents, with only what the consent index needs: the start-up replay path. */
  scanIndexEntries(afterSeq: number, limit: number): Promise<IndexEntry[]>;
  /** One shard's events with shardSeq > afterShardSeq in chain order, at most `limit`. */
  scanShard(shard: number, afterShardSeq: number, limit: number): Promise<ConsentEvent[]>;
  /**
   * Withdrawal and DND events concerning these enterprises (DND events concern everyone) with
   * seq > afterSeq, in seq order, with the recipient's number.
   */
  suppressions(
    enterpriseIds: readonly string[] | "all",
    afterSeq: number,
    limit: number,
  ): Promise<ScannedEvent[]>;
  /** The current head (last shardSeq and hash) of every non-empty shard. */
  heads(): Promise<LedgerAnchor[]>;
  insertAnchors(anchors: LedgerAnchor[]): Promise<void>;
  listAnchors(shard: number): Promise<LedgerAnchor[]>;
  /** Number of events recorded. */
  count(): Promise<number>;
}
