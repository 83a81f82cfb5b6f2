import { StoreConflictError } from "../../domain/shared/store-errors.js";

export { json, num, numOrNull, type Row, type RowValues, str, strOrNull } from "../sql-rows/row-values.js";

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

/** A list of ids as one bound parameter, expanded with `json_each(?)`. */
export function idList(ids: readonly string[]): string {
  return JSON.stringify(ids);
}
