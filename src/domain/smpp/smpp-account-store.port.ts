import type { SmppAccount } from "./smpp-account.js";

/** What an operator may change on an account. */
export type SmppAccountPatch = Partial<
  Pick<SmppAccount, "passwordHash" | "maxBinds" | "tps" | "defaultCategory" | "allowedIps" | "status">
>;

/** Persistence of SMPP accounts and their failed-bind counters. */
export interface SmppAccountStore {
  /** Inserts an account; StoreConflictError `"system id"` when the systemId is taken (`"smpp account"` for the id). */
  insert(a: SmppAccount): Promise<void>;
  get(id: string): Promise<SmppAccount | null>;
  getBySystemId(systemId: string): Promise<SmppAccount | null>;
  /** The accounts of some enterprises, or every account, in id (creation) order. */
  list(enterpriseIds: readonly string[] | "all"): Promise<SmppAccount[]>;
  /**
   * Applies the fields present in `patch` (a `defaultCategory: null` clears it) and sets updatedAt to
   * `at`; returns the account after the change, or null when there is no such account.
   */
  update(id: string, patch: SmppAccountPatch, at: number): Promise<SmppAccount | null>;
  /**
   * Counts one wrong password, atomically (concurrent binds each count): when the count reaches
   * `threshold`, the account is locked until `at + lockMs` and the count starts again from 0. Returns
   * the account after the change; rejects when there is no such account.
   */
  recordFailedBind(id: string, at: number, threshold: number, lockMs: number): Promise<SmppAccount>;
  /** Forgets failed binds and any lock (a successful bind, or the operator enabling the account). */
  clearFailures(id: string): Promise<void>;
}
