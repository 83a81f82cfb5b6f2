import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CONTRACT_LEDGER_KEY,
  runStoreContract,
} from "../../test-support/store-contract/run-store-contract.js";
import { applyMigrations, MIGRATIONS } from "./migrations.js";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.js";

function tempFile(): { file: string; dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anning-"));
  return { file: path.join(dir, "anning.db"), dir };
}

runStoreContract("sqlite", async () => {
  const { file, dir } = tempFile();
  const open = () => openSqliteStore({ file, ledgerKey: CONTRACT_LEDGER_KEY });
  const store = open();
  const cleanup = async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { store, cleanup, reopen: async () => open() };
});

describe("SqliteStore specifics", () => {
  const dirs: string[] = [];
  const stores: SqliteStore[] = [];
  const open = (file: string) => {
    const s = openSqliteStore({ file, ledgerKey: CONTRACT_LEDGER_KEY });
    stores.push(s);
    return s;
  };
  const fresh = () => {
    const t = tempFile();
    dirs.push(t.dir);
    return t.file;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("applies every migration once, records it, and applies only new ones on reopen", async () => {
    const file = fresh();
    const first = open(file);
    expect(first.kind).toBe("sqlite");
    expect(first.appliedMigrations).toEqual(MIGRATIONS.map((m) => m.version));
    await first.close();
    await first.close();
    const second = open(file);
    expect(second.appliedMigrations).toEqual([]);
    const extra = { version: 1000, name: "test-extra", sql: "CREATE TABLE extra_probe (x INTEGER)" };
    expect(applyMigrations(second.db, [...MIGRATIONS, extra])).toEqual([1000]);
    expect(applyMigrations(second.db, [...MIGRATIONS, extra])).toEqual([]);
    const rows = second.db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(rows).toEqual([...MIGRATIONS, extra].map((m) => ({ version: m.version, name: m.name })));
  });

  it("rolls a failed migration back whole", () => {
    const file = fresh();
    const s = open(file);
    const bad = {
      version: 1001,
      name: "bad",
      sql: "CREATE TABLE half_done (x INTEGER); SELECT nope FROM nowhere;",
    };
    expect(() => applyMigrations(s.db, [...MIGRATIONS, bad])).toThrow();
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").get()).toBeUndefined();
    expect(s.db.prepare("SELECT 1 FROM schema_migrations WHERE version = 1001").get()).toBeUndefined();
  });

  it("sets the connection pragmas (WAL on a file)", async () => {
    const s = open(fresh());
    const p = (name: string) => s.db.pragma(name, { simple: true });
    expect(p("journal_mode")).toBe("wal");
    expect(p("synchronous")).toBe(1);
    expect(p("foreign_keys")).toBe(1);
    expect(p("busy_timeout")).toBe(5000);
    expect(p("cache_size")).toBe(-65536);
    expect(p("temp_store")).toBe(2);
    expect(p("page_size")).toBe(8192);
    expect(p("mmap_size")).toBe(268435456);
    await s.ping();
  });

  it("works in memory", async () => {
    const s = open(":memory:");
    await s.ping();
    expect(await s.ledger.count()).toBe(0);
    await s.close();
  });

  it("serves the hot queries from their indexes", () => {
    const s = open(fresh());
    const plan = (sql: string) =>
      (s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join("; ");
    const uses: Array<[string, RegExp]> = [
      [
        "SELECT * FROM messages WHERE status = 'accepted' AND not_before <= 1 ORDER BY not_before, id LIMIT 5",
        /INDEX messages_outbox/,
      ],
      ["SELECT id, history FROM messages WHERE status = 'dispatching'", /INDEX messages_in_flight/],
      [
        `SELECT phone, sender_id, count(*) AS n FROM messages
         WHERE category LIKE 'marketing.%' AND created_at >= 1 AND status <> 'refused' GROUP BY phone, sender_id`,
        /INDEX messages_marketing/,
      ],
      [
        "SELECT * FROM messages WHERE phone = 'x' AND status <> 'refused' ORDER BY created_at DESC LIMIT 1",
        /INDEX messages_recipient/,
      ],
      [
        "SELECT * FROM consent_events WHERE type IN ('withdraw', 'dnd_set', 'dnd_remove') AND seq > 1 ORDER BY seq",
        /INDEX consent_events_suppressions /,
      ],
      [
        "SELECT seq FROM consent_events WHERE type = 'withdraw' AND enterprise_id = 'e' AND seq > 1 ORDER BY seq",
        /INDEX consent_events_withdrawals/,
      ],
      [
        "SELECT seq FROM consent_events WHERE type IN ('dnd_set', 'dnd_remove') AND seq > 1 ORDER BY seq",
        /INDEX consent_events_dnd/,
      ],
      [
        `SELECT * FROM messages WHERE phone = 'x' AND status = 'unknown' AND created_at >= 1
         ORDER BY created_at DESC, id DESC LIMIT 50`,
        /INDEX messages_recipient/,
      ],
      ["SELECT * FROM smpp_accounts WHERE system_id = 'x'", /INDEX smpp_accounts_system_id/],
      [
        "SELECT * FROM sender_notices WHERE enterprise_id = 'e' AND smpp_delivered_at IS NULL ORDER BY id LIMIT 5",
        /INDEX sender_notices_pending/,
      ],
      [
        "SELECT * FROM sender_notices WHERE enterprise_id IN ('a', 'b') AND id > 'x' ORDER BY id LIMIT 5",
        /INDEX sender_notices_enterprise/,
      ],
      [
        `SELECT * FROM upstream_parts WHERE route = 'r' AND id_key IN ('a', '10', 'a')
         ORDER BY sent_at DESC, message_id DESC, part DESC LIMIT 1`,
        /upstream_parts USING INDEX upstream_parts_key \(route=\? AND id_key=\?\)/,
      ],
    ];
    for (const [sql, index] of uses) expect(plan(sql)).toMatch(index);
    // a status change rewrites no index but the outbox's and the in-flight one (their WHERE names it)
    const statusIndexes = (
      s.db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages' AND sql LIKE '%status%'",
        )
        .pluck()
        .all() as string[]
    ).sort();
    expect(statusIndexes).toEqual(["messages_in_flight", "messages_outbox"]);
  });
});
