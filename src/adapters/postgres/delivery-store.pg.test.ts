import { describe, expect, it } from "vitest";
import { pgSchemaForSuite } from "../../test-support/pg-test-db.js";
import { PgDeliveryStore } from "./delivery-store.pg.js";
import { applyPgMigrations, PG_MIGRATIONS } from "./migrations.js";

const T0 = Date.parse("2026-11-11T02:00:00Z");

describe("PostgreSQL migration 10 (one row per upstream part)", () => {
  const db = pgSchemaForSuite("partsmig");

  it("keeps every part, its state and send time, and finds it by any form of its id", async () => {
    const { pool, schema } = db;
    await applyPgMigrations(
      pool,
      schema,
      PG_MIGRATIONS.filter((m) => m.version <= 9),
    );
    const ref = `INSERT INTO upstream_refs (message_id, part, parts, route, upstream_id, state, at)
      VALUES ($1, $2, $3, $4, $5, $6, $7)`;
    const key =
      "INSERT INTO upstream_keys (route, key, message_id, part, sent_at) VALUES ($1, $2, $3, $4, $5)";
    await pool.query(ref, ["msg_1", 1, 2, "cmcc", " 00A1F\t", "delivered", T0 + 9000]);
    await pool.query(key, ["cmcc", "s:a1f", "msg_1", 1, T0]);
    await pool.query(key, ["cmcc", "n:a1f", "msg_1", 1, T0]);
    await pool.query(ref, ["msg_1", 2, 2, "cmcc", "0000", "sent", T0 + 1]);
    await pool.query(key, ["cmcc", "s:0", "msg_1", 2, T0 + 1]);
    await pool.query(ref, ["msg_2", 1, 1, "ctcc", "msg-00AB", "sent", T0 + 2]);
    expect(await applyPgMigrations(pool, schema)).toEqual(
      PG_MIGRATIONS.filter((m) => m.version > 9).map((m) => m.version),
    );
    const store = new PgDeliveryStore(pool);
    const first = {
      route: "cmcc",
      upstreamId: " 00A1F\t",
      messageId: "msg_1",
      part: 1,
      parts: 2,
      state: "delivered",
      at: T0 + 9000,
    };
    // one look-up alone, then several in one turn (one statement)
    expect(await store.findRef("cmcc", "2591")).toEqual(first);
    const [a, b, c, d] = await Promise.all([
      store.findRef("cmcc", "a1f"),
      store.findRef("ctcc", "2591"),
      store.findRef("cmcc", "0"),
      store.findRef("ctcc", "MSG-00ab"),
    ]);
    expect(a).toEqual(first);
    expect(b).toBeNull();
    expect(c?.part).toBe(2);
    expect(d?.messageId).toBe("msg_2");
    expect((await store.refsOf("msg_1")).map((r) => r.state)).toEqual(["delivered", "sent"]);
    const left = await pool.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('upstream_refs', 'upstream_keys')",
      [schema],
    );
    expect(left.rows).toEqual([]);
  });
});
