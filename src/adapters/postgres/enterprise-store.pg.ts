import type { ApiKey, Enterprise } from "../../domain/enterprises/enterprise.js";
import type { EnterpriseStore } from "../../domain/enterprises/enterprise-store.port.js";
import type { PartialProfile } from "../../domain/policy/policy.js";
import { toEnterprise, toKey } from "../sql-rows/registry-rows.js";
import { json, type PgPool, type Row, str, withConflicts } from "./pg-util.js";

/** Unique constraint or index → the `what` of the StoreConflictError (as SQLite names them). */
const CONFLICTS = {
  enterprises_pkey: "enterprise id",
  api_keys_pkey: "api key id",
  api_keys_hash: "api key",
};

/** The statements, named so each connection prepares them once. */
const SQL = {
  insert: {
    name: "ent.insert",
    text: `INSERT INTO enterprises (id, kind, name, credit_code, parent_id, status, status_reason, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
  },
  update: {
    name: "ent.update",
    text: "UPDATE enterprises SET status = $1, status_reason = $2 WHERE id = $3",
  },
  get: { name: "ent.get", text: "SELECT * FROM enterprises WHERE id = $1" },
  list: { name: "ent.list", text: "SELECT * FROM enterprises ORDER BY created_at, id" },
  insertKey: {
    name: "ent.insertKey",
    text: `INSERT INTO api_keys (id, enterprise_id, hash, prefix, created_at, revoked_at)
           VALUES ($1, $2, $3, $4, $5, $6)`,
  },
  listKeys: { name: "ent.listKeys", text: "SELECT * FROM api_keys ORDER BY created_at, id" },
  revokeKey: {
    name: "ent.revokeKey",
    text: "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND enterprise_id = $3",
  },
  setOverride: {
    name: "ent.setOverride",
    text: `INSERT INTO policy_overrides (enterprise_id, override, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (enterprise_id) DO UPDATE SET override = excluded.override, updated_at = excluded.updated_at`,
  },
  listOverrides: {
    name: "ent.listOverrides",
    text: "SELECT enterprise_id, override FROM policy_overrides ORDER BY enterprise_id",
  },
} as const;

/** Enterprises, their API keys and policy overrides, in PostgreSQL. */
export class PgEnterpriseStore implements EnterpriseStore {
  constructor(private readonly pool: PgPool) {}

  async insert(e: Enterprise): Promise<void> {
    await withConflicts(
      () =>
        this.pool.query({
          ...SQL.insert,
          values: [e.id, e.kind, e.name, e.creditCode, e.parentId, e.status, e.statusReason, e.createdAt],
        }),
      CONFLICTS,
      "enterprise",
    );
  }

  async update(e: Enterprise): Promise<void> {
    await this.pool.query({ ...SQL.update, values: [e.status, e.statusReason, e.id] });
  }

  async get(id: string): Promise<Enterprise | null> {
    const r = (await this.pool.query({ ...SQL.get, values: [id] })).rows[0] as Row | undefined;
    return r ? toEnterprise(r) : null;
  }

  async list(): Promise<Enterprise[]> {
    return ((await this.pool.query(SQL.list)).rows as Row[]).map(toEnterprise);
  }

  async insertKey(k: ApiKey): Promise<void> {
    await withConflicts(
      () =>
        this.pool.query({
          ...SQL.insertKey,
          values: [k.id, k.enterpriseId, k.hash, k.prefix, k.createdAt, k.revokedAt],
        }),
      CONFLICTS,
      "api key",
    );
  }

  async listKeys(): Promise<ApiKey[]> {
    return ((await this.pool.query(SQL.listKeys)).rows as Row[]).map(toKey);
  }

  async revokeKey(enterpriseId: string, keyId: string, at: number): Promise<boolean> {
    return (
      ((await this.pool.query({ ...SQL.revokeKey, values: [at, keyId, enterpriseId] })).rowCount ?? 0) > 0
    );
  }

  async setPolicyOverride(enterpriseId: string, override: PartialProfile, at: number): Promise<void> {
    await this.pool.query({ ...SQL.setOverride, values: [enterpriseId, JSON.stringify(override), at] });
  }

  async listPolicyOverrides(): Promise<Array<{ enterpriseId: string; override: PartialProfile }>> {
    return ((await this.pool.query(SQL.listOverrides)).rows as Row[]).map((r) => ({
      enterpriseId: str(r.enterprise_id),
      override: json<PartialProfile>(r.override),
    }));
  }
}
