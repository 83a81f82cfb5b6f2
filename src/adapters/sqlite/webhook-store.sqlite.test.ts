import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { applyMigrations, MIGRATIONS } from "./migrations.js";
import { SqliteWebhookStore } from "./webhook-store.sqlite.js";

const T0 = Date.parse("2026-01-05T02:00:00Z");

/** A database at schema version 8 (before the message-events feed), with one webhook and `notices`. */
function atVersion8(notices: string[]): Database.Database {
  const db = new Database(":memory:");
  applyMigrations(
    db,
    MIGRATIONS.filter((m) => m.version <= 8),
  );
  db.prepare(
    `INSERT INTO enterprises (id, kind, name, credit_code, parent_id, status, status_reason, created_at)
     VALUES ('ent_1', 'platform', 'p', '91310000000000001X', NULL, 'active', NULL, ?)`,
  ).run(T0);
  db.prepare(
    `INSERT INTO webhooks (enterprise_id, url, secret, cursor, attempts, next_attempt_at, last_error,
                           created_at, updated_at)
     VALUES ('ent_1', 'https://crm.example/hook', 'whsec_x', '42', 1, ?, 'HTTP 500', ?, ?)`,
  ).run(T0 + 5000, T0, T0);
  const add = db.prepare(
    `INSERT INTO sender_notices (id, enterprise_id, kind, message_id, payload, created_at)
     VALUES (?, 'ent_1', 'mo', NULL, '{}', ?)`,
  );
  for (const id of notices) add.run(id, T0);
  return db;
}

describe("SQLite migration 9 (webhook message events)", () => {
  it("starts an existing webhook's message events after the newest notice, and keeps the rest", async () => {
    const db = atVersion8([
      "ntc_0a000000000000000002",
      "ntc_0a000000000000000009",
      "ntc_0a000000000000000005",
    ]);
    expect(applyMigrations(db)).toEqual(MIGRATIONS.filter((m) => m.version > 8).map((m) => m.version));
    expect(await new SqliteWebhookStore(db).get("ent_1")).toEqual({
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
    db.close();
  });

  it('starts at "0" when no notice was queued yet', async () => {
    const db = atVersion8([]);
    applyMigrations(db);
    expect(await new SqliteWebhookStore(db).get("ent_1")).toMatchObject({ noticesCursor: "0" });
    db.close();
  });
});
