import { blockContains, parseIp, parseIpBlock } from "./ip-address.js";

/** Whether an SMPP account may bind: `disabled` refuses every bind (the operator's switch). */
export type SmppAccountStatus = "active" | "disabled";

/** The longest system_id SMPP 3.4 carries (16 octets with the terminating NUL). */
export const SMPP_SYSTEM_ID_MAX = 15;

/**
 * An SMPP login of one enterprise: the system_id and password an ESME binds with, and the limits of
 * its binds. The password is kept only as a scrypt hash.
 */
export interface SmppAccount {
  /** `sma_…`, time-sorted. */
  id: string;
  enterpriseId: string;
  /** The bind's system_id, unique across anning (at most {@link SMPP_SYSTEM_ID_MAX} characters). */
  systemId: string;
  /** `scrypt$N$r$p$saltB64$hashB64`. */
  passwordHash: string;
  /** Binds open at once, every kind counted. */
  maxBinds: number;
  /** submit_sm per second across the account's binds. */
  tps: number;
  /** Category of a submit_sm that names none; null: such a submit_sm is refused. */
  defaultCategory: string | null;
  /** Where binds may come from: IPv4/IPv6 addresses or CIDR blocks; empty: anywhere. */
  allowedIps: string[];
  status: SmppAccountStatus;
  /** Wrong passwords since the last lock or success. */
  failedBinds: number;
  /** Epoch ms until which binds are refused after too many wrong passwords; null: never locked. */
  lockedUntil: number | null;
  createdAt: number;
  /** Last change of the account's settings, password or status (failed binds do not count). */
  updatedAt: number;
}

/** Whether `s` is an IPv4/IPv6 address or CIDR block an account's `allowedIps` may hold. */
export function isIpOrCidr(s: string): boolean {
  return parseIpBlock(s) !== null;
}

/**
 * Whether a bind from `ip` is allowed by an account's list: an empty list allows any address; else
 * the address must fall in one of the blocks. IPv4-mapped IPv6 peers (`::ffff:10.0.0.7`, as a
 * dual-stack socket reports IPv4 clients) match IPv4 entries. Unparseable entries match nothing.
 * @example ipAllowed(["10.0.0.0/8", "2001:db8::/32"], "::ffff:10.1.2.3") // true
 */
export function ipAllowed(allowed: readonly string[], ip: string): boolean {
  if (allowed.length === 0) return true;
  const addr = parseIp(ip);
  if (addr === null) return false;
  for (const entry of allowed) {
    const block = parseIpBlock(entry);
    if (block !== null && blockContains(block, addr)) return true;
  }
  return false;
}

/** Whether an account refuses binds at `now` because of failed passwords. */
export function isLocked(a: Pick<SmppAccount, "lockedUntil">, now: number): boolean {
  return a.lockedUntil !== null && now < a.lockedUntil;
}
