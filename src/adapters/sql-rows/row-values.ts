/**
 * Reading column values the same way from either store: better-sqlite3 and pg rows are plain objects
 * keyed by column name; JSON columns arrive as text (SQLite) or already parsed (PostgreSQL jsonb).
 */

/** A row: column name → value. */
export type Row = Record<string, unknown>;

/** A row read as an array (a better-sqlite3 statement in raw mode): its columns in the order selected. */
export type RowValues = unknown[];

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

/** A JSON column written by anning: text to parse (SQLite) or a value pg already parsed (jsonb). */
export function json<T>(v: unknown): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}
