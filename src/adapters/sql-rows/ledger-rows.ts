import type { ConsentEvent, ConsentEventType } from "../../domain/consent/consent.js";
import type { ScannedEvent } from "../../domain/consent/ledger-store.port.js";
import { num, numOrNull, type Row, str, strOrNull } from "./row-values.js";

/** A consent_events row → ConsentEvent. */
export function toEvent(r: Row): ConsentEvent {
  return {
    id: str(r.id),
    consentId: strOrNull(r.consent_id),
    recipientId: str(r.recipient_id),
    enterpriseId: strOrNull(r.enterprise_id),
    category: str(r.category),
    type: str(r.type) as ConsentEventType,
    method: strOrNull(r.method),
    capturedAt: numOrNull(r.captured_at),
    recordedAt: num(r.recorded_at),
    source: strOrNull(r.source),
    noticeText: strOrNull(r.notice_text),
    expiresAt: numOrNull(r.expires_at),
    channel: strOrNull(r.channel),
    actor: str(r.actor),
    seq: num(r.seq),
    shard: num(r.shard),
    shardSeq: num(r.shard_seq),
    prevHash: str(r.prev_hash),
    hash: str(r.hash),
  };
}

/** A consent_events row with its recipient's number (joined, or carried) → ScannedEvent. */
export function toScanned(r: Row): ScannedEvent {
  return { ...toEvent(r), phone: strOrNull(r.phone) };
}
