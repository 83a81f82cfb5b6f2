import type { Migration } from "./migration.js";

/**
 * The SMPP gateway's tables (versions 7–9 of the SQLite schema): SMPP accounts, the references that
 * match carriers' receipts to messages, the receipts and replies queued for senders, and the webhooks'
 * second feed. Appended to the core migrations in migrations.ts; never edit an applied one.
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
];
