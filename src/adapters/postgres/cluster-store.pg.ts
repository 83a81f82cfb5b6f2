import type { ClusterStore } from "../../domain/cluster/cluster-store.port.js";
import type { PgPool } from "./pg-util.js";

/** Registry version and job leases in PostgreSQL (tables of the `cluster` migration). */
export class PgClusterStore implements ClusterStore {
  constructor(private readonly pool: PgPool) {}

  async registryVersion(): Promise<number> {
    const r = await this.pool.query({
      name: "cluster_version",
      text: "SELECT version FROM registry_version WHERE id = 1",
    });
    return Number(r.rows[0]?.version ?? 0);
  }

  async bumpRegistryVersion(): Promise<number> {
    const r = await this.pool.query(
      "UPDATE registry_version SET version = version + 1 WHERE id = 1 RETURNING version",
    );
    return Number(r.rows[0]?.version ?? 0);
  }

  async leaseJob(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query(
      `INSERT INTO job_leases (name, owner, lease_until) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
       WHERE job_leases.owner = EXCLUDED.owner OR job_leases.lease_until <= $4
       RETURNING owner`,
      [name, owner, now + ttlMs, now],
    );
    return r.rowCount === 1;
  }

  async releaseJob(name: string, owner: string): Promise<void> {
    await this.pool.query("DELETE FROM job_leases WHERE name = $1 AND owner = $2", [name, owner]);
  }
}
