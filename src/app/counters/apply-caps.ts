import { type RecipientDecision, sortCodes } from "../../domain/policy/decide.js";
import type { AppContext } from "../context.js";
import { LocalRateLimiter } from "./local-rate-limiter.js";
import type { CapReservation, RateTake } from "./shared-counters.port.js";

/** This process's rate budgets, when no Redis shares them. */
const localRates = new LocalRateLimiter();

/**
 * Makes the cap checks that decisions left to the shared counters (see PolicyState.sharedCaps), in one
 * round trip: a decision over its cap gets FREQUENCY_CAP; with `commit`, each otherwise allowed one is
 * counted. Returns what was counted, so a caller that then fails to record the messages can release it.
 * `tokens[i]` names decision i's reservation (its message id). With `rate`, the sender's per-second
 * budget is taken in the same round trip (RATE_LIMITED when over). Without shared counters, caps were
 * already counted in process and only the rate is taken here.
 */
export async function applySharedCaps(
  ctx: AppContext,
  decisions: readonly RecipientDecision[],
  at: number,
  commit: boolean,
  tokens: readonly string[],
  rate?: RateTake,
): Promise<CapReservation[]> {
  const counters = ctx.counters;
  if (!counters) {
    if (rate) localRates.take(rate.senderId, rate.perSecond, rate.n, rate.now);
    return [];
  }
  const items: CapReservation[] = [];
  const owners: number[] = [];
  for (let i = 0; i < decisions.length; i++) {
    const d = decisions[i] as RecipientDecision;
    if (!d.cap) continue;
    items.push({ query: d.cap, commit: commit && d.codes.length === 0, at, token: tokens[i] ?? "" });
    owners.push(i);
  }
  if (items.length === 0 && !rate) return [];
  const fits = await counters.reserve(items, rate);
  const counted: CapReservation[] = [];
  for (let j = 0; j < items.length; j++) {
    const d = decisions[owners[j] as number] as RecipientDecision;
    const item = items[j] as CapReservation;
    if (!fits[j]) d.codes = sortCodes([...d.codes, "FREQUENCY_CAP"]);
    else if (item.commit) counted.push(item);
  }
  return counted;
}

/** Takes back reservations whose messages were not recorded (best effort: a failure is logged). */
export async function releaseSharedCaps(ctx: AppContext, counted: readonly CapReservation[]): Promise<void> {
  if (!ctx.counters || counted.length === 0) return;
  await ctx.counters
    .release(counted)
    .catch((err: unknown) => ctx.log.warn({ err: String(err) }, "shared caps not released"));
}
