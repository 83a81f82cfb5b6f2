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
