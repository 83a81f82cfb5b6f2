/**
 * The message log and outbox. Partitioned by month on the id: message ids are `msg_` + 9 base-36
 * characters of epoch milliseconds + more, so a month is an id range (see {@link messageIdBound}); rows
 * outside every monthly partition (ids of another shape) land in `messages_default`. Ids and the other
 * key columns compare bytewise (COLLATE "C"): ids order as in SQLite, and index upkeep skips the locale.
 *
 * A unique index on (sender_id, idempotency_key) cannot span partitions, so idempotency keys live in
 * their own table, written in the same statement or transaction as the message.
 *
 * The indexes serve the look-ups SQLite's partial indexes serve: the outbox (accepted, by notBefore),
 * messages in flight, the latest message to a recipient, a campaign's and a sender's messages in id
 * order, and marketing and verification messages since a time. Every campaign message enters the
 * primary key, the outbox, recipient, campaign and sender indexes (each costs about a tenth of the
 * insert rate); the marketing counts, a start-up query, make do with a BRIN index.
 */
export const MESSAGES_SQL = `
  CREATE TABLE messages (
    id text COLLATE "C" NOT NULL,
    sender_id text COLLATE "C" NOT NULL,
    signature_id text,
    signature text NOT NULL,
    port text NOT NULL,
    port_id text,
    phone text COLLATE "C" NOT NULL,
    text text NOT NULL,
    category text NOT NULL,
    status text NOT NULL,
    reasons jsonb NOT NULL,
    campaign_id text COLLATE "C",
    idempotency_key text,
    parts integer NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    not_before bigint NOT NULL,
    valid_until bigint NOT NULL,
    upstream_id text,
    history jsonb NOT NULL,
    CONSTRAINT messages_pkey PRIMARY KEY (id)
  ) PARTITION BY RANGE (id);
  CREATE TABLE messages_default PARTITION OF messages DEFAULT;

  CREATE INDEX messages_outbox ON messages (not_before, id) WHERE status = 'accepted';
  CREATE INDEX messages_in_flight ON messages (id) WHERE status = 'dispatching';
  CREATE INDEX messages_recipient ON messages (phone, created_at) WHERE status <> 'refused';
  CREATE INDEX messages_verification ON messages (created_at)
    WHERE category = 'verification' AND status <> 'refused';
  CREATE INDEX messages_campaign ON messages (campaign_id, id) WHERE campaign_id IS NOT NULL;
  CREATE INDEX messages_sender ON messages (sender_id, id);
  -- marketing counts since a time (a start-up query): rows go in roughly in created_at order, so a BRIN
  -- index finds the recent pages for a fraction of a btree's upkeep on every campaign message
  CREATE INDEX messages_created ON messages USING brin (created_at) WITH (autosummarize = on);

  -- (sender, idempotency key) → the message it made: the uniqueness the partitioned log cannot hold
  CREATE TABLE message_idempotency_keys (
    sender_id text COLLATE "C" NOT NULL,
    idempotency_key text COLLATE "C" NOT NULL,
    message_id text COLLATE "C" NOT NULL,
    PRIMARY KEY (sender_id, idempotency_key)
  );
`;

/**
 * Campaigns and their recipient lists. The list is stored in blocks of RECIPIENT_BLOCK phones (a jsonb
 * array each): a million-phone campaign is a hundred rows, not a million.
 */
export const CAMPAIGNS_SQL = `
  CREATE TABLE campaigns (
    id text COLLATE "C" PRIMARY KEY,
    sender_id text NOT NULL,
    signature text NOT NULL,
    port text NOT NULL,
    text text NOT NULL,
    category text NOT NULL,
    status text NOT NULL,
    scheduled_at bigint,
    total integer NOT NULL,
    cursor integer NOT NULL,
    accepted integer NOT NULL,
    refused_by_code jsonb NOT NULL,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL,
    lease_owner text,
    lease_until bigint
  );
  CREATE INDEX campaigns_runnable ON campaigns (created_at, id) WHERE status IN ('scheduled', 'running');

  CREATE TABLE campaign_recipients (
    campaign_id text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    block integer NOT NULL,
    phones jsonb NOT NULL,
    PRIMARY KEY (campaign_id, block)
  );
`;

/** The lower bound (an SQL string literal) of the message ids made from epoch millisecond `ms` on. */
export function messageIdBound(ms: number): string {
  return `'msg_${ms.toString(36).padStart(9, "0")}'`;
}
