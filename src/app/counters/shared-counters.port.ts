import type { CapQuery } from "../../domain/policy/decide.js";

/** One cap check against the shared counters. */
export interface CapReservation {
  query: CapQuery;
  /** Count it when it fits (an accepted message); otherwise only look. */
  commit: boolean;
  /** Acting time, epoch milliseconds. */
  at: number;
  /** Unique per reservation (the message id): lets a verification count be taken back. */
  token: string;
}

/** A sender's messages-per-second budget to take from, with a reservation. */
export interface RateTake {
  senderId: string;
  perSecond: number;
  n: number;
  /** Epoch milliseconds (the second it falls in is the window). */
  now: number;
}

/**
 * Frequency caps, verification caps and per-sender rate limits shared by every node (Redis). Each
 * call is one round trip whatever the number of items, and atomic, so two nodes never both take the
 * last unit of a cap. Every method throws a DomainError SERVICE_DEGRADED when the counters cannot be
 * trusted (the server is unreachable, or it restarted and the counts are being rebuilt).
 */
export interface SharedCounters {
  /**
   * For each item, whether it fits; items with `commit` that fit are counted. With `rate`, the sender's
   * budget is taken first in the same round trip; over it, throws DomainError RATE_LIMITED and counts
   * nothing.
   */
  reserve(items: readonly CapReservation[], rate?: RateTake): Promise<boolean[]>;
  /** Takes back committed reservations (the messages were not recorded after all). */
  release(items: readonly CapReservation[]): Promise<void>;
  /** Round trips made so far (for benchmarks). */
  readonly roundTrips: number;
  /** "ok", or what is wrong, for /healthz. */
  health(): Promise<string>;
  close(): Promise<void>;
}
