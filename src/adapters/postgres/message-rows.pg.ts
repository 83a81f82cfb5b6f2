import type { Message, MessageEvent, MessageStatus } from "../../domain/messages/message.js";
import { REASON_CODES, type Reason, type ReasonCode, reason } from "../../domain/policy/reason-codes.js";
import { json, num, type Row, str, strOrNull } from "./pg-util.js";

/**
 * A reason as stored: its bare code when the message is the standard sentence (the usual case, which
 * keeps refused rows small), the whole object otherwise. The same packing as SQLite's.
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
function eventJson(e: MessageEvent): string {
  if (e.reasons === undefined && e.note === undefined)
    return `{"status":${JSON.stringify(e.status)},"at":${JSON.stringify(e.at)}}`;
  return JSON.stringify(e.reasons === undefined ? e : { ...e, reasons: packReasons(e.reasons) });
}

/** JSON text of a history. */
export function historyJson(h: readonly MessageEvent[]): string {
  if (h.length === 1 && h[0] !== undefined) return `[${eventJson(h[0])}]`;
  return `[${h.map(eventJson).join(",")}]`;
}

/** One event as a one-element JSON array, to append to a stored history with `history || $n::jsonb`. */
export function appendedEventJson(e: MessageEvent): string {
  return `[${eventJson(e)}]`;
}

function unpackEvent(e: StoredEvent): MessageEvent {
  return e.reasons === undefined ? (e as MessageEvent) : { ...e, reasons: unpackReasons(e.reasons) };
}

/** A message row (jsonb columns already parsed by pg) → Message. */
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
    reasons: unpackReasons(json<StoredReason[]>(r.reasons)),
    campaignId: strOrNull(r.campaign_id),
    idempotencyKey: strOrNull(r.idempotency_key),
    parts: num(r.parts),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    notBefore: num(r.not_before),
    validUntil: num(r.valid_until),
    upstreamId: strOrNull(r.upstream_id),
    history: json<StoredEvent[]>(r.history).map(unpackEvent),
  };
}

/** The columns of `messages`, in the order every insert below writes them. */
export const MESSAGE_COLUMNS =
  "id, sender_id, signature_id, signature, port, port_id, phone, text, category, status, reasons, " +
  "campaign_id, idempotency_key, parts, created_at, updated_at, not_before, valid_until, upstream_id, history";

/** The SQL types of MESSAGE_COLUMNS, in order (for casts of bound parameters). */
const COLUMN_TYPES = [
  "text",
  "text",
  "text",
  "text",
  "text",
  "text",
  "text",
  "text",
  "text",
  "text",
  "jsonb",
  "text",
  "text",
  "int4",
  "int8",
  "int8",
  "int8",
  "int8",
  "text",
  "jsonb",
] as const;

/** One message's column values in MESSAGE_COLUMNS order, as bound parameters. */
export function messageParams(m: Message): Array<string | number | null> {
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
  ];
}

/**
 * Inserts one message ($1…$20 in MESSAGE_COLUMNS order) and, when it has an idempotency key, the key,
 * in one statement: the message goes in only if the key did. No row back means the key existed.
 */
export const INSERT_WITH_KEY_SQL = `
  WITH k AS (
    INSERT INTO message_idempotency_keys (sender_id, idempotency_key, message_id) VALUES ($2, $13, $1)
    ON CONFLICT DO NOTHING RETURNING 1
  )
  INSERT INTO messages (${MESSAGE_COLUMNS})
  SELECT ${COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}`).join(", ")} FROM k`;

/** Inserts a batch given as one array per column ($1…$20, MESSAGE_COLUMNS order). */
export const INSERT_UNNEST_SQL = `
  INSERT INTO messages (${MESSAGE_COLUMNS})
  SELECT * FROM unnest(${COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(", ")})`;

/** A batch as one array per column, for INSERT_UNNEST_SQL. */
export function unnestParams(ms: readonly Message[]): Array<Array<string | number | null>> {
  const cols: Array<Array<string | number | null>> = COLUMN_TYPES.map(() => new Array(ms.length));
  ms.forEach((m, i) => {
    messageParams(m).forEach((v, c) => {
      (cols[c] as Array<string | number | null>)[i] = v;
    });
  });
  return cols;
}
