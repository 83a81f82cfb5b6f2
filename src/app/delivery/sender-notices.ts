import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import type { Message, MessageEvent, MessageStatus } from "../../domain/messages/message.js";
import type { InsertOutcome } from "../../domain/messages/message-store.port.js";
import type { ReasonCode } from "../../domain/policy/reason-codes.js";
import type { AppContext } from "../context.js";

/** Receipt states as SMPP receipts spell them (SMPP 3.4 Appendix B). */
export type ReceiptStat = "DELIVRD" | "UNDELIV" | "EXPIRED" | "REJECTD" | "DELETED" | "UNKNOWN";

/** A command_status as the three characters of a receipt's `err:` field (0x40E → "40E"). */
export function receiptErr(status: number): string {
  return status.toString(16).toUpperCase().padStart(3, "0").slice(-3);
}

/** What a receipt notice carries: enough to build a `deliver_sm` receipt or a webhook event. */
export type ReceiptPayload = {
  messageId: string;
  /** The message's status after this receipt (delivered, failed, refused, cancelled, unknown). */
  status: string;
  stat: ReceiptStat;
  /** Three characters: the upstream's error code ("000" when none). */
  err: string;
  /** Why anning refused it, when it did (the SMPP side writes that refusal's status into `err:`). */
  reason?: ReasonCode;
  /** The recipient (E.164) and the sending number, so the receipt can be addressed like the message. */
  phone: string;
  port: string;
  /**
   * The ids the sender holds: more than one for a long message an SMPP sender split itself, which gets
   * one receipt per part id (`<id>-<k>`); else 1, the message id.
   */
  parts: number;
  /** Only these parts (1-based), when not all of them (earlier parts of a refused long message). */
  onlyParts?: number[];
  submittedAt: number;
  doneAt: number;
  /** The first 20 characters of the text, as receipts carry them. */
  text: string;
};

/** A reply from a recipient, forwarded to the enterprise it was aimed at. */
export interface MoPayload {
  from: string;
  to: string;
  text: string;
  /** What anning did with it first: opt_out, opt_in_confirmed or nothing. */
  action: string;
  at: number;
}

/**
 * The ids a sender holds for the parts of a message: the message id for one part; `<id>-<k>` for part k
 * of a long message an SMPP sender split itself (each part's `submit_sm_resp` carried one).
 */
export function senderPartIds(messageId: string, parts: number): string[] {
  if (parts <= 1) return [messageId];
  return Array.from({ length: parts }, (_, i) => `${messageId}-${i + 1}`);
}

/** What a receipt says, beside the message it is about. */
export interface ReceiptFacts {
  status: string;
  stat: ReceiptStat;
  err: string;
  at: number;
  onlyParts?: number[];
  reason?: ReasonCode;
}

/** The first `n` characters (code points) of `s`. */
function firstCodePoints(s: string, n: number): string {
  let end = 0;
  for (let k = 0; k < n && end < s.length; k++) end += (s.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  return s.slice(0, end);
}

/** The sender's receipt notice for message `m` (not yet stored). */
export function receiptNotice(ctx: AppContext, m: Message, r: ReceiptFacts): SenderNotice {
  const payload: ReceiptPayload = {
    messageId: m.id,
    status: r.status,
    stat: r.stat,
    err: r.err,
    phone: m.phone,
    port: m.port,
    // the ids the sender holds: an SMPP sender's parts when it split the message itself, else the id
    parts: m.smppParts ?? 1,
    submittedAt: m.createdAt,
    doneAt: r.at,
    text: firstCodePoints(m.text, 20),
  };
  if (r.onlyParts) payload.onlyParts = r.onlyParts;
  if (r.reason) payload.reason = r.reason;
  return {
    id: ctx.ids.next("ntc"),
    enterpriseId: m.senderId,
    kind: "receipt",
    messageId: m.id,
    payload,
    createdAt: r.at,
    // a message that did not come over SMPP is told of by webhook only: its sender's SMPP binds hold
    // no id for it, so the receipt is never pending for them
    smppDeliveredAt: m.smppParts === undefined ? r.at : null,
  };
}

/**
 * The REJECTD receipt for a message anning refused as it arrived (`onlyParts`: the parts acknowledged
 * before it was refused, when not all); the sender's SMPP binds learn of the refusal by it.
 */
export function refusalNotice(
  ctx: AppContext,
  m: Message,
  reason: ReasonCode | undefined,
  onlyParts?: number[],
): SenderNotice {
  return receiptNotice(ctx, m, {
    status: "refused",
    stat: "REJECTD",
    err: "000",
    at: ctx.clock.now(),
    ...(onlyParts ? { onlyParts } : {}),
    ...(reason ? { reason } : {}),
  });
}

/**
 * Records message `m` with its sender's `notice` in one transaction (a crash between two commits would
 * leave a recorded refusal its sender never hears of), then wakes the notice pushers.
 */
export async function insertWithNotice(
  ctx: AppContext,
  m: Message,
  notice: SenderNotice,
): Promise<InsertOutcome> {
  const out = await ctx.store.messages.insertNotifying(m, notice);
  if (out.inserted) ctx.onNotice?.(m.senderId);
  return out;
}

/**
 * Moves message `id` to `event.status` (from one of `from`) and queues its sender's receipt in the same
 * transaction: the new status and the notice of it are durable together or not at all (a crash between
 * two commits would otherwise leave a settled message whose sender never hears of it, since a repeated
 * receipt finds the message settled already). Returns the moved message, or null when its status did
 * not match (nothing queued then).
 */
export async function transitionWithReceipt(
  ctx: AppContext,
  id: string,
  from: readonly MessageStatus[],
  event: MessageEvent,
  receipt: Omit<ReceiptFacts, "at" | "status">,
  patch?: { reasons?: Message["reasons"] },
): Promise<Message | null> {
  const facts = { ...receipt, status: event.status, at: event.at };
  const m = await ctx.store.messages.transitionNotifying(
    id,
    from,
    event.status,
    event,
    (moved) => receiptNotice(ctx, moved, facts),
    patch,
  );
  if (m) ctx.onNotice?.(m.senderId);
  return m;
}

/** Queues a recipient's reply for the enterprises it is aimed at. */
export async function queueMo(
  ctx: AppContext,
  enterpriseIds: readonly string[],
  mo: MoPayload,
): Promise<void> {
  if (enterpriseIds.length === 0) return;
  await ctx.store.delivery.addNotices(
    enterpriseIds.map((enterpriseId) => ({
      id: ctx.ids.next("ntc"),
      enterpriseId,
      kind: "mo" as const,
      messageId: null,
      payload: { ...mo },
      createdAt: mo.at,
      smppDeliveredAt: null,
    })),
  );
  for (const e of enterpriseIds) ctx.onNotice?.(e);
}
