import type { Authorization, Signature } from "../../domain/signatures/signature.js";
import type { SignatureStore } from "../../domain/signatures/signature-store.port.js";
import { toAuthorization, toSignature } from "../sql-rows/registry-rows.js";
import { type PgPool, type Row, withConflicts } from "./pg-util.js";

/** Unique constraint or index → the `what` of the StoreConflictError (as SQLite names them). */
const CONFLICTS = {
  signatures_pkey: "signature id",
  signatures_live_text: "signature text",
  authorizations_pkey: "authorization id",
};

/** The statements, named so each connection prepares them once. */
const SQL = {
  insert: {
    name: "sig.insert",
    text: `INSERT INTO signatures (id, owner_id, text, scope, status, status_reason, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  },
  update: { name: "sig.update", text: "UPDATE signatures SET status = $1, status_reason = $2 WHERE id = $3" },
  get: { name: "sig.get", text: "SELECT * FROM signatures WHERE id = $1" },
  list: { name: "sig.list", text: "SELECT * FROM signatures ORDER BY created_at, id" },
  insertAuthorization: {
    name: "sig.insertAuthorization",
    text: `INSERT INTO authorizations (id, signature_id, enterprise_id, valid_from, valid_to, revoked_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  },
  revokeAuthorization: {
    name: "sig.revokeAuthorization",
    text: "UPDATE authorizations SET revoked_at = $1 WHERE id = $2",
  },
  getAuthorization: { name: "sig.getAuthorization", text: "SELECT * FROM authorizations WHERE id = $1" },
  listAuthorizations: {
    name: "sig.listAuthorizations",
    text: "SELECT * FROM authorizations ORDER BY created_at, id",
  },
} as const;

/** Signatures and the authorizations to use them, in PostgreSQL. */
export class PgSignatureStore implements SignatureStore {
  constructor(private readonly pool: PgPool) {}

  async insert(s: Signature): Promise<void> {
    await withConflicts(
      () =>
        this.pool.query({
          ...SQL.insert,
          values: [s.id, s.ownerId, s.text, JSON.stringify(s.scope), s.status, s.statusReason, s.createdAt],
        }),
      CONFLICTS,
      "signature",
    );
  }

  async update(s: Signature): Promise<void> {
    await withConflicts(
      () => this.pool.query({ ...SQL.update, values: [s.status, s.statusReason, s.id] }),
      CONFLICTS,
      "signature",
    );
  }

  async get(id: string): Promise<Signature | null> {
    const r = (await this.pool.query({ ...SQL.get, values: [id] })).rows[0] as Row | undefined;
    return r ? toSignature(r) : null;
  }

  async list(): Promise<Signature[]> {
    return ((await this.pool.query(SQL.list)).rows as Row[]).map(toSignature);
  }

  async insertAuthorization(a: Authorization): Promise<void> {
    await withConflicts(
      () =>
        this.pool.query({
          ...SQL.insertAuthorization,
          values: [a.id, a.signatureId, a.enterpriseId, a.validFrom, a.validTo, a.revokedAt, a.createdAt],
        }),
      CONFLICTS,
      "authorization",
    );
  }

  async revokeAuthorization(id: string, at: number): Promise<void> {
    await this.pool.query({ ...SQL.revokeAuthorization, values: [at, id] });
  }

  async getAuthorization(id: string): Promise<Authorization | null> {
    const r = (await this.pool.query({ ...SQL.getAuthorization, values: [id] })).rows[0] as Row | undefined;
    return r ? toAuthorization(r) : null;
  }

  async listAuthorizations(): Promise<Authorization[]> {
    return ((await this.pool.query(SQL.listAuthorizations)).rows as Row[]).map(toAuthorization);
  }
}
