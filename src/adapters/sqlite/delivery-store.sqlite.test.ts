import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { SqliteDeliveryStore } from "./delivery-store.sqlite.js";
import { applyMigrations, MIGRATIONS } from "./migrations.js";

const T0 = Date.parse("2026-11-11T02:00:00Z");

/** A database at schema version 9: parts in upstream_refs, each under every key form in upstream_keys. */
function atVersion9(): Database.Database {
  const db = new Database(":memory:");
  applyMigrations(
    db,
    MIGRATIONS.filter((m) => m.version <= 9),
  );
  const ref = db.prepare(
    `INSERT INTO upstream_refs (message_id, part, parts, route, upstream_id, state, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const key = db.prepare(
    "INSERT INTO upstream_keys (route, key, message_id, part, sent_at) VALUES (?, ?, ?, ?, ?)",
  );
  ref.run("msg_1", 1, 2, "cmcc", " 00A1F ", "delivered", T0 + 9000);
  key.run("cmcc", "s:a1f", "msg_1", 1, T0);
  key.run("cmcc", "n:a1f", "msg_1", 1, T0);
  ref.run("msg_1", 2, 2, "cmcc", "0000", "sent", T0 + 1);
  key.run("cmcc", "s:0", "msg_1", 2, T0 + 1);
  ref.run("msg_2", 1, 1, "ctcc", "msg-00AB", "sent", T0 + 2);
  return db;
}

describe("SQLite migration 10 (one row per upstream part)", () => {
  it("keeps every part, its state and send time, and finds it by any form of its id", async () => {
    const db = atVersion9();
    expect(applyMigrations(db)).toEqual(MIGRATIONS.filter((m) => m.version > 9).map((m) => m.version));
    const store = new SqliteDeliveryStore(db);
    const first = {
      route: "cmcc",
      upstreamId: " 00A1F ",
      messageId: "msg_1",
      part: 1,
      parts: 2,
      state: "delivered",
      at: T0 + 9000,
    };
    expect(await store.findRef("cmcc", "2591")).toEqual(first);
    expect(await store.findRef("cmcc", "a1f")).toEqual(first);
    expect(await store.findRef("ctcc", "2591")).toBeNull();
    expect((await store.findRef("cmcc", "0"))?.part).toBe(2);
    // no key row existed for this one: it is found all the same (sent_at falls back to its time)
    expect((await store.findRef("ctcc", "MSG-00ab"))?.messageId).toBe("msg_2");
    expect((await store.refsOf("msg_1")).map((r) => r.state)).toEqual(["delivered", "sent"]);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE name IN ('upstream_refs', 'upstream_keys')").all(),
    ).toEqual([]);
    db.close();
  });
});
