import type { PartialProfile } from "../policy/policy.js";
import type { ApiKey, Enterprise } from "./enterprise.js";

/** Persistence of enterprises, their API keys and their policy overrides. */
export interface EnterpriseStore {
  insert(e: Enterprise): Promise<void>;
  /** Replaces status and statusReason of an existing enterprise. */
  update(e: Enterprise): Promise<void>;
  get(id: string): Promise<Enterprise | null>;
  /** Every enterprise, oldest first (the registry is small enough to hold in memory). */
  list(): Promise<Enterprise[]>;
  insertKey(k: ApiKey): Promise<void>;
  /** Every key, revoked ones included. */
  listKeys(): Promise<ApiKey[]>;
  /** Marks a key revoked; false when no such key of that enterprise exists. */
  revokeKey(enterpriseId: string, keyId: string, at: number): Promise<boolean>;
  setPolicyOverride(enterpriseId: string, override: PartialProfile, at: number): Promise<void>;
  listPolicyOverrides(): Promise<Array<{ enterpriseId: string; override: PartialProfile }>>;
}
