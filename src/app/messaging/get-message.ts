import { DomainError } from "../../domain/shared/domain-error.js";
import type { Actor, AppContext } from "../context.js";
import { senderPartIds } from "../delivery/sender-notices.js";
import { checkLimit } from "../page-limit.js";
import { messageView } from "./send-request.js";

/** `<message id>-<k>`: the id an SMPP sender holds for part k of a long message it split itself. */
const PART_ID = /^(msg_[0-9a-z]{1,40})-([1-9][0-9]{0,5})$/;

/**
 * One message with its history, if the actor sent it (or is its sender's platform, or the admin). Any id
 * a sender was given finds it: the message id, or `<id>-<k>` for part k of a long message an SMPP sender
 * split itself (each part's `submit_sm_resp` and receipt carry one); a part the message does not have
 * is not found.
 */
export async function getMessage(ctx: AppContext, actor: Actor, id: string) {
  const part = PART_ID.exec(id);
  const m = await ctx.store.messages.get(part?.[1] ?? id);
  const held = m !== null && (!part || senderPartIds(m.id, m.smppParts ?? 0).includes(id));
  if (
    !m ||
    !held ||
    (actor.kind === "enterprise" && !ctx.state.registry.canActFor(actor.enterpriseId, m.senderId))
  )
    throw new DomainError("NOT_FOUND", "no such message");
  return messageView(m);
}

/**
 * The caller's messages (a platform's: its merchants' too; the admin's: all), oldest first after a
 * cursor (a message id), numbers masked. An SMPP sender finds here the messages it was refused, whose
 * `submit_sm_resp` carried no id.
 */
export async function listMessages(
  ctx: AppContext,
  actor: Actor,
  input: { cursor?: string; limit?: number },
) {
  const after = input.cursor ?? "";
  if (after !== "" && !/^msg_[0-9a-z]{1,40}$/.test(after))
    throw new DomainError("VALIDATION_FAILED", "cursor is not a message id", { field: "cursor" });
  const limit = checkLimit(input.limit, 100, 1000);
  const scope =
    actor.kind === "admin"
      ? ("all" as const)
      : [...ctx.state.registry.enterprises.keys()].filter((id) =>
          ctx.state.registry.canActFor(actor.enterpriseId, id),
        );
  const items = await ctx.store.messages.listBySenders(scope, after, limit);
  return { items: items.map(messageView), nextCursor: items.at(-1)?.id ?? after };
}
