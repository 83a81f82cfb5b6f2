import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { upstreamIdKey, upstreamIdLookupKeys } from "./upstream-id.js";

/**
 * The specification of which ids name the same message: every form an id may take (`s:` the id trimmed,
 * lower-cased, leading zeros stripped; `n:` its numeric value, read as decimal and as hex, for ids of at
 * most 30 significant digits); two ids match when they share a form. The store keeps one key per part
 * and looks up a few (upstreamIdKey, upstreamIdLookupKeys); the tests below hold that to this.
 */
function upstreamIdKeys(id: string): string[] {
  const t = id.trim().toLowerCase();
  if (t === "") return [];
  const s = t.replace(/^0+/, "") || "0";
  const keys = [`s:${s}`];
  if (s.length <= 30) {
    if (/^[0-9]+$/.test(s)) keys.push(`n:${BigInt(s).toString(16)}`);
    if (/^[0-9a-f]+$/.test(s)) keys.push(`n:${BigInt(`0x${s}`).toString(16)}`);
  }
  return [...new Set(keys)];
}

const shares = (a: string, b: string) => upstreamIdKeys(a).some((k) => upstreamIdKeys(b).includes(k));

/** An id written with random letter case and up to 4 leading zeros. */
const spelled = (s: string) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: 4 }),
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
    )
    .map(
      ([zeros, upper]) => "0".repeat(zeros) + [...s].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""),
    );

describe("the matching specification (upstreamIdKeys)", () => {
  it.each([
    ["00A1F", ["s:a1f", "n:a1f"]],
    ["a1f", ["s:a1f", "n:a1f"]],
    ["2591", ["s:2591", "n:a1f", "n:2591"]],
    ["  0002591\t", ["s:2591", "n:a1f", "n:2591"]],
    ["000", ["s:0", "n:0"]],
    ["0", ["s:0", "n:0"]],
    ["msg-00ab", ["s:msg-00ab"]],
    ["B5E6-77", ["s:b5e6-77"]],
    ["", []],
    ["   ", []],
  ])("keys %j as %j", (id, keys) => {
    expect(upstreamIdKeys(id)).toEqual(keys);
  });

  it("matches the hex and decimal forms of one id, and not another id", () => {
    expect(shares("00A1F", "2591")).toBe(true);
    expect(shares("a1f", "0A1F")).toBe(true);
    expect(shares("18446744073709551615", "FFFFFFFFFFFFFFFF")).toBe(true);
    expect(shares("a1f", "a1e")).toBe(false);
    expect(shares("2591", "2590")).toBe(false);
    expect(shares("msg-1", "MSG-01")).toBe(false);
  });

  it("makes no numeric key past 30 significant digits", () => {
    const long = "1".repeat(31);
    expect(upstreamIdKeys(long)).toEqual([`s:${long}`]);
    expect(upstreamIdKeys(`000${"f".repeat(30)}`)).toEqual([`s:${"f".repeat(30)}`, `n:${"f".repeat(30)}`]);
  });

  it("gives every form of one number (decimal or hex, any case, leading zeros) a shared key", () => {
    const n = fc.bigInt({ min: 0n, max: 10n ** 30n - 1n });
    const forms = n.chain((v) =>
      fc.tuple(
        fc.oneof(spelled(v.toString(10)), spelled(v.toString(16))),
        fc.oneof(spelled(v.toString(10)), spelled(v.toString(16))),
      ),
    );
    fc.assert(fc.property(forms, ([a, b]) => shares(a, b)));
  });

  it("keeps ids with a hex letter apart unless they are the same number", () => {
    const hexWithLetter = fc
      .bigInt({ min: 0n, max: 16n ** 20n })
      .map((v) => v.toString(16))
      .filter((h) => /[a-f]/.test(h));
    fc.assert(
      fc.property(hexWithLetter, hexWithLetter, (a, b) => shares(a.toUpperCase(), `00${b}`) === (a === b)),
    );
  });

  it("is stable under trimming and case for any string", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const keys = upstreamIdKeys(s);
        expect(upstreamIdKeys(` ${s.toUpperCase()} `)).toEqual(upstreamIdKeys(s.toUpperCase()));
        expect(new Set(keys).size).toBe(keys.length);
        if (s.trim() !== "") expect(keys[0]).toMatch(/^s:/);
      }),
    );
  });
});

describe("upstreamIdKey and upstreamIdLookupKeys (one stored key, several looked up)", () => {
  const finds = (sent: string, receipt: string) =>
    upstreamIdKey(sent) !== "" && upstreamIdLookupKeys(receipt).includes(upstreamIdKey(sent));

  it.each([
    ["00A1F", "a1f", ["a1f", "2591"]],
    ["2591", "2591", ["2591", "a1f", "9617"]],
    ["  0002591\t", "2591", ["2591", "a1f", "9617"]],
    ["000", "0", ["0"]],
    ["msg-00ab", "msg-00ab", ["msg-00ab"]],
    ["", "", []],
  ])("stores %j as %j and looks it up as %j", (id, key, lookup) => {
    expect(upstreamIdKey(id)).toBe(key);
    expect(upstreamIdLookupKeys(id)).toEqual(lookup);
  });

  it("matches exactly the pairs that share a key in upstreamIdKeys", () => {
    // short ids over digits and a few hex letters, so that hex/decimal coincidences are frequent
    const id = fc
      .array(fc.constantFrom("0", "1", "2", "5", "9", "a", "F", "x"), { minLength: 0, maxLength: 6 })
      .map((cs) => cs.join(""));
    const number = fc
      .bigInt({ min: 0n, max: 10n ** 32n })
      .chain((v) => fc.constantFrom(v.toString(10), v.toString(16).toUpperCase(), `0${v.toString(16)}`));
    for (const arb of [id, number])
      fc.assert(
        fc.property(arb, arb, (a, b) => {
          expect(finds(a, b)).toBe(shares(a, b));
        }),
        { numRuns: 2000 },
      );
  });
});
