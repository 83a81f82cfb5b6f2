import { ipAllowed, type SmppAccount } from "../../domain/smpp/smpp-account.js";
import type { AppContext } from "../context.js";

/**
 * Why a bind that is up must end after its account changed: the account was disabled (or is gone), its
 * password changed, or the bind's address is no longer in `allowedIps`.
 */
export type BindEnd = "ACCOUNT_GONE" | "DISABLED" | "PASSWORD_CHANGED" | "IP_NOT_ALLOWED";

/**
 * Whether a bind made with `bound` (the account as it was when the bind was checked) from `ip` may go on
 * under the account as it is now; null: it may, with the new limits and default category.
 * @example bindEndsAfter(bound, { ...bound, status: "disabled" }, "10.0.0.7") // "DISABLED"
 */
export function bindEndsAfter(bound: SmppAccount, now: SmppAccount | null, ip: string): BindEnd | null {
  if (!now) return "ACCOUNT_GONE";
  if (now.status !== "active") return "DISABLED";
  if (now.passwordHash !== bound.passwordHash) return "PASSWORD_CHANGED";
  if (!ipAllowed(now.allowedIps, ip)) return "IP_NOT_ALLOWED";
  return null;
}

/** Told every account this process changes (the SMPP server, which applies it to its live binds). */
export type AccountWatcher = (account: SmppAccount) => void;

const watchers = new WeakMap<AppContext, Set<AccountWatcher>>();

/** Calls `watcher` with each account changed through `ctx` from now on; returns the function that stops it. */
export function watchSmppAccounts(ctx: AppContext, watcher: AccountWatcher): () => void {
  let set = watchers.get(ctx);
  if (!set) {
    set = new Set();
    watchers.set(ctx, set);
  }
  set.add(watcher);
  return () => set.delete(watcher);
}

/**
 * Tells the live binds that an account changed (after the change is stored): this node's at once, through
 * the watchers; other nodes' by a registry version bump, on which each node reloads its registry and its
 * SMPP server reads the accounts of its binds again (within ANNING_SYNC_POLL_MS, at once with a change bus).
 */
export async function smppAccountChanged(ctx: AppContext, account: SmppAccount): Promise<void> {
  for (const w of watchers.get(ctx) ?? []) {
    try {
      w(account);
    } catch (err) {
      ctx.log.error({ err: String(err), accountId: account.id }, "smpp account change not applied to binds");
    }
  }
  await ctx.sync?.registryChanged();
}
