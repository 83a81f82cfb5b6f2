import pg from "pg";
import { TEST_PG_URL } from "../../src/test-support/pg-test-db.js";

/**
 * After the PostgreSQL project: drops the per-data-directory schemas (`t_…`) its tests made, one at a
 * time (use-case harnesses have no close step of their own).
 */
export async function teardown(): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query("SET client_min_messages = warning");
    const r = await c.query("SELECT nspname FROM pg_namespace WHERE nspname ~ '^t_[0-9a-f]{20}$'");
    for (const row of r.rows as Array<{ nspname: string }>)
      await c.query(`DROP SCHEMA IF EXISTS "${row.nspname}" CASCADE`);
  } finally {
    await c.end();
  }
}
