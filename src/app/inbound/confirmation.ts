import type { AppContext } from "../context.js";
import { buildMessage } from "../messaging/submit-message.js";

/** Category of the confirmation anning itself sends after an opt-out; callers cannot use it. */
export const SYSTEM_OPT_OUT_CONFIRMATION = "system.opt_out_confirmation";

import type { ReplyTarget } from "./reply-target.js";

/** A recipient who replies TD again within this gets no second confirmation from the same number. */
const CONFIRMATION_QUIET_MS = 86_400_000;

/**
 * Queues the one confirmation SMS an opt-out earns, as a system message from the same number under the
 * signature the recipient knows. Returns its message id, or null when no signature is known for the port,
 * or when the last message to the recipient from this number was such a confirmation, less than a day
 * ago (a second TD is recorded like the first, but is not answered again: anning must not become the
 * source of unwanted texts).
 */
export async function queueConfirmation(
  ctx: AppContext,
  target: ReplyTarget,
  to: string,
  e164: string,
  at: number,
): Promise<string | null> {
  const sig = target.signatureId ? ctx.state.registry.signatures.get(target.signatureId) : undefined;
  if (!sig || !target.senderId) return null;
  const latest = await ctx.store.messages.latestToRecipient(e164, to);
  if (latest?.category === SYSTEM_OPT_OUT_CONFIRMATION && at - latest.createdAt < CONFIRMATION_QUIET_MS)
    return null;
  const text = `【${sig.text}】${ctx.state.policy.optOutConfirmation.text}`;
  const m = buildMessage(
    ctx,
    { senderId: target.senderId, signature: sig.id, port: to, text, category: SYSTEM_OPT_OUT_CONFIRMATION },
    at,
    e164,
    sig.id,
    ctx.state.registry.portOfNumber(to)?.id ?? null,
    [],
  );
  m.history[0] = { status: "accepted", at, note: "opt-out confirmation" };
  await ctx.store.messages.insert(m);
  for (const wake of ctx.onAccepted) wake();
  return m.id;
}
