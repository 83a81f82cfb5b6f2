import { DomainError } from "../../domain/shared/domain-error.js";
import { StoreConflictError } from "../../domain/shared/store-errors.js";
import { isIpOrCidr, type SmppAccount, type SmppAccountStatus } from "../../domain/smpp/smpp-account.js";
import type { SmppAccountPatch } from "../../domain/smpp/smpp-account-store.port.js";
import { type Actor, type AppContext, assertActsFor, assertAdmin } from "../context.js";
import { checkCategories } from "../registry/signatures.js";
import { smppAccountChanged } from "./live-binds.js";
import { hashSmppPassword, newSmppPassword, newSystemId } from "./smpp-passwords.js";

export {
  authenticateBind,
  type BindAuthInput,
  type BindAuthResult,
  type BindRefusal,
} from "./bind-auth.js";

/** The settings an operator may give an account (all optional on update). */
export interface SmppAccountSettings {
  /** Binds open at once, 1–100 (default 4). */
  maxBinds?: number;
  /** submit_sm per second, 1–100000 (default 100). */
  tps?: number;
  /** Category of a submit_sm naming none; a known category, or null (default) to refuse such messages. */
  defaultCategory?: string | null;
  /** IPv4/IPv6 addresses or CIDR blocks binds may come from; empty (default): anywhere. */
  allowedIps?: string[];
}

/** What `createSmppAccount` takes. */
export interface CreateSmppAccountInput extends SmppAccountSettings {
  enterpriseId: string;
}

/** An account with its password in clear: the only time the password is shown. */
export interface SmppAccountWithPassword {
  account: SmppAccount;
  password: string;
}

const MAX_ALLOWED_IPS = 50;

function checkRange(v: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw new DomainError("VALIDATION_FAILED", `${field} must be an integer from ${min} to ${max}`, {
      field,
    });
  return v;
}

function checkAllowedIps(ips: readonly string[]): string[] {
  if (ips.length > MAX_ALLOWED_IPS)
    throw new DomainError("VALIDATION_FAILED", `allowedIps holds at most ${MAX_ALLOWED_IPS} entries`, {
      field: "allowedIps",
    });
  const out = ips.map((ip) => ip.trim());
  for (const ip of out)
    if (!isIpOrCidr(ip))
      throw new DomainError("VALIDATION_FAILED", `allowedIps: "${ip}" is not an IP address or CIDR block`, {
        field: "allowedIps",
      });
  return [...new Set(out)];
}

/** Validates the settings present in `s` (each named on failure); absent ones stay absent. */
function checkSettings(ctx: AppContext, s: SmppAccountSettings): SmppAccountSettings {
  const out: SmppAccountSettings = {};
  if (s.maxBinds !== undefined) out.maxBinds = checkRange(s.maxBinds, 1, 100, "maxBinds");
  if (s.tps !== undefined) out.tps = checkRange(s.tps, 1, 100_000, "tps");
  if (s.defaultCategory !== undefined)
    out.defaultCategory =
      s.defaultCategory === null
        ? null
        : (checkCategories(ctx, [s.defaultCategory], "defaultCategory")[0] ?? null);
  if (s.allowedIps !== undefined) out.allowedIps = checkAllowedIps(s.allowedIps);
  return out;
}

/**
 * Opens an SMPP account for an active enterprise (admin only), with a generated system_id (`an` + 10
 * base32 characters) and an 8-character password, returned here only; the store keeps a scrypt hash.
 * @example const { account, password } = await createSmppAccount(ctx, ADMIN, { enterpriseId, tps: 50 });
 */
