import { createReadStream, existsSync } from "node:fs";
import { parse } from "csv-parse";

/** One data row: its 1-based number, bytes read so far, fields by column, and whether it was ragged. */
export interface CsvRow {
  row: number;
  bytes: number;
  record: Record<string, string>;
  /** The row had more or fewer fields than the header: the caller rejects it rather than guess. */
  ragged: boolean;
}

/**
 * Streams the rows of a CSV file with a header line, checking that the header names every required
 * column and, when `optional` is given, no column outside `required` and `optional` (a misspelt
 * `expires_at` would otherwise be dropped unseen): a CliError otherwise. Byte-order marks, surrounding
 * spaces and blank lines are tolerated; a file that is not CSV (a quote never closed, say) is a
 * CliError naming the line, thrown after the rows before it were yielded.
 */
export async function* readCsv(
  file: string,
  required: readonly string[],
  optional?: readonly string[],
): AsyncGenerator<CsvRow> {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
  const parser = createReadStream(file).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }),
  );
  let header: string[] | null = null;
  let row = 0;
  const records = parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>;
  for await (const r of notCsvAsCliError(file, records)) {
    if (header === null) {
      header = r.record.map((c) => c.trim());
      const missing = required.filter((c) => !header?.includes(c));
      if (missing.length) throw new CliError(`${file}: missing column(s): ${missing.join(", ")}`);
      const known = new Set([...required, ...(optional ?? [])]);
      const unknown = optional ? header.filter((c) => !known.has(c)) : [];
      if (unknown.length)
        throw new CliError(
          `${file}: unknown column(s): ${unknown.join(", ")} (the columns are ${[...known].join(", ")})`,
        );
      continue;
    }
    row++;
    const record: Record<string, string> = {};
    header.forEach((name, i) => {
      record[name] = r.record[i] ?? "";
    });
    yield { row, bytes: r.info.bytes, record, ragged: r.record.length !== header.length };
  }
  if (header === null) throw new CliError(`${file}: empty file (a header line is needed)`);
}

/** Passes records through; a parse failure becomes a CliError naming the file and the line. */
async function* notCsvAsCliError<T>(file: string, records: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* records;
  } catch (err) {
    const e = err as { code?: unknown; lines?: unknown; message?: unknown };
    if (typeof e.code !== "string" || !e.code.startsWith("CSV_")) throw err;
    const line = typeof e.lines === "number" ? ` near line ${e.lines}` : "";
    throw new CliError(`${file}: not valid CSV${line} (${e.code})`);
  }
}

/** A CLI usage or input fault: printed without a stack, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

/** Quotes a CSV field when needed. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
