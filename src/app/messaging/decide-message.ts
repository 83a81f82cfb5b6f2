import { ConsentIndex } from "../../domain/indexes/consent-index.js";
import { parsePhone } from "../../domain/phone/phone.js";
import { decideRecipient, prepareSend } from "../../domain/policy/decide.js";
import { byPrecedence, type Reason } from "../../domain/policy/reason-codes.js";
import { type Actor, type AppContext, parseTime, pseudonym } from "../context.js";
import { applySharedCaps } from "../counters/apply-caps.js";
import { checkSendFields, type SendFields } from "./send-request.js";

export interface DecideInput extends SendFields {
  phone: string;
  at?: string | number;
}

/**
 * A dry run of the policy for one message at any time: nothing is recorded and no cap is counted. For
 * a past `at`, consent and DND are taken from the ledger as it stood then.
 */
export async function decideMessage(
  ctx: AppContext,
  actor: Actor,
  input: DecideInput,
): Promise<{ allowed: boolean; reasons: Reason[]; at: string }> {
  checkSendFields(ctx, actor, input);
  const now = ctx.clock.now();
  const at = input.at === undefined ? now : parseTime(input.at, "at");
  const prepared = prepareSend(ctx.state, input, at);
  let view = ctx.state.consents;
  if (at < now - 1000) {
    const phone = parsePhone(input.phone);
    if (phone.ok) view = await consentsAsOf(ctx, phone.e164, phone.digits, at);
  }
  const d = decideRecipient(ctx.state, prepared, input.phone, at, false, view);
  await applySharedCaps(ctx, [d], at, false, [""]);
  return { allowed: d.codes.length === 0, reasons: byPrecedence(d.codes), at: new Date(at).toISOString() };
}

/** A one-recipient consent index built from the ledger events recorded up to `at`. */
async function consentsAsOf(
  ctx: AppContext,
  e164: string,
  digits: number,
  at: number,
): Promise<ConsentIndex> {
  const idx = new ConsentIndex(16, ctx.state.policy.doubleOptIn.pendingHours * 3600_000);
  for (const e of await ctx.store.ledger.eventsForRecipient(pseudonym(ctx, e164)))
    if (e.recordedAt <= at) idx.apply(digits, e);
  return idx;
}
