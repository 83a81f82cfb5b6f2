/**
 * What several anning nodes on one database coordinate through: a registry version that every
 * registry change bumps (other nodes then reload their registry index), and named job leases so a
 * periodic job (webhook delivery, ledger anchoring, the in-flight sweep) runs on one node at a time.
 */
export interface ClusterStore {
  /** The current registry version (0 before any change). */
  registryVersion(): Promise<number>;
  /** Increments the registry version; returns the new value. */
  bumpRegistryVersion(): Promise<number>;
  /**
   * Takes or renews the lease of job `name` for `owner` until `now + ttlMs`; true when `owner` holds it
   * now (it was free, expired, or already its own).
   */
  leaseJob(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives a held lease up (no-op when `owner` does not hold it). */
  releaseJob(name: string, owner: string): Promise<void>;
}
