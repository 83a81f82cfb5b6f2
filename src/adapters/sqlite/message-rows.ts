import type Database from "better-sqlite3";
import type { Message } from "../../domain/messages/message.js";
import { messageValues } from "../sql-rows/message-rows.js";

export {
  byDue,
  eventJson,
  historyJson,
  MESSAGE_COLUMNS,
  messageFromValues,
  parseHistory,
  parseReasons,
  reasonsJson,
} from "../sql-rows/message-rows.js";

/** The one INSERT every message goes through (single inserts, insertMany, campaign chunks). */
export function prepareMessageInsert(db: Database.Database): Database.Statement {
  return db.prepare(
    `INSERT INTO messages (id, sender_id, signature_id, signature, port, port_id, phone, text, category, status,
       reasons, campaign_id, idempotency_key, parts, created_at, updated_at, not_before, valid_until, upstream_id,
       history, smpp_parts)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
}

/** Runs the insert statement for one message (positional binding: the fastest better-sqlite3 offers). */
export function runMessageInsert(stmt: Database.Statement, m: Message): void {
  stmt.run(...messageValues(m));
}
