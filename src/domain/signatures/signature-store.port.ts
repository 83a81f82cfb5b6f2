import type { Authorization, Signature } from "./signature.js";

/** Persistence of signatures and the authorizations to use them. */
export interface SignatureStore {
  /** Throws StoreConflictError when a non-revoked signature with the same text exists. */
  insert(s: Signature): Promise<void>;
  /** Replaces status and statusReason. */
  update(s: Signature): Promise<void>;
  get(id: string): Promise<Signature | null>;
  list(): Promise<Signature[]>;
  insertAuthorization(a: Authorization): Promise<void>;
  /** Sets revokedAt. */
  revokeAuthorization(id: string, at: number): Promise<void>;
  getAuthorization(id: string): Promise<Authorization | null>;
  listAuthorizations(): Promise<Authorization[]>;
}
