import type Database from "better-sqlite3";
import type { Authorization, Signature } from "../../domain/signatures/signature.js";
import type { SignatureStore } from "../../domain/signatures/signature-store.port.js";
import { toAuthorization, toSignature } from "../sql-rows/registry-rows.js";
import { type Row, withConflicts } from "./sqlite-util.js";

const CONFLICTS = {
  "signatures.id": "signature id",
  "signatures.text": "signature text",
  "authorizations.id": "authorization id",
};

function statements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO signatures (id, owner_id, text, scope, status, status_reason, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    update: db.prepare("UPDATE signatures SET status = ?, status_reason = ? WHERE id = ?"),
    get: db.prepare("SELECT * FROM signatures WHERE id = ?"),
    list: db.prepare("SELECT * FROM signatures ORDER BY created_at, id"),
    insertAuthorization: db.prepare(
      `INSERT INTO authorizations (id, signature_id, enterprise_id, valid_from, valid_to, revoked_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    revokeAuthorization: db.prepare("UPDATE authorizations SET revoked_at = ? WHERE id = ?"),
    getAuthorization: db.prepare("SELECT * FROM authorizations WHERE id = ?"),
    listAuthorizations: db.prepare("SELECT * FROM authorizations ORDER BY created_at, id"),
  };
}

type Statements = ReturnType<typeof statements>;

/** Signatures and the authorizations to use them, in SQLite. */
export class SqliteSignatureStore implements SignatureStore {
  private readonly stmts: Statements;

  constructor(db: Database.Database) {
    this.stmts = statements(db);
  }

  async insert(s: Signature): Promise<void> {
    withConflicts(
      () =>
        this.stmts.insert.run(
          s.id,
          s.ownerId,
          s.text,
          JSON.stringify(s.scope),
          s.status,
          s.statusReason,
          s.createdAt,
        ),
      CONFLICTS,
      "signature",
    );
  }

  async update(s: Signature): Promise<void> {
    withConflicts(() => this.stmts.update.run(s.status, s.statusReason, s.id), CONFLICTS, "signature");
  }

  async get(id: string): Promise<Signature | null> {
    const r = this.stmts.get.get(id) as Row | undefined;
    return r ? toSignature(r) : null;
  }

  async list(): Promise<Signature[]> {
    return (this.stmts.list.all() as Row[]).map(toSignature);
  }

  async insertAuthorization(a: Authorization): Promise<void> {
    withConflicts(
      () =>
        this.stmts.insertAuthorization.run(
          a.id,
          a.signatureId,
          a.enterpriseId,
          a.validFrom,
          a.validTo,
          a.revokedAt,
          a.createdAt,
        ),
      CONFLICTS,
      "authorization",
    );
  }

  async revokeAuthorization(id: string, at: number): Promise<void> {
    this.stmts.revokeAuthorization.run(at, id);
  }

  async getAuthorization(id: string): Promise<Authorization | null> {
    const r = this.stmts.getAuthorization.get(id) as Row | undefined;
    return r ? toAuthorization(r) : null;
  }

  async listAuthorizations(): Promise<Authorization[]> {
    return (this.stmts.listAuthorizations.all() as Row[]).map(toAuthorization);
  }
}
