/** Kinds of enterprise anning registers. A merchant belongs to exactly one platform. */
export type EnterpriseKind = "platform" | "merchant" | "provider";
export const ENTERPRISE_KINDS: readonly EnterpriseKind[] = ["platform", "merchant", "provider"];

export type EnterpriseStatus = "active" | "suspended";

/** A registered sender or carrier: platform, merchant or SMS service provider. */
export interface Enterprise {
  id: string;
  kind: EnterpriseKind;
  name: string;
  /** Unified social credit code, 18 characters, check character verified. */
  creditCode: string;
  /** The platform a merchant belongs to; null for platforms and providers. */
  parentId: string | null;
  status: EnterpriseStatus;
  createdAt: number;
  statusReason: string | null;
}

/** An enterprise API key; the secret itself is stored only as a hash. */
export interface ApiKey {
  id: string;
  enterpriseId: string;
  /** SHA-256 of the full secret, hex. */
  hash: string;
  /** First characters of the key, shown in listings. */
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}
