import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import { maskPhone, parsePhone } from "../../domain/phone/phone.js";
import type { AppContext } from "../context.js";

/**
 * A delivery receipt as a webhook's message-events feed carries it: the final outcome of one message
 * the enterprise (or, for a platform, one of its merchants) sent.
 */
export interface ReceiptEvent {
  /** The notice id (`ntc_…`): unique, and the feed's order; receivers dedupe by it. */
  id: string;
  type: "receipt";
  /** The enterprise whose message it is (a platform's feed also carries its merchants'). */
  enterpriseId: string;
  /** When the outcome was known (ISO 8601). */
  at: string;
  messageId: string;
  /** The message's status after the receipt: delivered, failed, refused, cancelled (or unknown). */
  status: string;
  /** The SMPP receipt state: DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED or UNKNOWN. */
  stat: string;
  /** The upstream's three-character error code ("000" when none). */
  err: string;
  /** Why anning refused the message, when it did (its first reason code). */
  reason?: string;
  /** The recipient, masked (`138****5678`): the sender already holds the message id. */
  phone: string;
  /** The sending number. */
  port: string;
  parts: number;
}

/** A recipient's reply (MO) to a number of the enterprise, as the message-events feed carries it. */
export interface ReplyEvent {
  /** The notice id (`ntc_…`): unique, and the feed's order; receivers dedupe by it. */
  id: string;
  type: "reply";
  /** The enterprise the reply was aimed at (a platform's feed also carries its merchants'). */
  enterpriseId: string;
  /** When anning received it (ISO 8601). */
  at: string;
  /** The recipient who replied, in full E.164: the enterprise needs it to act on the reply. */
  from: string;
  /** The number replied to (a port plus extension). */
  to: string;
  text: string;
  /** What anning did with it first: an opt-out, a confirmed double opt-in, or nothing. */
  action: "opt_out" | "opt_in_confirmed" | "nothing";
}

/** One item of the message-events feed. */
export type MessageFeedEvent = ReceiptEvent | ReplyEvent;

/** A page of the feed: the events and the cursor to ask after next (the last event's id). */
export interface MessageEventsPage {
  items: MessageFeedEvent[];
  nextCursor: string;
}

const ACTIONS: ReadonlySet<string> = new Set(["opt_out", "opt_in_confirmed", "nothing"]);

function text(v: unknown): string {
  return typeof v === "string" ? v : "";
}

function iso(v: unknown, fallback: number): string {
  return new Date(typeof v === "number" && Number.isFinite(v) ? v : fallback).toISOString();
}

/**
 * A sender notice as a webhook event. A receipt gives the recipient masked, never in full; a reply gives
 * the replying number in full (E.164), since acting on a reply needs it. The notice's id is the event's
 * id, so an event delivered twice is recognised.
 */
export function messageEventOf(n: SenderNotice): MessageFeedEvent {
  const p = n.payload;
  if (n.kind === "mo") {
    const from = text(p.from);
    const parsed = parsePhone(from);
    const action = text(p.action);
    return {
      id: n.id,
      type: "reply",
      enterpriseId: n.enterpriseId,
      at: iso(p.at, n.createdAt),
      from: parsed.ok ? parsed.e164 : from,
      to: text(p.to),
      text: text(p.text),
      action: ACTIONS.has(action) ? (action as ReplyEvent["action"]) : "nothing",
    };
  }
  const event: ReceiptEvent = {
    id: n.id,
    type: "receipt",
    enterpriseId: n.enterpriseId,
    at: iso(p.doneAt, n.createdAt),
    messageId: text(p.messageId) || (n.messageId ?? ""),
    status: text(p.status),
    stat: text(p.stat),
    err: text(p.err),
    phone: maskPhone(text(p.phone)),
    port: text(p.port),
    parts: typeof p.parts === "number" ? p.parts : 1,
  };
  if (typeof p.reason === "string") event.reason = p.reason;
  return event;
}

/**
 * The enterprises whose notices an enterprise's feed carries: itself and, for a platform, its merchants
 * — the rule the suppression feed applies (`listSuppressions`).
 */
export function feedEnterprises(ctx: AppContext, enterpriseId: string): string[] {
  const { registry } = ctx.state;
  return [...registry.enterprises.keys()].filter((id) => registry.canActFor(enterpriseId, id));
}

/**
 * An enterprise's message events after `cursor` (a notice id; "0": from the start), oldest first, at
 * most `limit`: receipts of the messages it and its merchants sent, and replies aimed at them.
 * `nextCursor` is the last event's id, or `cursor` itself when there are none.
 */
export async function listMessageEvents(
  ctx: AppContext,
  enterpriseId: string,
  cursor: string,
  limit: number,
): Promise<MessageEventsPage> {
  const notices = await ctx.store.delivery.noticesAfter(feedEnterprises(ctx, enterpriseId), cursor, limit);
  return { items: notices.map(messageEventOf), nextCursor: notices.at(-1)?.id ?? cursor };
}
