import { readFileSync } from "node:fs";
import { parsePhone } from "../../domain/phone/phone.js";
import { CARRIERS, type Carrier, parseCarrier } from "../../domain/routing/carriers.js";
import type { NumberPortability } from "../../domain/routing/number-portability.port.js";

/** One ported number: the phone in any usual form, the carrier by code or Chinese name. */
export interface PortabilityRow {
  phone: string;
  carrier: string;
}

const MAX_LISTED = 10;

/**
 * Ported numbers (携号转网) from a CSV file `phone,carrier` with a header row: phones in any usual form
 * (13812345678, +8613812345678, 8613812345678), carriers as cmcc/cucc/ctcc/cbn or 移动/联通/电信/广电.
 * Held in memory (a few million numbers fit). A number listed twice with the same carrier is taken once;
 * listed with two carriers it is a bad row, never a silent last-wins. A file with bad rows (no Chinese
 * mobile, an unknown carrier, unbalanced quotes, a conflict) is refused whole, naming the first ten by
 * line number (by position for {@link CsvPortabilityTable.fromRows}); the numbers are never named.
 *
 * @example
 * const portability = CsvPortabilityTable.fromFile("/etc/anning/ported.csv");
 * portability.carrierOf("+8613812345678"); // "cucc" when listed, undefined otherwise
 */
export class CsvPortabilityTable implements NumberPortability {
  /**
   * Keyed by the number's E.164 digits as a number (half the memory of string keys); the value packs the
   * line that listed it with the carrier's index in CARRIERS (line × 4 + index), one small integer.
   */
  private constructor(private readonly table: ReadonlyMap<number, number>) {}

  /** Reads a CSV file (UTF-8, optional BOM, `phone` and `carrier` columns in any order). */
  static fromFile(path: string): CsvPortabilityTable {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new Error(`portability file ${path}: ${(err as Error).message}`);
    }
    try {
      return CsvPortabilityTable.fromCsv(text);
    } catch (err) {
      throw new Error(`portability file ${path}: ${(err as Error).message}`);
    }
  }

  /** Builds the table from rows; errors name rows by their 1-based position. */
  static fromRows(rows: Iterable<PortabilityRow>): CsvPortabilityTable {
    const b = new Builder("row");
    let n = 0;
    for (const row of rows) b.add(++n, row.phone, row.carrier);
    return new CsvPortabilityTable(b.build());
  }

  /** Builds the table from CSV text; errors name rows by their line number (the header is line 1). */
  static fromCsv(text: string): CsvPortabilityTable {
    const b = new Builder("line");
    let phoneCol = -1;
    let carrierCol = -1;
    let line = 0;
    let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const raw = text.slice(start, end > start && text[end - 1] === "\r" ? end - 1 : end);
      start = end + 1;
      line++;
      if (raw.trim() === "") continue;
      const fields = splitCsvLine(raw);
      if (phoneCol < 0) {
        const names = (fields ?? []).map((f) => f.trim().toLowerCase());
        phoneCol = names.indexOf("phone");
        carrierCol = names.indexOf("carrier");
        if (phoneCol < 0 || carrierCol < 0)
          throw new Error(`line ${line}: the header must name phone,carrier`);
        continue;
      }
      if (fields === null) b.fail(line, "unbalanced quotes");
      else b.add(line, fields[phoneCol] ?? "", fields[carrierCol] ?? "");
    }
    if (phoneCol < 0) throw new Error("no header row (phone,carrier)");
    return new CsvPortabilityTable(b.build());
  }

  /** The current carrier of a ported number (E.164), or undefined when it is not listed. */
  carrierOf(e164: string): Carrier | undefined {
    if (!e164.startsWith("+86")) return undefined;
    const v = this.table.get(Number(e164.slice(1)));
    return v === undefined ? undefined : CARRIERS[v % 4];
  }

  /** How many numbers are listed. */
  get size(): number {
    return this.table.size;
  }
}

/** Collects rows and their problems; `build` throws when there were any. */
class Builder {
  private readonly table = new Map<number, number>();
  private readonly problems: string[] = [];
  private bad = 0;

  /** `unit` names a row in problems: "line" (of a file) or "row" (a position). */
  constructor(private readonly unit: "line" | "row") {}

  add(row: number, phone: string, carrierName: string): void {
    const p = parsePhone(phone.trim());
    const carrier = parseCarrier(carrierName);
    if (!p.ok || !p.e164.startsWith("+86")) this.fail(row, "phone is not a Chinese mobile number");
    else if (carrier === null) this.fail(row, `unknown carrier "${carrierName.trim().slice(0, 20)}"`);
    else this.put(row, p.digits, carrier);
  }

  /** Lists a number; the same number again is fine with the same carrier, a bad row with another. */
  private put(row: number, digits: number, carrier: Carrier): void {
    const index = CARRIERS.indexOf(carrier);
    const before = this.table.get(digits);
    if (before === undefined) this.table.set(digits, row * 4 + index);
    else if (before % 4 !== index) {
      const first = `${this.unit} ${Math.floor(before / 4)}`;
      this.fail(
        row,
        `the number of ${first} again, with another carrier (${carrier}, not ${CARRIERS[before % 4]})`,
      );
    }
  }

  fail(row: number, problem: string): void {
    this.bad++;
    if (this.problems.length < MAX_LISTED) this.problems.push(`${this.unit} ${row}: ${problem}`);
  }

  build(): Map<number, number> {
    if (this.bad > 0) {
      const more = this.bad > MAX_LISTED ? ` (first ${MAX_LISTED} shown)` : "";
      throw new Error(`${this.bad} bad row${this.bad === 1 ? "" : "s"}${more}: ${this.problems.join("; ")}`);
    }
    return this.table;
  }
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields); null on unbalanced quotes. */
function splitCsvLine(line: string): string[] | null {
  if (!line.includes('"')) return line.split(",");
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = "";
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] !== '"') break;
        field += '"';
        i++;
      }
      const comma = line.indexOf(",", i);
      field += line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(",", i);
      field = line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length + 1 : comma + 1;
    }
    fields.push(field);
    if (i > line.length) return fields;
  }
}
