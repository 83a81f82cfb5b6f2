import type Database from "better-sqlite3";
import type { SmppAccount } from "../../domain/smpp/smpp-account.js";
import type { SmppAccountPatch, SmppAccountStore } from "../../domain/smpp/smpp-account-store.port.js";
import {
  SMPP_ACCOUNT_COLUMNS,
  smppAccountValues,
  smppPatchValues,
  toSmppAccount,
} from "../sql-rows/smpp-rows.js";
import { idList, type Row, withConflicts } from "./sqlite-util.js";

const CONFLICTS = { "smpp_accounts.id": "smpp account", "smpp_accounts.system_id": "system id" };

function statements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO smpp_accounts (${SMPP_ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    get: db.prepare("SELECT * FROM smpp_accounts WHERE id = ?"),
    bySystemId: db.prepare("SELECT * FROM smpp_accounts WHERE system_id = ?"),
    all: db.prepare("SELECT * FROM smpp_accounts ORDER BY id"),
    byEnterprises: db.prepare(
      "SELECT * FROM smpp_accounts WHERE enterprise_id IN (SELECT value FROM json_each(?)) ORDER BY id",
    ),
    update: db.prepare(
      `UPDATE smpp_accounts SET
         password_hash = CASE WHEN ? THEN ? ELSE password_hash END,
         max_binds = CASE WHEN ? THEN ? ELSE max_binds END,
         tps = CASE WHEN ? THEN ? ELSE tps END,
         default_category = CASE WHEN ? THEN ? ELSE default_category END,
         allowed_ips = CASE WHEN ? THEN ? ELSE allowed_ips END,
         status = CASE WHEN ? THEN ? ELSE status END,
         updated_at = ?
       WHERE id = ? RETURNING *`,
    ),
    // one statement: every SET expression reads the row as it was, so concurrent failures each count
    failed: db.prepare(
      `UPDATE smpp_accounts SET
         failed_binds = CASE WHEN failed_binds + 1 >= @threshold THEN 0 ELSE failed_binds + 1 END,
         locked_until = CASE WHEN failed_binds + 1 >= @threshold THEN @lockUntil ELSE locked_until END
       WHERE id = @id RETURNING *`,
    ),
    clear: db.prepare("UPDATE smpp_accounts SET failed_binds = 0, locked_until = NULL WHERE id = ?"),
  };
}

type Statements = ReturnType<typeof statements>;

/** SMPP accounts, in SQLite. */
export class SqliteSmppAccountStore implements SmppAccountStore {
  private readonly stmts: Statements;

  constructor(db: Database.Database) {
    this.stmts = statements(db);
  }

  async insert(a: SmppAccount): Promise<void> {
    withConflicts(() => this.stmts.insert.run(...smppAccountValues(a)), CONFLICTS, "smpp account");
  }

  async get(id: string): Promise<SmppAccount | null> {
    const r = this.stmts.get.get(id) as Row | undefined;
    return r ? toSmppAccount(r) : null;
  }

  async getBySystemId(systemId: string): Promise<SmppAccount | null> {
    const r = this.stmts.bySystemId.get(systemId) as Row | undefined;
    return r ? toSmppAccount(r) : null;
  }

  async list(enterpriseIds: readonly string[] | "all"): Promise<SmppAccount[]> {
    if (enterpriseIds !== "all" && enterpriseIds.length === 0) return [];
    const rows =
      enterpriseIds === "all" ? this.stmts.all.all() : this.stmts.byEnterprises.all(idList(enterpriseIds));
    return (rows as Row[]).map(toSmppAccount);
  }

  async update(id: string, patch: SmppAccountPatch, at: number): Promise<SmppAccount | null> {
    const r = this.stmts.update.get(...smppPatchValues(patch), at, id) as Row | undefined;
    return r ? toSmppAccount(r) : null;
  }

  async recordFailedBind(id: string, at: number, threshold: number, lockMs: number): Promise<SmppAccount> {
    const r = this.stmts.failed.get({ id, threshold, lockUntil: at + lockMs }) as Row | undefined;
    if (!r) throw new Error(`no smpp account ${id}`);
    return toSmppAccount(r);
  }

  async clearFailures(id: string): Promise<void> {
    this.stmts.clear.run(id);
  }
}
