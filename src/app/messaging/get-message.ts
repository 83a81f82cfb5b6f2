import type { Message } from "../../domain/messages/message.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { Actor, AppContext } from "../context.js";
import { senderPartIds } from "../delivery/sender-notices.js";
import { checkLimit } from "../page-limit.js";
import { messageView } from "./send-request.js";

/** `<message id>-<k>`: the id an SMPP sender holds for part k of a long message it split itself. */
const PART_ID = /^(msg_[0-9a-z]{1,40})-([1-9][0-9]{0,5})$/;

/** Whom {@link findMessage} finds messages for. */
export interface FindScope {
  /**
   * Only the actor's own messages, not those of the merchants a platform acts for: an SMPP bind holds ids
   * of its own enterprise's messages only.
   */
  ownOnly?: boolean;
}

/**
 * The message any id a sender was given names, if the actor sent it (or is its sender's platform, or the
 * admin): the message id, or `<id>-<k>` for part k of a long message an SMPP sender split itself (each
 * part's `submit_sm_resp` and receipt carry one); a part the message does not have is not found. Another
 * enterprise's message is NOT_FOUND, like a missing one: never a hint that it exists.
 */
export async function findMessage(
  ctx: AppContext,
  actor: Actor,
  id: string,
  scope: FindScope = {},
): Promise<Message> {
  const part = PART_ID.exec(id);
  const m = await ctx.store.messages.get(part?.[1] ?? id);
  const held = m !== null && (!part || senderPartIds(m.id, m.smppParts ?? 0).includes(id));
  const mine =
    actor.kind === "admin" ||
    (m !== null &&
      (scope.ownOnly
        ? m.senderId === actor.enterpriseId
        : ctx.state.registry.canActFor(actor.enterpriseId, m.senderId)));
  if (!m || !held || !mine) throw new DomainError("NOT_FOUND", "no such message");
  return m;
}

/** One message with its history, number masked, by any id {@link findMessage} takes. */
export async function getMessage(ctx: AppContext, actor: Actor, id: string) {
  return messageView(await findMessage(ctx, actor, id));
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
