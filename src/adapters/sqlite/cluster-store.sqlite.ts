import type Database from "better-sqlite3";
import type { ClusterStore } from "../../domain/cluster/cluster-store.port.js";

/** Registry version and job leases in SQLite (processes sharing one file coordinate through them). */
export class SqliteClusterStore implements ClusterStore {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      version: db.prepare("SELECT version FROM registry_version WHERE id = 1").pluck(),
      bump: db
        .prepare("UPDATE registry_version SET version = version + 1 WHERE id = 1 RETURNING version")
        .pluck(),
      lease: db.prepare(
        `INSERT INTO job_leases (name, owner, lease_until) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE job_leases.owner = excluded.owner OR job_leases.lease_until <= ?`,
      ),
      release: db.prepare("DELETE FROM job_leases WHERE name = ? AND owner = ?"),
    };
  }

  async registryVersion(): Promise<number> {
    return Number(this.stmts.version.get() ?? 0);
  }

  async bumpRegistryVersion(): Promise<number> {
    return Number(this.stmts.bump.get() ?? 0);
  }

  async leaseJob(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return this.stmts.lease.run(name, owner, now + ttlMs, now).changes === 1;
  }

  async releaseJob(name: string, owner: string): Promise<void> {
    this.stmts.release.run(name, owner);
  }
}
