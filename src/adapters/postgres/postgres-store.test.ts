import { describe, expect, it } from "vitest";
import { dropPgSchema, freshPgUrl } from "../../test-support/pg-test-db.js";
import {
  CONTRACT_LEDGER_KEY,
  runStoreContract,
} from "../../test-support/store-contract/run-store-contract.js";
import { PG_MIGRATIONS } from "./migrations.js";
import { openPostgresStore } from "./pg-store.js";

runStoreContract("postgres", async () => {
  const { url, schema } = freshPgUrl("contract");
  const open = () => openPostgresStore({ url, ledgerKey: CONTRACT_LEDGER_KEY, poolSize: 4 });
  const store = await open();
  const cleanup = async () => {
    await store.close();
    await dropPgSchema(schema);
  };
  return { store, cleanup, reopen: open };
});

describe("PostgresStore specifics", () => {
  it("migrates a fresh schema once, and two nodes opening it together share the same keys", async () => {
    const { url, schema } = freshPgUrl("spec");
    try {
      const [a, b] = await Promise.all([openPostgresStore({ url }), openPostgresStore({ url })]);
      expect([...a.appliedMigrations, ...b.appliedMigrations].sort((x, y) => x - y)).toEqual(
        PG_MIGRATIONS.map((m) => m.version),
      );
      expect(a.secrets.ledgerKey.equals(b.secrets.ledgerKey)).toBe(true);
      expect(a.secrets.pseudonymKey.toString("hex")).toHaveLength(64);
      await Promise.all([a.close(), b.close()]);
      const c = await openPostgresStore({ url });
      expect(c.appliedMigrations).toEqual([]);
      await c.close();
    } finally {
      await dropPgSchema(schema);
    }
  });

  it("rejects a URL whose schema is not a plain identifier", async () => {
    await expect(openPostgresStore({ url: "postgres://127.0.0.1/test?schema=a;drop" })).rejects.toThrow(
      /schema/,
    );
  });
});
