/** SMPP accounts: one enterprise's logins, with their limits and failed-bind counters. */
export const SMPP_ACCOUNTS_SQL = `
  CREATE TABLE smpp_accounts (
    id text COLLATE "C" PRIMARY KEY,
    enterprise_id text NOT NULL REFERENCES enterprises(id),
    system_id text NOT NULL,
    password_hash text NOT NULL,
    max_binds integer NOT NULL,
    tps integer NOT NULL,
    default_category text,
    allowed_ips jsonb NOT NULL,
    status text NOT NULL,
    failed_binds integer NOT NULL,
    locked_until bigint,
    created_at bigint NOT NULL,
    updated_at bigint NOT NULL
  );
  CREATE UNIQUE INDEX smpp_accounts_system_id ON smpp_accounts (system_id);
  CREATE INDEX smpp_accounts_enterprise ON smpp_accounts (enterprise_id, id);
`;

/**
 * Delivery tracking: each part handed to an upstream (upstream_refs), found again under every key of its
 * upstream id (upstream_keys: hex, decimal, case and leading zeros folded), and the notices queued for
 * senders (receipts and replies), read by SMPP receiver binds while pending and by webhooks in id order.
 * Plain tables: rows are short-lived or small, unlike the message log.
 */
export const DELIVERY_SQL = `
  CREATE TABLE upstream_refs (
    message_id text COLLATE "C" NOT NULL,
    part integer NOT NULL,
    parts integer NOT NULL,
    route text NOT NULL,
    upstream_id text NOT NULL,
    state text NOT NULL,
    at bigint NOT NULL,
    PRIMARY KEY (message_id, part)
  );

  CREATE TABLE upstream_keys (
    route text COLLATE "C" NOT NULL,
    key text COLLATE "C" NOT NULL,
    message_id text COLLATE "C" NOT NULL,
    part integer NOT NULL,
    sent_at bigint NOT NULL,
    PRIMARY KEY (route, key, message_id, part)
  );
  CREATE INDEX upstream_keys_part ON upstream_keys (message_id, part);

  CREATE TABLE sender_notices (
    id text COLLATE "C" PRIMARY KEY,
    enterprise_id text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    message_id text,
    payload jsonb NOT NULL,
    created_at bigint NOT NULL,
    smpp_delivered_at bigint
  );
  CREATE INDEX sender_notices_enterprise ON sender_notices (enterprise_id, id);
  CREATE INDEX sender_notices_pending ON sender_notices (enterprise_id, id) WHERE smpp_delivered_at IS NULL;
`;

/**
 * One row per part handed to an upstream, under one key of its upstream id (trimmed, lower-cased,
 * leading zeros stripped); a receipt looks up the few stored forms its id may match
 * (upstreamIdLookupKeys). Replaces upstream_refs and upstream_keys (a row per id form).
 */
export const UPSTREAM_PARTS_SQL = `
  CREATE TABLE upstream_parts (
    message_id text COLLATE "C" NOT NULL,
    part integer NOT NULL,
    parts integer NOT NULL,
    route text COLLATE "C" NOT NULL,
    upstream_id text NOT NULL,
    id_key text COLLATE "C" NOT NULL,
    state text NOT NULL,
    at bigint NOT NULL,
    sent_at bigint NOT NULL,
    PRIMARY KEY (message_id, part)
  );
  CREATE INDEX upstream_parts_key ON upstream_parts (route, id_key, sent_at);
  INSERT INTO upstream_parts (message_id, part, parts, route, upstream_id, id_key, state, at, sent_at)
    SELECT r.message_id, r.part, r.parts, r.route, r.upstream_id,
      COALESCE(NULLIF(ltrim(lower(btrim(r.upstream_id, E' \\t\\n\\r')), '0'), ''),
        CASE WHEN btrim(r.upstream_id, E' \\t\\n\\r') = '' THEN '' ELSE '0' END),
      r.state, r.at,
      COALESCE((SELECT max(k.sent_at) FROM upstream_keys k
                WHERE k.message_id = r.message_id AND k.part = r.part), r.at)
    FROM upstream_refs r;
  DROP TABLE upstream_keys;
  DROP TABLE upstream_refs;
`;

/**
 * How many ids an SMPP sender holds for a message (1, or k parts it split itself); 0: not submitted
 * over SMPP, so its receipts go to webhooks only.
 */
export const MESSAGE_SMPP_PARTS_SQL = `
  ALTER TABLE messages ADD COLUMN smpp_parts int4 NOT NULL DEFAULT 0;
`;
