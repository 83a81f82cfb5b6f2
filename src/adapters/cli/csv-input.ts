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
 * column (a CliError otherwise). Byte-order marks, surrounding spaces and blank lines are tolerated.
 */
export async function* readCsv(file: string, required: readonly string[]): AsyncGenerator<CsvRow> {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
  const parser = createReadStream(file).pipe(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }),
  );
  let header: string[] | null = null;
  let row = 0;
  for await (const r of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
    if (header === null) {
      header = r.record.map((c) => c.trim());
      const missing = required.filter((c) => !header?.includes(c));
      if (missing.length) throw new CliError(`${file}: missing column(s): ${missing.join(", ")}`);
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
