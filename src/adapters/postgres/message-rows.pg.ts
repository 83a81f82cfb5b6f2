import type { Message, MessageEvent } from "../../domain/messages/message.js";
import { eventJson, MESSAGE_COLUMNS, messageValues } from "../sql-rows/message-rows.js";

export {
  byDue,
  historyJson,
  MESSAGE_COLUMNS,
  reasonsJson,
  toMessage,
} from "../sql-rows/message-rows.js";

/** One event as a one-element JSON array, to append to a stored history with `history || $n::jsonb`. */
export function appendedEventJson(e: MessageEvent): string {
  return `[${eventJson(e)}]`;
}

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
  "int4",
] as const;

/** One message's column values in MESSAGE_COLUMNS order, as bound parameters. */
export const messageParams = messageValues;

/**
 * Inserts one message ($1…$21 in MESSAGE_COLUMNS order) and, when it has an idempotency key, the key,
 * in one statement: the message goes in only if the key did. No row back means the key existed.
 */
export const INSERT_WITH_KEY_SQL = `
  WITH k AS (
    INSERT INTO message_idempotency_keys (sender_id, idempotency_key, message_id) VALUES ($2, $13, $1)
    ON CONFLICT DO NOTHING RETURNING 1
  )
  INSERT INTO messages (${MESSAGE_COLUMNS})
  SELECT ${COLUMN_TYPES.map((t, i) => `$${i + 1}::${t}`).join(", ")} FROM k`;

/** Inserts a batch given as one array per column ($1…$21, MESSAGE_COLUMNS order). */
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
