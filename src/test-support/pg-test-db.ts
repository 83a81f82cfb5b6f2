import { createHash, randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { openPool, type PgPool, parsePgUrl } from "../adapters/postgres/pg-util.js";

/** The machine's PostgreSQL test database (trust auth), overridable with ANNING_TEST_PG_URL. */
export const TEST_PG_URL = process.env.ANNING_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A URL naming a fresh, unique schema in the test database (created by the store's migrations). */
export function freshPgUrl(label = "t"): { url: string; schema: string } {
  const schema = `${label}_${process.pid}_${randomBytes(5).toString("hex")}`;
  const u = new URL(TEST_PG_URL);
  u.searchParams.set("schema", schema);
  return { url: u.toString(), schema };
}

/** Drops a schema made by {@link freshPgUrl}, with everything in it. */
export async function dropPgSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

/**
 * A fresh schema and a small pool on it for the tests of the calling `describe` block (a migration test,
 * say): the pool opens before them; after them it closes and the schema is dropped.
 */
export function pgSchemaForSuite(label: string): { readonly schema: string; readonly pool: PgPool } {
  const { url, schema } = freshPgUrl(label);
  let pool: PgPool | null = null;
  beforeAll(() => {
    pool = openPool(parsePgUrl(url), 2);
  });
  afterAll(async () => {
    await pool?.end();
    await dropPgSchema(schema);
  });
  return {
    schema,
    get pool(): PgPool {
      if (!pool) throw new Error("the suite's pool opens in beforeAll");
      return pool;
    },
  };
}

/** Which store the app-level and HTTP tests run on: `ANNING_TEST_STORE=postgres`, or SQLite. */
export const TEST_STORE: "sqlite" | "postgres" =
  process.env.ANNING_TEST_STORE === "postgres" ? "postgres" : "sqlite";

/** The machine's Redis for tests, overridable with ANNING_TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env.ANNING_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Settings that put a test's anning on the store under test. With SQLite: none (the data directory's
 * file). With PostgreSQL: a schema named after the data directory (so a restart on the same directory
 * finds the same data), Redis keys under the same name, and in-flight messages settled at once on
 * restart, as a single node does.
 */
export function testStoreEnv(dataDir: string): Record<string, string> {
  if (TEST_STORE !== "postgres") return {};
  const schema = schemaFor(dataDir);
  const u = new URL(TEST_PG_URL);
  u.searchParams.set("schema", schema);
  const r = new URL(TEST_REDIS_URL);
  r.searchParams.set("prefix", schema);
  return {
    ANNING_DATABASE_URL: u.toString(),
    ANNING_REDIS_URL: r.toString(),
    ANNING_INFLIGHT_GRACE_MS: "0",
    ANNING_SYNC_POLL_MS: "200",
  };
}

/** The PostgreSQL schema {@link testStoreEnv} uses for a data directory. */
export function schemaFor(dataDir: string): string {
  return `t_${createHash("sha1").update(dataDir).digest("hex").slice(0, 20)}`;
}

/** Removes what {@link testStoreEnv} made for a data directory (its schema); a no-op with SQLite. */
export async function dropTestStore(dataDir: string): Promise<void> {
  if (TEST_STORE === "postgres") await dropPgSchema(schemaFor(dataDir));
}
