/** Webhook subscriptions, one per enterprise, with their delivery state (times in epoch ms). */
export const WEBHOOKS_SQL = `
  CREATE TABLE webhooks (
    enterprise_id text PRIMARY KEY REFERENCES enterprises(id),
    url text NOT NULL,
    secret text NOT NULL,
    cursor text NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at bigint NOT NULL,
    last_error text,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
`;

/**
 * The second feed of a webhook (receipts and replies), with its own cursor and back-off; a
 * subscription that exists already starts after the newest notice queued so far.
 */
export const WEBHOOK_MESSAGE_EVENTS_SQL = `
  ALTER TABLE webhooks
    ADD COLUMN notices_cursor text COLLATE "C" NOT NULL DEFAULT '0',
    ADD COLUMN notices_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN notices_next_attempt_at bigint NOT NULL DEFAULT 0,
    ADD COLUMN notices_last_error text;
  UPDATE webhooks SET notices_cursor = COALESCE((SELECT max(id) FROM sender_notices), '0');
`;
