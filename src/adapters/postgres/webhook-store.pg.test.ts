import { describe, expect, it } from "vitest";
import { pgSchemaForSuite } from "../../test-support/pg-test-db.js";
import { applyPgMigrations, PG_MIGRATIONS } from "./migrations.js";
import { PgWebhookStore } from "./webhook-store.pg.js";

const T0 = Date.parse("2026-01-05T02:00:00Z");

describe("PostgreSQL migration 9 (webhook message events)", () => {
  const db = pgSchemaForSuite("whmig");

  it("starts an existing webhook's message events after the newest notice, and keeps the rest", async () => {
    const { pool, schema } = db;
    await applyPgMigrations(
      pool,
      schema,
      PG_MIGRATIONS.filter((m) => m.version <= 8),
    );
    await pool.query(
      `INSERT INTO enterprises (id, kind, name, credit_code, parent_id, status, status_reason, created_at)
       VALUES ('ent_1', 'platform', 'p', '91310000000000001X', NULL, 'active', NULL, $1)`,
      [T0],
    );
    await pool.query(
      `INSERT INTO webhooks (enterprise_id, url, secret, cursor, attempts, next_attempt_at, last_error,
                             created_at, updated_at)
       VALUES ('ent_1', 'https://crm.example/hook', 'whsec_x', '42', 1, $1, 'HTTP 500', $2, $2)`,
      [T0 + 5000, T0],
    );
    for (const id of ["ntc_0a000000000000000002", "ntc_0a000000000000000009", "ntc_0a000000000000000005"])
      await pool.query(
        `INSERT INTO sender_notices (id, enterprise_id, kind, message_id, payload, created_at)
         VALUES ($1, 'ent_1', 'mo', NULL, '{}', $2)`,
        [id, T0],
      );
    expect(await applyPgMigrations(pool, schema)).toEqual(
      PG_MIGRATIONS.filter((m) => m.version > 8).map((m) => m.version),
    );
    expect(await new PgWebhookStore(pool).get("ent_1")).toEqual({
      enterpriseId: "ent_1",
      url: "https://crm.example/hook",
      secret: "whsec_x",
      cursor: "42",
      attempts: 1,
      nextAttemptAt: T0 + 5000,
      lastError: "HTTP 500",
      noticesCursor: "ntc_0a000000000000000009",
      noticesAttempts: 0,
      noticesNextAttemptAt: 0,
      noticesLastError: null,
      createdAt: T0,
      updatedAt: T0,
    });
  });
});
