import type Database from "better-sqlite3";
import type { Migration } from "./migration.js";
import { DELIVERY_MIGRATIONS } from "./migrations-delivery.js";

export type { Migration } from "./migration.js";

/**
 * The schema, as an ordered list of migrations. Append new ones; never edit an applied one.
 * SQL is kept plain (TEXT, INTEGER, partial indexes) so a PostgreSQL twin can follow; the SQLite-only
 * parts are `WITHOUT ROWID` and `INTEGER PRIMARY KEY` as the rowid alias for the ledger's global seq.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "registry",
    sql: `
      CREATE TABLE enterprises (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        credit_code TEXT NOT NULL,
        parent_id TEXT REFERENCES enterprises(id),
        status TEXT NOT NULL,
        status_reason TEXT,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX enterprises_created ON enterprises(created_at, id);

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
        hash TEXT NOT NULL,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX api_keys_hash ON api_keys(hash);

      CREATE TABLE policy_overrides (
        enterprise_id TEXT PRIMARY KEY REFERENCES enterprises(id),
        override TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE signatures (
        id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL REFERENCES enterprises(id),
        text TEXT NOT NULL,
        scope TEXT NOT NULL,
        status TEXT NOT NULL,
        status_reason TEXT,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX signatures_live_text ON signatures(text) WHERE status <> 'revoked';

      CREATE TABLE authorizations (
        id TEXT PRIMARY KEY,
        signature_id TEXT NOT NULL REFERENCES signatures(id),
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
        valid_from INTEGER NOT NULL,
        valid_to INTEGER NOT NULL,
        revoked_at INTEGER,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE ports (
        id TEXT PRIMARY KEY,
        provider_id TEXT NOT NULL REFERENCES enterprises(id),
        number TEXT NOT NULL,
        categories TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX ports_number ON ports(number);

      CREATE TABLE allocations (
        id TEXT PRIMARY KEY,
        port_id TEXT NOT NULL REFERENCES ports(id),
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
        extension TEXT NOT NULL,
        signature_ids TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE UNIQUE INDEX allocations_port_ext_ent ON allocations(port_id, extension, enterprise_id);
    `,
  },
  {
    version: 2,
    name: "consent-ledger",
    sql: `
      CREATE TABLE recipients (
        recipient_id TEXT PRIMARY KEY,
        phone TEXT
      ) WITHOUT ROWID;

      CREATE TABLE consent_events (
        seq INTEGER PRIMARY KEY,
        shard INTEGER NOT NULL,
        shard_seq INTEGER NOT NULL,
        id TEXT NOT NULL,
        consent_id TEXT,
        recipient_id TEXT NOT NULL,
        enterprise_id TEXT,
        category TEXT NOT NULL,
        type TEXT NOT NULL,
        method TEXT,
        captured_at INTEGER,
        recorded_at INTEGER NOT NULL,
        source TEXT,
        notice_text TEXT,
        expires_at INTEGER,
        channel TEXT,
        actor TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE UNIQUE INDEX consent_events_chain ON consent_events(shard, shard_seq);
      CREATE UNIQUE INDEX consent_events_id ON consent_events(id);
      CREATE INDEX consent_events_recipient ON consent_events(recipient_id, seq);
      CREATE INDEX consent_events_suppressions ON consent_events(seq)
        WHERE type IN ('withdraw', 'dnd_set', 'dnd_remove');
      CREATE INDEX consent_events_withdrawals ON consent_events(enterprise_id, seq) WHERE type = 'withdraw';
      CREATE INDEX consent_events_dnd ON consent_events(seq) WHERE type IN ('dnd_set', 'dnd_remove');

      CREATE TABLE ledger_anchors (
        shard INTEGER NOT NULL,
        shard_seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (shard, shard_seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: "messages",
    sql: `
      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        sender_id TEXT NOT NULL,
        signature_id TEXT,
        signature TEXT NOT NULL,
        port TEXT NOT NULL,
        port_id TEXT,
        phone TEXT NOT NULL,
        text TEXT NOT NULL,
        category TEXT NOT NULL,
        status TEXT NOT NULL,
        reasons TEXT NOT NULL,
        campaign_id TEXT,
        idempotency_key TEXT,
        parts INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        not_before INTEGER NOT NULL,
        valid_until INTEGER NOT NULL,
        upstream_id TEXT,
        history TEXT NOT NULL
      );
      CREATE UNIQUE INDEX messages_idempotency ON messages(sender_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
      CREATE INDEX messages_outbox ON messages(not_before, id) WHERE status = 'accepted';
      CREATE INDEX messages_in_flight ON messages(id) WHERE status = 'dispatching';
      CREATE INDEX messages_recipient ON messages(phone, created_at) WHERE status <> 'refused';
      CREATE INDEX messages_verification ON messages(created_at) WHERE category = 'verification' AND status <> 'refused';
      CREATE INDEX messages_campaign ON messages(campaign_id, id)
        WHERE campaign_id IS NOT NULL;
      CREATE INDEX messages_sender ON messages(sender_id, id);
      CREATE INDEX messages_marketing ON messages(created_at, phone, sender_id)
        WHERE category LIKE 'marketing.%' AND status <> 'refused';
    `,
  },
  {
    version: 4,
    name: "campaigns",
    sql: `
      CREATE TABLE campaigns (
        id TEXT PRIMARY KEY,
        sender_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        port TEXT NOT NULL,
        text TEXT NOT NULL,
        category TEXT NOT NULL,
        status TEXT NOT NULL,
        scheduled_at INTEGER,
        total INTEGER NOT NULL,
        cursor INTEGER NOT NULL,
        accepted INTEGER NOT NULL,
        refused_by_code TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX campaigns_runnable ON campaigns(status, created_at, id)
        WHERE status IN ('scheduled', 'running');

      -- the recipient list in blocks of RECIPIENT_BLOCK phones (a JSON array each): a million-phone
      -- campaign is a hundred rows, not a million
      CREATE TABLE campaign_recipients (
        campaign_id TEXT NOT NULL,
        block INTEGER NOT NULL,
        phones TEXT NOT NULL,
        PRIMARY KEY (campaign_id, block)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    name: "webhooks",
    sql: `
      CREATE TABLE webhooks (
        enterprise_id TEXT PRIMARY KEY REFERENCES enterprises(id),
        url TEXT NOT NULL,
        secret TEXT NOT NULL,
        cursor TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: "cluster",
    sql: `
      CREATE TABLE registry_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        version INTEGER NOT NULL
      );
      INSERT INTO registry_version (id, version) VALUES (1, 0);

      CREATE TABLE job_leases (
        name TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        lease_until INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  ...DELIVERY_MIGRATIONS,
];

/**
 * Applies the migrations newer than the recorded schema version, each in its own transaction, and
 * records them in `schema_migrations`. Returns the versions applied now (empty when up to date).
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at INTEGER NOT NULL
    )
  `);
  const done = new Set(
    db
      .prepare("SELECT version FROM schema_migrations")
      .pluck()
      .all()
      .map((v) => Number(v)),
  );
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  const applied: number[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of ordered) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}
