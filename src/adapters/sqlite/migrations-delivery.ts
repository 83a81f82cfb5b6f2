import type { Migration } from "./migration.js";

/**
 * The SMPP gateway's tables (versions 7–12 of the SQLite schema): SMPP accounts, the references that
 * match carriers' receipts to messages, the receipts and replies queued for senders, the webhooks'
 * second feed, and message indexes that a status change leaves alone. Appended to the core migrations in migrations.ts; never edit an applied one.
 */
export const DELIVERY_MIGRATIONS: readonly Migration[] = [
  {
    version: 7,
    name: "smpp-accounts",
    sql: `
      CREATE TABLE smpp_accounts (
        id TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
        system_id TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        max_binds INTEGER NOT NULL,
        tps INTEGER NOT NULL,
        default_category TEXT,
        allowed_ips TEXT NOT NULL,
        status TEXT NOT NULL,
        failed_binds INTEGER NOT NULL,
        locked_until INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX smpp_accounts_system_id ON smpp_accounts(system_id);
      CREATE INDEX smpp_accounts_enterprise ON smpp_accounts(enterprise_id, id);
    `,
  },
  {
    version: 8,
    name: "delivery",
    sql: `
      -- one row per part handed to an upstream
      CREATE TABLE upstream_refs (
        message_id TEXT NOT NULL,
        part INTEGER NOT NULL,
        parts INTEGER NOT NULL,
        route TEXT NOT NULL,
        upstream_id TEXT NOT NULL,
        state TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (message_id, part)
      ) WITHOUT ROWID;

      -- each part under every key of its upstream id (hex, decimal, case, leading zeros); a receipt's
      -- look-up reads the few rows of (route, key) from the primary key and takes the latest sent_at
      CREATE TABLE upstream_keys (
        route TEXT NOT NULL,
        key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        part INTEGER NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (route, key, message_id, part)
      ) WITHOUT ROWID;
      CREATE INDEX upstream_keys_part ON upstream_keys(message_id, part);

      CREATE TABLE sender_notices (
        id TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        message_id TEXT,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        smpp_delivered_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX sender_notices_enterprise ON sender_notices(enterprise_id, id);
      CREATE INDEX sender_notices_pending ON sender_notices(enterprise_id, id) WHERE smpp_delivered_at IS NULL;
    `,
  },
  {
    version: 9,
    name: "webhook-message-events",
    sql: `
      -- the second feed of a webhook (receipts and replies), with its own cursor and back-off; a
      -- subscription that exists already starts after the newest notice queued so far
      ALTER TABLE webhooks ADD COLUMN notices_cursor TEXT NOT NULL DEFAULT '0';
      ALTER TABLE webhooks ADD COLUMN notices_attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE webhooks ADD COLUMN notices_next_attempt_at INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE webhooks ADD COLUMN notices_last_error TEXT;
      UPDATE webhooks SET notices_cursor = COALESCE((SELECT MAX(id) FROM sender_notices), '0');
    `,
  },
  {
    version: 10,
    name: "upstream-parts",
    sql: `
      -- one row per part handed to an upstream, under one key of its upstream id (trimmed, lower-cased,
      -- leading zeros stripped); a receipt looks up the few forms its id may have been sent in
      -- (upstreamIdLookupKeys). Replaces upstream_refs and upstream_keys (a row per id form).
      CREATE TABLE upstream_parts (
        message_id TEXT NOT NULL,
        part INTEGER NOT NULL,
        parts INTEGER NOT NULL,
        route TEXT NOT NULL,
        upstream_id TEXT NOT NULL,
        id_key TEXT NOT NULL,
        state TEXT NOT NULL,
        at INTEGER NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, part)
      ) WITHOUT ROWID;
      CREATE INDEX upstream_parts_key ON upstream_parts(route, id_key, sent_at);
      INSERT INTO upstream_parts (message_id, part, parts, route, upstream_id, id_key, state, at, sent_at)
        SELECT r.message_id, r.part, r.parts, r.route, r.upstream_id,
          COALESCE(NULLIF(ltrim(lower(trim(r.upstream_id, ' ' || char(9, 10, 13))), '0'), ''),
            CASE WHEN trim(r.upstream_id, ' ' || char(9, 10, 13)) = '' THEN '' ELSE '0' END),
          r.state, r.at,
          COALESCE((SELECT max(k.sent_at) FROM upstream_keys k
                    WHERE k.message_id = r.message_id AND k.part = r.part), r.at)
        FROM upstream_refs r;
      DROP TABLE upstream_keys;
      DROP TABLE upstream_refs;
    `,
  },
  {
    version: 11,
    name: "status-free-message-indexes",
    sql: `
      -- A message changes status four or five times on its way (accepted, dispatching, sent, delivered);
      -- an index whose WHERE names the status is rewritten at each change. These three no longer name it:
      -- their queries test the status on the row instead (refused messages are few).
      DROP INDEX messages_recipient;
      CREATE INDEX messages_recipient ON messages(phone, created_at);
      DROP INDEX messages_verification;
      CREATE INDEX messages_verification ON messages(created_at) WHERE category = 'verification';
      DROP INDEX messages_marketing;
      CREATE INDEX messages_marketing ON messages(created_at, phone, sender_id) WHERE category LIKE 'marketing.%';
    `,
  },
  {
    version: 12,
    name: "message-smpp-parts",
    sql: `
      -- how many ids an SMPP sender holds for a message (1, or k parts it split itself); 0: not submitted
      -- over SMPP, so its receipts go to webhooks only
      ALTER TABLE messages ADD COLUMN smpp_parts INTEGER NOT NULL DEFAULT 0;
    `,
  },
];
