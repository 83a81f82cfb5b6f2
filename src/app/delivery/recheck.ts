import type { Message } from "../../domain/messages/message.js";
import { decideRecipient, prepareSend } from "../../domain/policy/decide.js";
import { localTime, nextWindowOpen } from "../../domain/policy/local-time.js";
import type { ReasonCode } from "../../domain/policy/reason-codes.js";
import { effectiveProfile, marketingWindow } from "../../domain/policy/tighten.js";
import type { AppContext } from "../context.js";

/** What the dispatcher does with a claimed message just before hand-over. */
export type Recheck =
  | { kind: "send" }
  | { kind: "wait"; until: number }
  | { kind: "refuse"; codes: ReasonCode[] };

/**
 * Re-checks everything that depends on time or state (consent, DND, expiry, suspension, authorization
 * validity, quiet hours) just before hand-over. Frequency caps were counted at acceptance and are not
 * counted again. A message meeting quiet hours waits for the window, within its validity.
 */
export function recheck(ctx: AppContext, m: Message, now: number): Recheck {
  if (now >= m.validUntil) return { kind: "refuse", codes: ["MESSAGE_EXPIRED"] };
  // anning's own opt-out confirmation goes out on the number the recipient wrote to, whatever its scope
  if (m.category.startsWith("system.")) return { kind: "send" };
  const prepared = prepareSend(ctx.state, m, now);
  const d = decideRecipient(ctx.state, prepared, m.phone, now, false);
  const codes = d.codes.filter((c) => c !== "FREQUENCY_CAP");
  if (codes.length === 0) return { kind: "send" };
  if (codes.length === 1 && codes[0] === "QUIET_HOURS" && d.phone.ok) {
    const tz = d.phone.timeZone || ctx.state.policy.defaultTimeZone;
    const prof = effectiveProfile(
      ctx.state.policy,
      localTime(tz, now).date,
      ctx.state.registry.overrides.get(m.senderId),
    );
    const opens = nextWindowOpen(tz, now, marketingWindow(prof));
    if (opens < m.validUntil) return { kind: "wait", until: opens };
    return { kind: "refuse", codes: ["QUIET_HOURS", "MESSAGE_EXPIRED"] };
  }
  return { kind: "refuse", codes };
}