export async function createSmppAccount(
  ctx: AppContext,
  actor: Actor,
  input: CreateSmppAccountInput,
): Promise<SmppAccountWithPassword> {
  assertAdmin(actor);
  const e = ctx.state.registry.enterprises.get(input.enterpriseId);
  if (!e) throw new DomainError("NOT_FOUND", "no such enterprise");
  if (e.status !== "active") throw new DomainError("INVALID_STATE", "the enterprise is suspended");
  const s = checkSettings(ctx, input);
  const password = newSmppPassword();
  const now = ctx.clock.now();
  const base = {
    id: ctx.ids.next("sma"),
    enterpriseId: e.id,
    passwordHash: await hashSmppPassword(password),
    maxBinds: s.maxBinds ?? 4,
    tps: s.tps ?? 100,
    defaultCategory: s.defaultCategory ?? null,
    allowedIps: s.allowedIps ?? [],
    status: "active" as const,
    failedBinds: 0,
    lockedUntil: null,
    createdAt: now,
    updatedAt: now,
  };
  // 50 random bits: a clash is rare, and another draw settles it
  for (let attempt = 1; ; attempt++) {
    const account: SmppAccount = { ...base, systemId: newSystemId() };
    try {
      await ctx.store.smppAccounts.insert(account);
      return { account, password };
    } catch (err) {
      if (!(err instanceof StoreConflictError && err.what === "system id") || attempt >= 5) throw err;
    }
  }
}

/** The SMPP accounts the actor may see: all for the admin; its own and its merchants' for an enterprise. */
export async function listSmppAccounts(ctx: AppContext, actor: Actor): Promise<SmppAccount[]> {
  if (actor.kind === "admin") return ctx.store.smppAccounts.list("all");
  const reg = ctx.state.registry;
  const ids = [...reg.enterprises.keys()].filter((id) => reg.canActFor(actor.enterpriseId, id));
  return ctx.store.smppAccounts.list(ids);
}

/** One account, when the actor may see it (NOT_FOUND otherwise, as for a missing one). */
export async function getSmppAccount(ctx: AppContext, actor: Actor, id: string): Promise<SmppAccount> {
  const a = await ctx.store.smppAccounts.get(id);
  if (!a) throw new DomainError("NOT_FOUND", "no such SMPP account");
  assertActsFor(ctx, actor, a.enterpriseId);
  return a;
}

/**
 * Stores a change and has the account's live binds follow it (on every node): from their next submit_sm
 * under the new limits and default category; ended (unbind) when the account is disabled, its password
 * changed or their address is no longer allowed.
 */
async function updated(ctx: AppContext, id: string, patch: SmppAccountPatch): Promise<SmppAccount> {
  const a = await ctx.store.smppAccounts.update(id, patch, ctx.clock.now());
  if (!a) throw new DomainError("NOT_FOUND", "no such SMPP account");
  await smppAccountChanged(ctx, a);
  return a;
}

/**
 * Gives an account a new password (admin only), returned here only; the old one stops working at once,
 * binds made with it are unbound (on every node), and a lock left by wrong passwords is lifted.
 */
export async function resetSmppPassword(
  ctx: AppContext,
  actor: Actor,
  id: string,
): Promise<SmppAccountWithPassword> {
  assertAdmin(actor);
  const password = newSmppPassword();
  const account = await updated(ctx, id, { passwordHash: await hashSmppPassword(password) });
  await ctx.store.smppAccounts.clearFailures(id);
  return { account: { ...account, failedBinds: 0, lockedUntil: null }, password };
}

/**
 * Disables (every new bind refused, the binds up unbound on every node) or enables an account (admin
 * only); enabling also lifts a lock.
 */
export async function setSmppAccountStatus(
  ctx: AppContext,
  actor: Actor,
  id: string,
  status: SmppAccountStatus,
): Promise<SmppAccount> {
  assertAdmin(actor);
  const account = await updated(ctx, id, { status });
  if (status === "disabled") return account;
  await ctx.store.smppAccounts.clearFailures(id);
  return { ...account, failedBinds: 0, lockedUntil: null };
}

/**
 * Changes an account's limits, default category or allowed addresses (admin only). Binds already up
 * follow from their next submit_sm (tps, defaultCategory); a bind whose address is no longer allowed is
 * unbound; a lower maxBinds leaves the binds up as they are and refuses new ones until fewer are up.
 */
export async function updateSmppAccount(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: SmppAccountSettings,
): Promise<SmppAccount> {
  assertAdmin(actor);
  return updated(ctx, id, checkSettings(ctx, input));
}
