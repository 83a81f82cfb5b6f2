import { parsePhone } from "../../domain/phone/phone.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { ADMIN, type AppContext } from "../context.js";
import { queueMo } from "../delivery/sender-notices.js";
import { handleInbound, type InboundResult } from "./handle-inbound.js";
import { enterprisesForReply } from "./reply-target.js";

export interface ReplyInput {
  from: string;
  to: string;
  text: string;
}

export type ReplyResult = InboundResult & { forwardedTo: string[] };

/**
 * A reply (MO) that arrived from a carrier: opt-out and opt-in keywords take effect first (through the
 * inbound use case), then the reply is queued for the enterprises it is aimed at (their SMPP receiver
 * binds and webhooks). A reply to a number anning does not know, or from an invalid number, is dropped
 * with nothing recorded: the carrier must not be asked to send it again.
 */
export async function receiveReply(ctx: AppContext, input: ReplyInput): Promise<ReplyResult> {
  let result: InboundResult;
  try {
    result = await handleInbound(ctx, ADMIN, input);
  } catch (err) {
    if (err instanceof DomainError && (err.code === "NOT_FOUND" || err.code === "RECIPIENT_INVALID"))
      return { action: "nothing", forwardedTo: [] };
    throw err;
  }
  const from = parsePhone(input.from);
  const to = input.to.replace(/[\s-]/g, "");
  const port = ctx.state.registry.portOfNumber(to);
  if (!from.ok || !port) return { ...result, forwardedTo: [] };
  const target = await enterprisesForReply(ctx, port, to, from.e164);
  const at = ctx.clock.now();
  await queueMo(ctx, target.enterpriseIds, {
    from: from.e164,
    to,
    text: input.text,
    action: result.action,
    at,
  });
  return { ...result, forwardedTo: target.enterpriseIds };
}
