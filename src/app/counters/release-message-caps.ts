import type { Message } from "../../domain/messages/message.js";
import { parsePhone } from "../../domain/phone/phone.js";
import { localTime } from "../../domain/policy/local-time.js";
import { isMarketing } from "../../domain/shared/categories.js";
import type { AppContext } from "../context.js";
import { releaseSharedCaps } from "./apply-caps.js";

/**
 * Gives back the frequency-cap unit an accepted marketing message took, on the recipient's local day it
 * was accepted (a message cancelled before hand-over never reaches the recipient, so it must not use up
 * the day's allowance: a corrected message may follow). In process, or in the shared counters (best
 * effort: a failure there is logged, and the count lapses with the day).
 */
export async function releaseMessageCaps(ctx: AppContext, m: Message): Promise<void> {
  if (!isMarketing(m.category)) return;
  const phone = parsePhone(m.phone);
  if (!phone.ok) return;
  const s = ctx.state;
  const day = localTime(phone.timeZone || s.policy.defaultTimeZone, m.createdAt).day;
  if (s.sharedCaps) {
    const query = { kind: "marketing", day, digits: phone.digits, senderId: m.senderId } as const;
    const cap = { ...query, perSender: 0, perRecipient: 0 };
    await releaseSharedCaps(ctx, [{ query: cap, commit: true, at: m.createdAt, token: m.id }]);
  } else s.counters.increment(day, phone.digits, s.consents.enterpriseTag(m.senderId), -1);
}
