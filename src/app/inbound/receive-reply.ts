import { parsePhone } from "../../domain/phone/phone.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, ADMIN, type AppContext, actingTime } from "../context.js";
import { queueMo } from "../delivery/sender-notices.js";
import { handleInbound, type InboundInput, type InboundResult } from "./handle-inbound.js";
import { enterprisesForReply } from "./reply-target.js";

export type ReplyInput = InboundInput;

export type ReplyResult = InboundResult & { forwardedTo: string[] };

/**
 * A reply (MO) that arrived from a carrier: opt-out and opt-in keywords take effect first (through the
 * inbound use case), then the reply is queued for the enterprises it is aimed at (their SMPP receiver
 * binds and webhooks). A reply to a number anning does not know, or from an invalid number, is dropped
 * with nothing recorded: the carrier must not be asked to send it again.
 */
export async function receiveReply(ctx: AppContext, input: ReplyInput): Promise<ReplyResult> {
  try {
    return await handleReply(ctx, ADMIN, input);
  } catch (err) {
    if (err instanceof DomainError && (err.code === "NOT_FOUND" || err.code === "RECIPIENT_INVALID"))
      return { action: "nothing", forwardedTo: [] };
    throw err;
  }
}

/**
 * A reply handed to anning by `actor` (the admin, or the provider holding the port, through the HTTP
 * API): the keywords take effect, then the reply is forwarded like one from a carrier. An unknown port or
 * an invalid number is a DomainError (NOT_FOUND, RECIPIENT_INVALID), and nothing is recorded.
 */
export async function handleReply(ctx: AppContext, actor: Actor, input: ReplyInput): Promise<ReplyResult> {
  const result = await handleInbound(ctx, actor, input);
  const from = parsePhone(input.from);
  const to = input.to.replace(/[\s-]/g, "");
  const port = ctx.state.registry.portOfNumber(to);
  if (!from.ok || !port) return { ...result, forwardedTo: [] };
  const target = await enterprisesForReply(ctx, port, to, from.e164);
  await queueMo(ctx, target.enterpriseIds, {
    from: from.e164,
    to,
    text: input.text,
    action: result.action,
    at: actingTime(ctx, input.at),
  });
  return { ...result, forwardedTo: target.enterpriseIds };
}
