import { createHash } from "node:crypto";
import { ipAllowed, isLocked, type SmppAccount } from "../../domain/smpp/smpp-account.js";
import type { AppContext } from "../context.js";
import { KeyedQueue } from "./keyed-queue.js";
import { verifySmppPassword } from "./smpp-passwords.js";

/** Wrong passwords in a row that lock an account. */
export const BIND_FAILURE_THRESHOLD = 5;
/** How long a lock lasts. */
export const BIND_LOCK_MS = 15 * 60_000;
/** How long a verified (system_id, password) pair is trusted without running scrypt again. */
export const BIND_CACHE_MS = 60_000;
const CACHE_MAX = 10_000;

/** What an SMPP bind presents. */
export interface BindAuthInput {
  systemId: string;
  password: string;
  /** The peer's address as the socket reports it (IPv4, IPv6 or IPv4-mapped IPv6). */
  ip: string;
  now: number;
}

/** Why a bind is refused; the SMPP adapter maps each to a bind_resp command_status. */
export type BindRefusal =
  | "UNKNOWN_SYSTEM_ID"
  | "BAD_PASSWORD"
  | "LOCKED"
  | "IP_NOT_ALLOWED"
  | "DISABLED"
  | "SENDER_SUSPENDED";

export type BindAuthResult = { ok: true; account: SmppAccount } | { ok: false; reason: BindRefusal };

/** Verified pairs per context: key → the stored hash it was verified against, and until when. */
const verified = new WeakMap<AppContext, Map<string, { hash: string; until: number }>>();

/**
 * Binds being checked per context, one at a time per system_id: each check reads the account after the
 * one before it recorded its failure (or lock), so concurrent binds cannot all be checked against the
 * same unlocked account. Binds of other system_ids never wait.
 */
const checking = new WeakMap<AppContext, KeyedQueue>();

function queueOf(ctx: AppContext): KeyedQueue {
  let q = checking.get(ctx);
  if (!q) {
    q = new KeyedQueue();
    checking.set(ctx, q);
  }
  return q;
}

function cacheOf(ctx: AppContext): Map<string, { hash: string; until: number }> {
  let c = verified.get(ctx);
  if (!c) {
    c = new Map();
    verified.set(ctx, c);
  }
  return c;
}

function remember(
  cache: Map<string, { hash: string; until: number }>,
  key: string,
  hash: string,
  now: number,
) {
  if (cache.size >= CACHE_MAX) for (const [k, v] of cache) if (v.until <= now) cache.delete(k);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, { hash, until: now + BIND_CACHE_MS });
}

/**
 * Checks an SMPP bind, in this order: the system_id exists; the peer's address is allowed (checked
 * before the password, so outsiders can neither guess nor lock); the account is not locked (answered
 * without looking at the password); the password matches its scrypt hash (constant-time; a wrong one
 * counts, and the 5th in a row locks the account for 15 minutes); the account is enabled; its enterprise
 * (and a merchant's platform) is active. A success forgets earlier failures.
 *
 * A verified pair is remembered for 60 s (keyed by system_id and the password's SHA-256, and only while
 * the stored hash is the one it was verified against), so a reconnect storm does not run scrypt each time.
 *
 * Binds presenting the same system_id are checked one after the other, in the order they arrived, each
 * from the account as the one before left it: however many come at once, at most 5 wrong passwords are
 * checked before the lock, and what arrives after them is refused LOCKED without its password being
 * looked at. Other system_ids are checked beside them. Nodes sharing a store each keep their own order:
 * the store counts every failure (recordFailedBind is one atomic statement), but a node may be checking
 * one password when another's records the 5th failure, so n nodes check at most 5 + (n − 1) wrong
 * passwords before the lock holds (the extra failures count towards the next lock).
 */
export function authenticateBind(ctx: AppContext, input: BindAuthInput): Promise<BindAuthResult> {
  return queueOf(ctx).run(input.systemId, () => check(ctx, input));
}

async function check(ctx: AppContext, input: BindAuthInput): Promise<BindAuthResult> {
  const account = await ctx.store.smppAccounts.getBySystemId(input.systemId);
  if (!account) return { ok: false, reason: "UNKNOWN_SYSTEM_ID" };
  if (!ipAllowed(account.allowedIps, input.ip)) return { ok: false, reason: "IP_NOT_ALLOWED" };
  if (isLocked(account, input.now)) return { ok: false, reason: "LOCKED" };

  const cache = cacheOf(ctx);
  const key = `${input.systemId}\u0000${createHash("sha256").update(input.password).digest("hex")}`;
  const hit = cache.get(key);
  const known = hit !== undefined && hit.until > input.now && hit.hash === account.passwordHash;
  if (!known) {
    if (!(await verifySmppPassword(input.password, account.passwordHash))) {
      cache.delete(key);
      await ctx.store.smppAccounts.recordFailedBind(
        account.id,
        input.now,
        BIND_FAILURE_THRESHOLD,
        BIND_LOCK_MS,
      );
      return { ok: false, reason: "BAD_PASSWORD" };
    }
    remember(cache, key, account.passwordHash, input.now);
  }

  if (account.status !== "active") return { ok: false, reason: "DISABLED" };
  const reg = ctx.state.registry;
  const e = reg.enterprises.get(account.enterpriseId);
  const parent = e?.parentId ? reg.enterprises.get(e.parentId) : undefined;
  if (e?.status !== "active" || parent?.status === "suspended")
    return { ok: false, reason: "SENDER_SUSPENDED" };

  if (account.failedBinds === 0 && account.lockedUntil === null) return { ok: true, account };
  await ctx.store.smppAccounts.clearFailures(account.id);
  return { ok: true, account: { ...account, failedBinds: 0, lockedUntil: null } };
}
