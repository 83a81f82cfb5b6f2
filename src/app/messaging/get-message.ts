import { DomainError } from "../../domain/shared/domain-error.js";
import type { Actor, AppContext } from "../context.js";
import { messageView } from "./send-request.js";

/** One message with its history, if the actor sent it (or is its sender's platform, or the admin). */
export async function getMessage(ctx: AppContext, actor: Actor, id: string) {
  const m = await ctx.store.messages.get(id);
  if (!m || (actor.kind === "enterprise" && !ctx.state.registry.canActFor(actor.enterpriseId, m.senderId)))
    throw new DomainError("NOT_FOUND", "no such message");
  return messageView(m);
}
