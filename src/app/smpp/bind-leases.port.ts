/** One bound SMPP session's claim on its account's bind cap. */
export interface BindLease {
  accountId: string;
  /** Unique across nodes (node id and session number). */
  sessionId: string;
}

/**
 * The binds each SMPP account holds across every node (Redis), so that an account's `maxBinds` caps
 * the cluster rather than each node. A lease lives `ttlMs` unless renewed: a node that dies without
 * unbinding frees its accounts' binds within that time. Without it (one node), the SMPP server counts
 * its own sessions. Every method throws a DomainError SERVICE_DEGRADED when the store is unreachable.
 */
export interface BindLeases {
  /** Takes a bind for the session when the account holds fewer than `max` live ones; false otherwise. */
  acquire(lease: BindLease, max: number): Promise<boolean>;
  /** Keeps the sessions' leases alive (the SMPP server calls it every third of the lease time). */
  renew(leases: readonly BindLease[]): Promise<void>;
  /** Gives the session's bind back (unbind, close). */
  release(lease: BindLease): Promise<void>;
  /** How long a lease lives without renewal, in milliseconds. */
  readonly ttlMs: number;
}
