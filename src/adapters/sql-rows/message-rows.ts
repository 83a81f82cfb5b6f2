import type { Message, MessageEvent, MessageStatus } from "../../domain/messages/message.js";
import { REASON_CODES, type Reason, type ReasonCode, reason } from "../../domain/policy/reason-codes.js";
import { json, num, type Row, str, strOrNull } from "./row-values.js";

/**
 * A reason as stored: its bare code when the message is the standard sentence (the usual case, which
 * keeps refused rows small), the whole object otherwise. Both stores keep reasons and history so.
 */
type StoredReason = string | Reason;
type StoredEvent = Omit<MessageEvent, "reasons"> & { reasons?: StoredReason[] };

const KNOWN_CODES: ReadonlySet<string> = new Set(REASON_CODES);

function packReasons(rs: readonly Reason[]): StoredReason[] {
  return rs.map((r) => (KNOWN_CODES.has(r.code) && r.message === reason(r.code).message ? r.code : r));
}

function unpackReasons(rs: readonly StoredReason[]): Reason[] {
  return rs.map((r) => (typeof r === "string" ? reason(r as ReasonCode) : r));
}

/** JSON text of a reason list; "[]" for none. */
export function reasonsJson(rs: readonly Reason[]): string {
  return rs.length === 0 ? "[]" : JSON.stringify(packReasons(rs));
}

/** One history event as JSON; the common bare {status, at} without a generic stringify. */
export function eventJson(e: MessageEvent): string {
  if (e.reasons === undefined && e.note === undefined)
    return `{"status":${JSON.stringify(e.status)},"at":${JSON.stringify(e.at)}}`;
  return JSON.stringify(e.reasons === undefined ? e : { ...e, reasons: packReasons(e.reasons) });
}

/** JSON text of a history. */
export function historyJson(h: readonly MessageEvent[]): string {
  if (h.length === 1 && h[0] !== undefined) return `[${eventJson(h[0])}]`;
  return `[${h.map(eventJson).join(",")}]`;
}

function unpackEvent(e: StoredEvent): MessageEvent {
  return e.reasons === undefined ? (e as MessageEvent) : { ...e, reasons: unpackReasons(e.reasons) };
}

/** A stored reason list (JSON text, or jsonb pg already parsed) → reasons. */
export function parseReasons(v: unknown): Reason[] {
  return v === "[]" ? [] : unpackReasons(json<StoredReason[]>(v));
}

/** A stored history (JSON text, or jsonb pg already parsed) → events. */
export function parseHistory(v: unknown): MessageEvent[] {
  return json<StoredEvent[]>(v).map(unpackEvent);
}

/** A message row → Message. */
export function toMessage(r: Row): Message {
  return {
    id: str(r.id),
    senderId: str(r.sender_id),
    signatureId: strOrNull(r.signature_id),
    signature: str(r.signature),
    port: str(r.port),
    portId: strOrNull(r.port_id),
    phone: str(r.phone),
    text: str(r.text),
    category: str(r.category),
    status: str(r.status) as MessageStatus,
    reasons: parseReasons(r.reasons),
    campaignId: strOrNull(r.campaign_id),
    idempotencyKey: strOrNull(r.idempotency_key),
    parts: num(r.parts),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    notBefore: num(r.not_before),
    validUntil: num(r.valid_until),
    upstreamId: strOrNull(r.upstream_id),
    history: parseHistory(r.history),
    ...smppPartsOf(r.smpp_parts),
  };
}

/** `smppParts` as a message carries it: only for a message submitted over SMPP (stored 0 otherwise). */
function smppPartsOf(v: unknown): { smppParts?: number } {
  const n = num(v);
  return n > 0 ? { smppParts: n } : {};
}

/** The columns of `messages`, in the order {@link messageValues} gives and {@link messageFromValues} reads. */
export const MESSAGE_COLUMNS =
  "id, sender_id, signature_id, signature, port, port_id, phone, text, category, status, reasons, " +
  "campaign_id, idempotency_key, parts, created_at, updated_at, not_before, valid_until, upstream_id, history, " +
  "smpp_parts";

/**
 * A message from its column values in MESSAGE_COLUMNS order (a row read as an array: building it is
 * about half the cost of a row object with named keys, which a driver builds one property at a time).
 */
export function messageFromValues(v: readonly unknown[]): Message {
  return {
    id: str(v[0]),
    senderId: str(v[1]),
    signatureId: strOrNull(v[2]),
    signature: str(v[3]),
    port: str(v[4]),
    portId: strOrNull(v[5]),
    phone: str(v[6]),
    text: str(v[7]),
    category: str(v[8]),
    status: str(v[9]) as MessageStatus,
    reasons: parseReasons(v[10]),
    campaignId: strOrNull(v[11]),
    idempotencyKey: strOrNull(v[12]),
    parts: num(v[13]),
    createdAt: num(v[14]),
    updatedAt: num(v[15]),
    notBefore: num(v[16]),
    validUntil: num(v[17]),
    upstreamId: strOrNull(v[18]),
    history: parseHistory(v[19]),
    ...smppPartsOf(v[20]),
  };
}

/** One message's column values in MESSAGE_COLUMNS order, the order both stores write them. */
export function messageValues(m: Message): Array<string | number | null> {
  return [
    m.id,
    m.senderId,
    m.signatureId,
    m.signature,
    m.port,
    m.portId,
    m.phone,
    m.text,
    m.category,
    m.status,
    reasonsJson(m.reasons),
    m.campaignId,
    m.idempotencyKey,
    m.parts,
    m.createdAt,
    m.updatedAt,
    m.notBefore,
    m.validUntil,
    m.upstreamId,
    historyJson(m.history),
    m.smppParts ?? 0,
  ];
}

/** Oldest due first, as the outbox index orders claims (both stores sort what a claim returned so). */
export function byDue(a: Message, b: Message): number {
  if (a.notBefore !== b.notBefore) return a.notBefore - b.notBefore;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
