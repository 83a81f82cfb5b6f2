import type { PgPool } from "./pg-util.js";
import { CLUSTER_SQL } from "./schema/cluster.js";
import { LEDGER_SQL } from "./schema/ledger.js";
import { CAMPAIGNS_SQL, MESSAGES_SQL } from "./schema/messages.js";
import { REGISTRY_SQL } from "./schema/registry.js";
import {
  DELIVERY_SQL,
  MESSAGE_SMPP_PARTS_SQL,
  SMPP_ACCOUNTS_SQL,
  UPSTREAM_PARTS_SQL,
} from "./schema/smpp.js";
import { WEBHOOK_MESSAGE_EVENTS_SQL, WEBHOOKS_SQL } from "./schema/webhooks.js";

/** One schema change: applied once, in version order, inside its own transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The PostgreSQL schema as an ordered list of migrations, following SQLite's (same tables and
 * columns; bigint epoch milliseconds, jsonb lists, time-partitioned message log and consent events).
 * Append new ones; never edit an applied one.
 */
export const PG_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "registry", sql: REGISTRY_SQL },
  { version: 2, name: "consent-ledger", sql: LEDGER_SQL },
  { version: 3, name: "messages", sql: MESSAGES_SQL },
  { version: 4, name: "campaigns", sql: CAMPAIGNS_SQL },
  { version: 5, name: "webhooks", sql: WEBHOOKS_SQL },
  { version: 6, name: "cluster", sql: CLUSTER_SQL },
  { version: 7, name: "smpp-accounts", sql: SMPP_ACCOUNTS_SQL },
  { version: 8, name: "delivery", sql: DELIVERY_SQL },
  { version: 9, name: "webhook-message-events", sql: WEBHOOK_MESSAGE_EVENTS_SQL },
  { version: 10, name: "upstream-parts", sql: UPSTREAM_PARTS_SQL },
  { version: 11, name: "message-smpp-parts", sql: MESSAGE_SMPP_PARTS_SQL },
];

/** Any number, the same for every anning node: serialises migrations of nodes starting together. */
const MIGRATION_LOCK = 0x616e6e69;

/**
 * Creates the schema when missing and applies the migrations newer than those recorded in
 * `schema_migrations`, each in its own transaction, under an advisory lock so several nodes starting
 * at once migrate once. Returns the versions applied now.
 */
export async function applyPgMigrations(
  pool: PgPool,
  schema: string,
  migrations: readonly Migration[] = PG_MIGRATIONS,
): Promise<number[]> {
  const c = await pool.connect();
  try {
    await c.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await c.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at bigint NOT NULL
      )`);
    const done = new Set(
      (await c.query("SELECT version FROM schema_migrations")).rows.map((r) => Number(r.version)),
    );
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await c.query("BEGIN");
      try {
        await c.query(m.sql);
        await c.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
          m.version,
          m.name,
          Date.now(),
        ]);
        await c.query("COMMIT");
      } catch (err) {
        await c.query("ROLLBACK").catch(() => {});
        throw err;
      }
      applied.push(m.version);
    }
    return applied;
  } finally {
    await c.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => {});
    c.release();
  }
}
