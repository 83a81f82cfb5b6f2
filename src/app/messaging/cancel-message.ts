import type { Message } from "../../domain/messages/message.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { Actor, AppContext } from "../context.js";
import { releaseMessageCaps } from "../counters/release-message-caps.js";
import { transitionWithReceipt } from "../delivery/sender-notices.js";
import { type FindScope, findMessage } from "./get-message.js";

/**
 * Cancels a message not yet handed to a carrier: one still `accepted` in the outbox (scheduled, held by
 * quiet hours, waiting for a retry or its turn). It becomes `cancelled`, final, with a history event
 * naming who cancelled it, and its sender gets a receipt (`stat:DELETED`, SMPP `message_state` DELETED;
 * the webhook's receipt event says status `cancelled`) in the same transaction. The move is a
 * compare-and-set on `accepted` in the store: a dispatcher claiming the message at the same moment either
 * takes it first (the cancel fails) or finds it gone from the outbox. The frequency-cap unit it took when
 * accepted is given back (it never reaches the recipient), so a corrected message may follow.
 *
 * `id` is any id the sender holds ({@link findMessage}): a part id `msg_…-k` cancels the whole message.
 *
 * @throws DomainError NOT_FOUND when there is no such message of the actor's (another enterprise's
 * included); INVALID_STATE when it was handed over already, or is final.
 * @example await cancelMessage(ctx, { kind: "enterprise", enterpriseId }, "msg_…", { ownOnly: true })
 */
export async function cancelMessage(
  ctx: AppContext,
  actor: Actor,
  id: string,
  scope: FindScope = {},
): Promise<Message> {
  const m = await findMessage(ctx, actor, id, scope);
  const at = ctx.clock.now();
  const note = actor.kind === "admin" ? "cancelled by the operator" : "cancelled by its sender";
  const moved = await transitionWithReceipt(
    ctx,
    m.id,
    ["accepted"],
    { status: "cancelled", at, note },
    { stat: "DELETED", err: "000" },
  );
  if (!moved)
    throw new DomainError("INVALID_STATE", "only a message not yet handed to a carrier can be cancelled");
  await releaseMessageCaps(ctx, moved);
  return moved;
}
