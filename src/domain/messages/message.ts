import type { Reason } from "../policy/reason-codes.js";
import type { Category } from "../shared/categories.js";

/**
 * Life of a message: accepted (in the outbox) → dispatching (handed over, outcome pending) → sent →
 * delivered | failed; or refused at any point before hand-over; or cancelled by its sender while still
 * accepted (never handed over); or unknown when a crash hid the outcome of a hand-over (settled later by
 * a receipt or an operator, never resent blindly).
 */
export type MessageStatus =
  | "accepted"
  | "cancelled"
  | "dispatching"
  | "sent"
  | "delivered"
  | "failed"
  | "refused"
  | "unknown";

export interface MessageEvent {
  status: MessageStatus;
  at: number;
  reasons?: Reason[];
  note?: string;
}

export interface Message {
  id: string;
  senderId: string;
  /** Resolved signature id, null when it did not resolve. */
  signatureId: string | null;
  /** The signature as the caller gave it. */
  signature: string;
  /** The sending number as given (port plus extension), or the port id. */
  port: string;
  portId: string | null;
  /** E.164 when valid; otherwise the raw input (kept for the sender's record, masked in every output). */
  phone: string;
  text: string;
  category: Category;
  status: MessageStatus;
  reasons: Reason[];
  campaignId: string | null;
  idempotencyKey: string | null;
  /** Number of SMS parts the text splits into (billing and metrics; caps count messages). */
  parts: number;
  /**
   * Submitted over SMPP: how many ids the sender holds for it, which its receipts name. 1 for a
   * `submit_sm` (its message id, however many parts the text goes out in, `message_payload` included);
   * k for a long message the sender split itself (UDH or SAR), each part acknowledged as `<id>-<k>`.
   * Absent for messages that did not come over SMPP (HTTP, campaigns, anning's own): their receipts go
   * to webhooks, not to SMPP binds.
   */
  smppParts?: number;
  createdAt: number;
  updatedAt: number;
  /** The dispatcher takes it no earlier than this (quiet hours, scheduled campaigns). */
  notBefore: number;
  /** After this time an undispatched message is refused with MESSAGE_EXPIRED. */
  validUntil: number;
  upstreamId: string | null;
  history: MessageEvent[];
}

/**
 * Parts a text needs: GSM-7 texts 160 chars (153 per part when split), anything else UCS-2,
 * 70 chars (67 per part). Counts UTF-16 code units for UCS-2, as SMS does.
 */
export function smsParts(text: string): number {
  const gsm = /^[\x20-\x7E\n\r£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€]*$/.test(text);
  const len = text.length;
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  if (len <= single) return 1;
  return Math.ceil(len / multi);
}
