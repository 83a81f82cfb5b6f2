import pg from "pg";
import { StoreConflictError } from "../../domain/shared/store-errors.js";

export { json, num, numOrNull, type Row, str, strOrNull } from "../sql-rows/row-values.js";

/** A connection pool (pg.Pool) whose int8 and numeric columns arrive as JS numbers. */
export type PgPool = pg.Pool;
/** One checked-out connection, e.g. inside a transaction. */
export type PgClient = pg.PoolClient;
/** Something that runs queries: the pool or a client in a transaction. */
export type Queryable = Pick<pg.Pool, "query"> | Pick<pg.PoolClient, "query">;

/** Connection settings parsed from `postgres://…[?schema=name]`. */
export interface PgTarget {
  /** The URL without anning's own `schema` parameter. */
  url: string;
  /** The schema anning's tables live in (default `public`). */
  schema: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Splits anning's `schema` query parameter off a PostgreSQL URL and checks it is a plain identifier. */
export function parsePgUrl(raw: string): PgTarget {
  const u = new URL(raw);
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:")
    throw new Error("a PostgreSQL URL starts with postgres://");
  const schema = u.searchParams.get("schema") ?? "public";
  if (!SCHEMA_NAME.test(schema)) throw new Error("schema must be a lower-case SQL identifier");
  u.searchParams.delete("schema");
  return { url: u.toString(), schema };
}

/** int8 (20) and numeric (1700) as numbers: every integer anning stores fits in 2^53. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format ?? "text");
  },
} as pg.CustomTypesConfig;

/** Opens a pool on the target; every connection's search_path is the target schema. */
export function openPool(target: PgTarget, max = 10): PgPool {
  const pool = new pg.Pool({
    connectionString: target.url,
    max,
    types,
    options: `-c search_path=${target.schema}`,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: "anning",
  });
  // an idle client losing its server must not kill the process: the next query reports the error
  pool.on("error", () => {});
  return pool;
}

/** Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: PgPool, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** Whether an error is PostgreSQL's unique_violation (23505). */
export function isUniqueViolation(err: unknown): err is Error & { constraint?: string } {
  return err instanceof Error && (err as { code?: unknown }).code === "23505";
}

/**
 * Runs `fn`, turning a unique violation into a StoreConflictError. `whatByConstraint` maps the broken
 * constraint's (or unique index's) name to the short `what`; `fallback` names any other conflict.
 */
export async function withConflicts<T>(
  fn: () => Promise<T>,
  whatByConstraint: Record<string, string>,
  fallback: string,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    throw new StoreConflictError(whatByConstraint[err.constraint ?? ""] ?? fallback);
  }
}

/** First day of the UTC month containing `ms`, as epoch milliseconds. */
export function monthStart(ms: number, plusMonths = 0): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + plusMonths, 1);
}

/** How a partitioned table's range bound is written for a month starting at `ms`. */
export type BoundOf = (ms: number) => string;

/**
 * Creates the monthly range partitions of `table` from `monthsBack` months before the month of `now`
 * up to `monthsAhead` months after it (those that do not exist yet). Partitions are named
 * `<table>_<yyyymm>`; rows outside every month land in `<table>_default`, which the migration creates.
 */
export async function ensureMonthlyPartitions(
  q: Queryable,
  table: string,
  boundOf: BoundOf,
  now: number,
  monthsBack = 1,
  monthsAhead = 2,
): Promise<void> {
  for (let i = -monthsBack; i <= monthsAhead; i++) {
    const from = monthStart(now, i);
    const to = monthStart(now, i + 1);
    const d = new Date(from);
    const name = `${table}_${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    const exists = await q.query(
      "SELECT 1 FROM pg_class WHERE relname = $1 AND relnamespace = current_schema()::regnamespace",
      [name],
    );
    if (exists.rowCount) continue;
    try {
      await q.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM (${boundOf(from)}) TO (${boundOf(to)})`,
      );
    } catch (err) {
      // rows of that month already sit in the default partition: they stay there, still found
      // or another node created it at the same moment
      const code = (err as { code?: string }).code;
      if (code !== "23514" && code !== "42P07" && code !== "23505") throw err;
    }
  }
}
