import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CsvPortabilityTable } from "./portability-table.js";

const dir = mkdtempSync(join(tmpdir(), "anning-portability-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("CsvPortabilityTable.fromFile", () => {
  it("reads numbers in any usual form and carriers by code or Chinese name", () => {
    const path = file(
      "ported.csv",
      [
        "\ufeffphone,carrier",
        "13812345678,cucc",
        "+8613912345678,电信",
        "8613012345678,移动",
        '"138 0013 8000","CBN"',
        "",
        "+86 189-1234-5678 , 中国联通 ",
      ].join("\r\n"),
    );
    const t = CsvPortabilityTable.fromFile(path);
    expect(t.size).toBe(5);
    expect(t.carrierOf("+8613812345678")).toBe("cucc");
    expect(t.carrierOf("+8613912345678")).toBe("ctcc");
    expect(t.carrierOf("+8613012345678")).toBe("cmcc");
    expect(t.carrierOf("+8613800138000")).toBe("cbn");
    expect(t.carrierOf("+8618912345678")).toBe("cucc");
    expect(t.carrierOf("+8613700000000")).toBeUndefined();
  });

  it("takes the columns in any order and ignores others", () => {
    const path = file(
      "reordered.csv",
      'carrier,ported_at,Phone\ncmcc,2026-01-01,13012345678\n联通,"2026-02-01, noon",13112345678\n',
    );
    const t = CsvPortabilityTable.fromFile(path);
    expect(t.size).toBe(2);
    expect(t.carrierOf("+8613012345678")).toBe("cmcc");
    expect(t.carrierOf("+8613112345678")).toBe("cucc");
  });

  it("takes a number listed twice with the same carrier once, in whatever form and name", () => {
    const path = file(
      "dup.csv",
      "phone,carrier\n13012345678,cucc\n+86 130 1234 5678,联通\n8613012345678,CUCC\n",
    );
    const t = CsvPortabilityTable.fromFile(path);
    expect(t.size).toBe(1);
    expect(t.carrierOf("+8613012345678")).toBe("cucc");
  });

  it("refuses a number listed with two carriers, naming both lines and never the number", () => {
    const path = file(
      "conflict.csv",
      [
        "phone,carrier",
        "13012345678,cmcc",
        "13912345678,ctcc",
        "",
        "+8613012345678,联通",
        "13912345678,ctcc",
        "130 1234 5678,cbn",
      ].join("\n"),
    );
    let message = "";
    try {
      CsvPortabilityTable.fromFile(path);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(
      `portability file ${path}: 2 bad rows: ` +
        "line 5: the number of line 2 again, with another carrier (cucc, not cmcc); " +
        "line 7: the number of line 2 again, with another carrier (cbn, not cmcc)",
    );
    expect(message).not.toMatch(/1301234|12345678/);
  });

  it("reads a header-only file as empty", () => {
    expect(CsvPortabilityTable.fromFile(file("empty.csv", "phone,carrier\n")).size).toBe(0);
  });

  it("names malformed rows by line, at most ten, and refuses the file", () => {
    const rows = [
      "phone,carrier",
      "13812345678,cmcc",
      "12345,cmcc",
      "13912345678,vodafone",
      "+14155552671,cmcc",
    ];
    for (let i = 0; i < 12; i++) rows.push(`bad${i},cucc`);
    rows.push('"13812345678,cmcc');
    const path = file("bad.csv", rows.join("\n"));
    let message = "";
    try {
      CsvPortabilityTable.fromFile(path);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(path);
    expect(message).toContain("16 bad rows (first 10 shown)");
    expect(message).toContain("line 3: phone is not a Chinese mobile number");
    expect(message).toContain('line 4: unknown carrier "vodafone"');
    expect(message).toContain("line 5: phone is not a Chinese mobile number");
    expect(message).toContain("line 12:");
    expect(message).not.toContain("line 13:");
    expect(message.match(/line \d+:/g)).toHaveLength(10);
  });

  it("refuses a row without a carrier, a landline, and unbalanced quotes, each by its line", () => {
    const path = file(
      "malformed.csv",
      ["phone,carrier", "13812345678", "01012345678,cmcc", "13812345679,cmcc", '"13812345670,cucc'].join(
        "\n",
      ),
    );
    expect(() => CsvPortabilityTable.fromFile(path)).toThrow(
      /3 bad rows: line 2: unknown carrier ""; line 3: phone is not a Chinese mobile number; line 5: unbalanced quotes$/,
    );
  });

  it("requires the header", () => {
    expect(() => CsvPortabilityTable.fromFile(file("noheader.csv", "13812345678,cmcc\n"))).toThrow(
      /line 1: the header must name phone,carrier/,
    );
    expect(() => CsvPortabilityTable.fromFile(file("blank.csv", "\n\n"))).toThrow(/no header row/);
  });

  it("names a missing file", () => {
    expect(() => CsvPortabilityTable.fromFile(join(dir, "missing.csv"))).toThrow(/missing\.csv: ENOENT/);
  });
});

describe("CsvPortabilityTable.fromRows", () => {
  it("builds from rows and numbers bad ones from 1", () => {
    const t = CsvPortabilityTable.fromRows([{ phone: "13812345678", carrier: "ctcc" }]);
    expect(t.carrierOf("+8613812345678")).toBe("ctcc");
    expect(() =>
      CsvPortabilityTable.fromRows([
        { phone: "13812345678", carrier: "ctcc" },
        { phone: "13812345678", carrier: "" },
      ]),
    ).toThrow(/^1 bad row: row 2: unknown carrier ""$/);
    expect(() =>
      CsvPortabilityTable.fromRows([
        { phone: "13812345678", carrier: "ctcc" },
        { phone: "13812345678", carrier: "ctcc" },
        { phone: "+8613812345678", carrier: "cmcc" },
      ]),
    ).toThrow(/^1 bad row: row 3: the number of row 1 again, with another carrier \(cmcc, not ctcc\)$/);
  });

  it("holds a large table", () => {
    const rows = function* () {
      for (let i = 0; i < 50_000; i++)
        yield { phone: `+86138${String(i).padStart(8, "0")}`, carrier: "cucc" };
    };
    const t = CsvPortabilityTable.fromRows(rows());
    expect(t.size).toBe(50_000);
    expect(t.carrierOf("+8613800049999")).toBe("cucc");
  });
});
