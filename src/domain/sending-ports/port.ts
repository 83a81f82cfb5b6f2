import type { Category } from "../shared/categories.js";

/** A sending number (106…, 95…) held by an SMS service provider. */
export interface Port {
  id: string;
  providerId: string;
  /** Digits only, e.g. "1069012345". */
  number: string;
  /** What the port may carry; a port for service messages may not carry marketing. */
  categories: Category[];
  createdAt: number;
}

/** A port (plus optional extension) allocated to an enterprise, bound to signatures. */
export interface Allocation {
  id: string;
  portId: string;
  enterpriseId: string;
  /** Digits appended to the port number; "" for none. */
  extension: string;
  signatureIds: string[];
  createdAt: number;
}

/** Port numbers are digits only, 5–20 long, and must start with one of the allowed prefixes. */
export function isAllowedPortNumber(num: string, allowedPrefixes: readonly string[]): boolean {
  return /^\d{5,20}$/.test(num) && allowedPrefixes.some((p) => num.startsWith(p));
}
