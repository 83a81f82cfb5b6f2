import type { SenderNotice } from "../delivery/delivery-store.port.js";
import type { Message, MessageEvent, MessageStatus } from "./message.js";

/** Outcome of inserting a message that carries an idempotency key. */
export type InsertOutcome = { inserted: true } | { inserted: false; existing: Message };

/** Per (recipient, sender) count of marketing messages accepted since a time, for rebuilding caps. */
export interface MarketingCount {
  phone: string;
  senderId: string;
  count: number;
}

/** One verification code accepted, for rebuilding the verification caps. */
export interface VerificationSent {
  phone: string;
  signatureId: string;
  at: number;
}

/** The message log and outbox: every message, accepted or refused, with its history. */
export interface MessageStore {
  /**
   * Inserts one message. When (senderId, idempotencyKey) already exists, inserts nothing and returns
   * the existing message.
   */
  insert(m: Message): Promise<InsertOutcome>;
  /**
   * {@link insert}, and when the message goes in, `notice` (its sender's receipt) is queued in the same
   * transaction: both are durable, or neither. A repeated idempotency key inserts and queues nothing.
   */
  insertNotifying(m: Message, notice: SenderNotice): Promise<InsertOutcome>;
  /** Inserts many messages (no idempotency keys) in one transaction. */
  insertMany(ms: Message[]): Promise<void>;
  get(id: string): Promise<Message | null>;
  /**
   * Moves a message to `to` when its status is one of `from`, appending `event` to its history and
   * applying `patch`; false when the status did not match (someone else moved it).
   */
  transition(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): Promise<boolean>;
  /** {@link transition}, returning the message as moved (null when its status did not match). */
  transitionReturning(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): Promise<Message | null>;
  /**
   * {@link transitionReturning}, and, when the message moved, the sender notice `noticeFor` builds from
   * it is queued in the same transaction: both are durable, or neither.
   */
  transitionNotifying(
    id: string,
    from: readonly MessageStatus[],
    to: MessageStatus,
    event: MessageEvent,
    noticeFor: (moved: Message) => SenderNotice,
    patch?: { upstreamId?: string; reasons?: Message["reasons"] },
  ): Promise<Message | null>;
  /**
   * Atomically takes up to `limit` accepted messages whose notBefore ≤ now (oldest first) and marks
   * them dispatching (with a history event at `now`), so no two dispatchers take the same message.
   */
  claimOutbox(limit: number, now: number): Promise<Message[]>;
  /**
   * Ids of accepted messages whose validity ended by `now` (validUntil ≤ now), among the `scan` that
   * have been due longest: what waits in the outbox while no carrier takes anything, to be expired.
   */
  overdue(now: number, scan: number): Promise<string[]>;
  /** Puts a claimed message back into the outbox to wait until `notBefore` (quiet hours). */
  defer(id: string, notBefore: number, event: MessageEvent): Promise<void>;
  /**
   * Messages left dispatching by a crash become unknown: those claimed (moved to dispatching) before
   * `claimedBefore`, every one when it is omitted (a single node at start-up). Returns how many.
   */
  markInFlightUnknown(at: number, claimedBefore?: number): Promise<number>;
  /**
   * The latest message (not refused) to a recipient whose sending number starts with `portPrefix`.
   * Messages record the full sending number (port plus extension), never a port id.
   */
  latestToRecipient(phone: string, portPrefix: string): Promise<Message | null>;
  /**
   * Messages to a recipient left `unknown` (their hand-over was cut short) created at or after `since`,
   * newest first, at most 50: the candidates a receipt without a known upstream id may settle.
   */
  findUnknownToRecipient(phone: string, since: number): Promise<Message[]>;
  /** Marketing messages accepted (not refused) since `since`, grouped by recipient and sender. */
  marketingCountsSince(since: number): Promise<MarketingCount[]>;
  /** Verification messages accepted (not refused) since `since`. */
  verificationSince(since: number): Promise<VerificationSent[]>;
  /** A campaign's messages with id > afterId, id order, at most limit. */
  listByCampaign(campaignId: string, afterId: string, limit: number): Promise<Message[]>;
  /** Messages of some senders with id > afterId, id order (for listings). */
  listBySenders(senderIds: readonly string[] | "all", afterId: string, limit: number): Promise<Message[]>;
}
