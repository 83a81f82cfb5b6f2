import type { Message } from "../../domain/messages/message.js";
import { parsePhone } from "../../domain/phone/phone.js";
import { byPrecedence } from "../../domain/policy/reason-codes.js";
import type { AppContext } from "../context.js";
import { insertWithNotice, refusalNotice } from "../delivery/sender-notices.js";
import { buildMessage } from "../messaging/submit-message.js";

/**
 * Records a long message whose parts never all arrived (or did not match) as refused with
 * MESSAGE_INCOMPLETE, under the id its parts were acknowledged with: acknowledged parts are never lost.
 * The parts in `acked` get a REJECTD receipt, queued in the same transaction as the record.
 */
export async function recordIncomplete(
  ctx: AppContext,
  f: { senderId: string; signature: string; port: string; phone: string; category: string; text: string },
  messageId: string,
  parts: number,
  acked: number[],
): Promise<Message> {
  const reg = ctx.state.registry;
  const phone = parsePhone(f.phone);
  const signature = reg.resolveSignature(f.signature);
  const port = reg.portOfNumber(f.port);
  const at = ctx.clock.now();
  const m = buildMessage(
    ctx,
    f,
    at,
    phone.ok ? phone.e164 : f.phone,
    signature?.id ?? null,
    port?.id ?? null,
    byPrecedence(["MESSAGE_INCOMPLETE"]),
    null,
    messageId,
  );
  m.parts = parts;
  // an SMPP long message: its sender holds one id per part
  m.smppParts = parts;
  if (acked.length > 0) await insertWithNotice(ctx, m, refusalNotice(ctx, m, "MESSAGE_INCOMPLETE", acked));
  else await ctx.store.messages.insert(m);
  return m;
}
