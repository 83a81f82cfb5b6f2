import { StoreConflictError } from "../../domain/shared/store-errors.js";

/** A row as better-sqlite3 returns it: column name → value. */
export type Row = Record<string, unknown>;

/** Whether an error is SQLite's report of a broken UNIQUE or PRIMARY KEY constraint. */
export function isUniqueViolation(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

/**
 * Runs `fn`, turning a UNIQUE violation into a StoreConflictError. `whatByColumn` maps "table.column"
 * (as SQLite names the first column of the broken constraint) to the short `what`; `fallback` names any
 * other uniqueness conflict.
 */
export function withConflicts<T>(fn: () => T, whatByColumn: Record<string, string>, fallback: string): T {
  try {
    return fn();
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const failed = /constraint failed: ([\w.]+)/.exec(err.message)?.[1] ?? "";
    throw new StoreConflictError(whatByColumn[failed] ?? fallback);
  }
}

export function str(v: unknown): string {
  return String(v);
}

export function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

export function num(v: unknown): number {
  return Number(v);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Parses a JSON column written by this adapter. */
export function json<T>(v: unknown): T {
  return JSON.parse(String(v)) as T;
}

/** A list of ids as one bound parameter, expanded with `json_each(?)`. */
export function idList(ids: readonly string[]): string {
  return JSON.stringify(ids);
}
