/** How a Dispatcher runs (see dispatcher.ts). */
export interface DispatcherOptions {
  batchSize?: number;
  /** Poll interval when the outbox is empty and nothing wakes the dispatcher. */
  idleMs?: number;
  /** Delay before a temporarily refused hand-over is tried again. */
  retryMs?: number;
  /**
   * 0 (one node): at start-up every message in flight was this node's, and becomes unknown. Above 0
   * (several nodes): only messages claimed longer ago than this become unknown, at start-up and by a
   * sweep that one node at a time runs (their node died during the hand-over).
   */
  inFlightGraceMs?: number;
  /** This node's name in the sweep's job lease. */
  nodeId?: string;
  /**
   * Hand-overs in flight at once (default 2,000). The loop claims the next batch while earlier ones wait
   * for the carrier, so a slow carrier's round trip does not bound throughput; the upstream's windows
   * bound what is on the wire.
   */
  maxInFlight?: number;
  /** How often, while no carrier is up, the outbox is swept for messages past their validity (5 s). */
  expiryEveryMs?: number;
}
