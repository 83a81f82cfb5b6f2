import type { WebhookSubscription } from "../../domain/webhooks/webhook-store.port.js";
import { num, type Row, str, strOrNull } from "./row-values.js";

/** Webhook rows (same columns in SQLite and PostgreSQL) as domain objects. */

export function toSubscription(r: Row): WebhookSubscription {
  return {
    enterpriseId: str(r.enterprise_id),
    url: str(r.url),
    secret: str(r.secret),
    cursor: str(r.cursor),
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    lastError: strOrNull(r.last_error),
    noticesCursor: str(r.notices_cursor),
    noticesAttempts: num(r.notices_attempts),
    noticesNextAttemptAt: num(r.notices_next_attempt_at),
    noticesLastError: strOrNull(r.notices_last_error),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}
