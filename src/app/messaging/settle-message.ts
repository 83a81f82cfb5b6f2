import type { Message } from "../../domain/messages/message.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, assertAdmin } from "../context.js";
import { transitionWithReceipt } from "../delivery/sender-notices.js";

export interface SettleInput {
  status: "delivered" | "failed";
  /** What the operator learned, e.g. "carrier confirmed by phone" (no personal data). */
  note?: string;
}

/**
 * The operator settles a message whose hand-over outcome is unknown (the process died with its
 * `submit_sm` in flight and no receipt came): it is never resent, only recorded as delivered or failed.
 * The sender gets the receipt it would have had.
 */
export async function settleMessage(
  ctx: AppContext,
  actor: Actor,
  id: string,
  input: SettleInput,
): Promise<Message> {
  assertAdmin(actor);
  if (input.status !== "delivered" && input.status !== "failed")
    throw new DomainError("VALIDATION_FAILED", "status must be delivered or failed", { field: "status" });
  const at = ctx.clock.now();
  const note = `settled by the operator${input.note ? `: ${input.note.slice(0, 200)}` : ""}`;
  const event = { status: input.status, at, note };
  if (!(await ctx.store.messages.get(id))) throw new DomainError("NOT_FOUND", "no such message");
  // the settlement and the sender's receipt commit together
  const m = await transitionWithReceipt(ctx, id, ["unknown"], event, {
    stat: input.status === "delivered" ? "DELIVRD" : "UNDELIV",
    err: "000",
  });
  if (!m) throw new DomainError("INVALID_STATE", "only a message whose outcome is unknown can be settled");
  return m;
}
