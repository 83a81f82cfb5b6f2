/** Whether a bound account's next submit_sm is over its tps: on this node, and across every node. */
import type { AppContext } from "../../../app/context.js";
import { DomainError } from "../../../domain/shared/domain-error.js";
import type { SmppAccount } from "../../../domain/smpp/smpp-account.js";
import { STATUS } from "../pdu/index.js";
import type { TokenBucket } from "./rate-limiter.js";

/** What the rate check needs of the server. */
export interface RateHost {
  readonly ctx: AppContext;
  limiterOf(a: SmppAccount): TokenBucket;
}

/**
 * ESME_RTHROTTLED when the account is over its tps: on this node (a token bucket) and, with shared
 * counters, across every node (one per-second budget in Redis). While those are unreachable only this
 * node's bucket counts: the policy then refuses marketing as degraded, and notifications go on. Null when
 * the submit may go on.
 */
export async function overRate(
  host: RateHost,
  account: SmppAccount,
): Promise<{ status: number; messageId: string } | null> {
  const throttled = { status: STATUS.ESME_RTHROTTLED, messageId: "" };
  if (!host.limiterOf(account).take()) return throttled;
  const counters = host.ctx.counters;
  if (!counters) return null;
  try {
    // real time, as the local bucket: the window is a wall-clock second on every node
    await counters.reserve([], {
      senderId: `smpp:${account.id}`,
      perSecond: account.tps,
      n: 1,
      now: Date.now(),
    });
    return null;
  } catch (err) {
    if (err instanceof DomainError && err.code === "RATE_LIMITED") return throttled;
    if (err instanceof DomainError && err.code === "SERVICE_DEGRADED") return null;
    throw err;
  }
}
