import { createReadStream, existsSync } from "node:fs";
import { parse } from "csv-parse";

/**
 * Streams the rows of a CSV file with a header line as objects, with their 1-based data row number.
 * Byte-order marks and blank lines are tolerated; ragged rows are passed on for the caller to reject.
 */
export async function* readCsv(file: string): AsyncGenerator<{ row: number; bytes: number; record: Record<string, string> }> {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
  const parser = createReadStream(file).pipe(
    parse({ columns: (h: string[]) => h.map((c) => c.trim()), bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }),
  );
  let row = 0;
  for await (const r of parser as AsyncIterable<{ record: Record<string, string>; info: { bytes: number } }>) {
    row++;
    yield { row, bytes: r.info.bytes, record: r.record };
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
