import type { SmppAccount } from "../../domain/smpp/smpp-account.js";
import type { SmppAccountPatch, SmppAccountStore } from "../../domain/smpp/smpp-account-store.port.js";
import {
  SMPP_ACCOUNT_COLUMNS,
  smppAccountValues,
  smppPatchValues,
  toSmppAccount,
} from "../sql-rows/smpp-rows.js";
import { type PgPool, type Row, withConflicts } from "./pg-util.js";

/** Unique constraint or index → the `what` of the StoreConflictError (as SQLite names them). */
const CONFLICTS = { smpp_accounts_pkey: "smpp account", smpp_accounts_system_id: "system id" };

/** The statements, named so each connection prepares them once. */
const SQL = {
  insert: {
    name: "sma.insert",
    text: `INSERT INTO smpp_accounts (${SMPP_ACCOUNT_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
  },
  get: { name: "sma.get", text: "SELECT * FROM smpp_accounts WHERE id = $1" },
  bySystemId: { name: "sma.bySystemId", text: "SELECT * FROM smpp_accounts WHERE system_id = $1" },
  all: { name: "sma.all", text: "SELECT * FROM smpp_accounts ORDER BY id" },
  byEnterprises: {
    name: "sma.byEnterprises",
    text: "SELECT * FROM smpp_accounts WHERE enterprise_id = ANY($1::text[]) ORDER BY id",
  },
  update: {
    name: "sma.update",
    text: `UPDATE smpp_accounts SET
             password_hash = CASE WHEN $1::int = 1 THEN $2::text ELSE password_hash END,
             max_binds = CASE WHEN $3::int = 1 THEN $4::integer ELSE max_binds END,
             tps = CASE WHEN $5::int = 1 THEN $6::integer ELSE tps END,
             default_category = CASE WHEN $7::int = 1 THEN $8::text ELSE default_category END,
             allowed_ips = CASE WHEN $9::int = 1 THEN $10::jsonb ELSE allowed_ips END,
             status = CASE WHEN $11::int = 1 THEN $12::text ELSE status END,
             updated_at = $13
           WHERE id = $14 RETURNING *`,
  },
  // one statement: the row lock makes concurrent failures count one after the other
  failed: {
    name: "sma.failed",
    text: `UPDATE smpp_accounts SET
             failed_binds = CASE WHEN failed_binds + 1 >= $2 THEN 0 ELSE failed_binds + 1 END,
             locked_until = CASE WHEN failed_binds + 1 >= $2 THEN $3 ELSE locked_until END
           WHERE id = $1 RETURNING *`,
  },
  clear: {
    name: "sma.clear",
    text: "UPDATE smpp_accounts SET failed_binds = 0, locked_until = NULL WHERE id = $1",
  },
} as const;

/** SMPP accounts, in PostgreSQL. */
export class PgSmppAccountStore implements SmppAccountStore {
  constructor(private readonly pool: PgPool) {}

  async insert(a: SmppAccount): Promise<void> {
    await withConflicts(
      () => this.pool.query({ ...SQL.insert, values: smppAccountValues(a) }),
      CONFLICTS,
      "smpp account",
    );
  }

  async get(id: string): Promise<SmppAccount | null> {
    return this.one(SQL.get, [id]);
  }

  async getBySystemId(systemId: string): Promise<SmppAccount | null> {
    return this.one(SQL.bySystemId, [systemId]);
  }

  async list(enterpriseIds: readonly string[] | "all"): Promise<SmppAccount[]> {
    if (enterpriseIds !== "all" && enterpriseIds.length === 0) return [];
    const r =
      enterpriseIds === "all"
        ? await this.pool.query(SQL.all)
        : await this.pool.query({ ...SQL.byEnterprises, values: [[...enterpriseIds]] });
    return (r.rows as Row[]).map(toSmppAccount);
  }

  async update(id: string, patch: SmppAccountPatch, at: number): Promise<SmppAccount | null> {
    return this.one(SQL.update, [...smppPatchValues(patch), at, id]);
  }

  async recordFailedBind(id: string, at: number, threshold: number, lockMs: number): Promise<SmppAccount> {
    const a = await this.one(SQL.failed, [id, threshold, at + lockMs]);
    if (!a) throw new Error(`no smpp account ${id}`);
    return a;
  }

  async clearFailures(id: string): Promise<void> {
    await this.pool.query({ ...SQL.clear, values: [id] });
  }

  private async one(sql: { name: string; text: string }, values: unknown[]): Promise<SmppAccount | null> {
    const r = (await this.pool.query({ ...sql, values })).rows[0] as Row | undefined;
    return r ? toSmppAccount(r) : null;
  }
}
