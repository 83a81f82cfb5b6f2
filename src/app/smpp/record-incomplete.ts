import type { Message } from "../../domain/messages/message.js";
import { parsePhone } from "../../domain/phone/phone.js";
import { byPrecedence } from "../../domain/policy/reason-codes.js";
import type { AppContext } from "../context.js";
import { insertWithNotice, receiptNotice, refusalNotice } from "../delivery/sender-notices.js";
import { buildMessage } from "../messaging/submit-message.js";

/** What arrived of a long message an SMPP sender split itself. */
export interface IncompleteFields {
  senderId: string;
  signature: string;
  port: string;
  phone: string;
  category: string;
  text: string;
}

/**
 * Records a long message whose parts never all arrived (or did not match) as refused with
 * MESSAGE_INCOMPLETE, under the id its parts were acknowledged with: acknowledged parts are never lost.
 * The parts in `acked` get a REJECTD receipt, queued in the same transaction as the record.
 */
export async function recordIncomplete(
  ctx: AppContext,
  f: IncompleteFields,
  messageId: string,
  parts: number,
  acked: number[],
): Promise<Message> {
  const m = partsMessage(ctx, f, messageId, parts, byPrecedence(["MESSAGE_INCOMPLETE"]));
  if (acked.length > 0) await insertWithNotice(ctx, m, refusalNotice(ctx, m, "MESSAGE_INCOMPLETE", acked));
  else await ctx.store.messages.insert(m);
  return m;
}

/**
 * Records a long message its sender cancelled (cancel_sm) before its last part came: `cancelled`, never
 * decided nor sent, with a DELETED receipt for each part acknowledged, in the same transaction.
 */
export async function recordCancelledParts(
  ctx: AppContext,
  f: IncompleteFields,
  messageId: string,
  parts: number,
  acked: number[],
): Promise<Message> {
  const m = partsMessage(ctx, f, messageId, parts, []);
  const at = m.createdAt;
  m.status = "cancelled";
  m.history = [{ status: "cancelled", at, note: "cancelled by its sender before its last part came" }];
  const notice = receiptNotice(ctx, m, {
    status: "cancelled",
    stat: "DELETED",
    err: "000",
    at,
    onlyParts: acked,
  });
  await insertWithNotice(ctx, m, notice);
  return m;
}

function partsMessage(
  ctx: AppContext,
  f: IncompleteFields,
  messageId: string,
  parts: number,
  reasons: Message["reasons"],
): Message {
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
    reasons,
    null,
    messageId,
  );
  m.parts = parts;
  // an SMPP long message: its sender holds one id per part
  m.smppParts = parts;
  return m;
}
