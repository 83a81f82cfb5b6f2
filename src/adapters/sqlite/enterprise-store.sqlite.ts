import type Database from "better-sqlite3";
import type { ApiKey, Enterprise } from "../../domain/enterprises/enterprise.js";
import type { EnterpriseStore } from "../../domain/enterprises/enterprise-store.port.js";
import type { PartialProfile } from "../../domain/policy/policy.js";
import { toEnterprise, toKey } from "../sql-rows/registry-rows.js";
import { json, type Row, str, withConflicts } from "./sqlite-util.js";

const CONFLICTS = {
  "enterprises.id": "enterprise id",
  "api_keys.id": "api key id",
  "api_keys.hash": "api key",
};

function statements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO enterprises (id, kind, name, credit_code, parent_id, status, status_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    update: db.prepare("UPDATE enterprises SET status = ?, status_reason = ? WHERE id = ?"),
    get: db.prepare("SELECT * FROM enterprises WHERE id = ?"),
    list: db.prepare("SELECT * FROM enterprises ORDER BY created_at, id"),
    insertKey: db.prepare(
      `INSERT INTO api_keys (id, enterprise_id, hash, prefix, created_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    listKeys: db.prepare("SELECT * FROM api_keys ORDER BY created_at, id"),
    revokeKey: db.prepare(
      "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND enterprise_id = ?",
    ),
    setOverride: db.prepare(
      `INSERT INTO policy_overrides (enterprise_id, override, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (enterprise_id) DO UPDATE SET override = excluded.override, updated_at = excluded.updated_at`,
    ),
    listOverrides: db.prepare("SELECT enterprise_id, override FROM policy_overrides ORDER BY enterprise_id"),
  };
}

type Statements = ReturnType<typeof statements>;

/** Enterprises, their API keys and policy overrides, in SQLite. */
export class SqliteEnterpriseStore implements EnterpriseStore {
  private readonly stmts: Statements;

  constructor(db: Database.Database) {
    this.stmts = statements(db);
  }

  async insert(e: Enterprise): Promise<void> {
    withConflicts(
      () =>
        this.stmts.insert.run(
          e.id,
          e.kind,
          e.name,
          e.creditCode,
          e.parentId,
          e.status,
          e.statusReason,
          e.createdAt,
        ),
      CONFLICTS,
      "enterprise",
    );
  }

  async update(e: Enterprise): Promise<void> {
    this.stmts.update.run(e.status, e.statusReason, e.id);
  }

  async get(id: string): Promise<Enterprise | null> {
    const r = this.stmts.get.get(id) as Row | undefined;
    return r ? toEnterprise(r) : null;
  }

  async list(): Promise<Enterprise[]> {
    return (this.stmts.list.all() as Row[]).map(toEnterprise);
  }

  async insertKey(k: ApiKey): Promise<void> {
    withConflicts(
      () => this.stmts.insertKey.run(k.id, k.enterpriseId, k.hash, k.prefix, k.createdAt, k.revokedAt),
      CONFLICTS,
      "api key",
    );
  }

  async listKeys(): Promise<ApiKey[]> {
    return (this.stmts.listKeys.all() as Row[]).map(toKey);
  }

  async revokeKey(enterpriseId: string, keyId: string, at: number): Promise<boolean> {
    return this.stmts.revokeKey.run(at, keyId, enterpriseId).changes > 0;
  }

  async setPolicyOverride(enterpriseId: string, override: PartialProfile, at: number): Promise<void> {
    this.stmts.setOverride.run(enterpriseId, JSON.stringify(override), at);
  }

  async listPolicyOverrides(): Promise<Array<{ enterpriseId: string; override: PartialProfile }>> {
    return (this.stmts.listOverrides.all() as Row[]).map((r) => ({
      enterpriseId: str(r.enterprise_id),
      override: json<PartialProfile>(r.override),
    }));
  }
}
