import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CREDIT_CODE_ALPHABET,
  creditCodeCheckChar,
  isValidCreditCode,
  normalizeCreditCode,
} from "./credit-code.js";

const alphabetChar = fc.constantFrom(...CREDIT_CODE_ALPHABET.split(""));
const prefix17 = fc.array(alphabetChar, { minLength: 17, maxLength: 17 }).map((a) => a.join(""));

describe("credit codes", () => {
  it("accepts the GB 32100-2015 worked example and known codes", () => {
    expect(isValidCreditCode("91350100M000100Y43")).toBe(true);
    expect(creditCodeCheckChar("91350100M000100Y4")).toBe("3");
    expect(isValidCreditCode("91110000802100433B")).toBe(true);
    expect(creditCodeCheckChar("91110000802100433")).toBe("B");
  });

  it("handles the check value 0 (31 → 0)", () => {
    // Find a prefix whose weighted sum is ≡ 0 (mod 31) by varying the last character.
    const base = "9135010000000000";
    const code = CREDIT_CODE_ALPHABET.split("")
      .map((c) => `${base}${c}`)
      .find((p) => creditCodeCheckChar(p) === "0");
    expect(code).toBeDefined();
    expect(isValidCreditCode(`${code}0`)).toBe(true);
  });

  it("tolerates whitespace and lower case", () => {
    expect(isValidCreditCode("  91350100m000100y43 ")).toBe(true);
    expect(normalizeCreditCode(" 91350100m000100y43\n")).toBe("91350100M000100Y43");
    expect(normalizeCreditCode("９１３５０１００Ｍ０００１００Ｙ４３")).toBe("91350100M000100Y43");
    expect(creditCodeCheckChar("91350100m000100y4")).toBe("3");
  });

  it("rejects malformed codes", () => {
    const bad = [
      "",
      "91350100M000100Y4",
      "91350100M000100Y433",
      "91350100M000100Y44",
      "91350100I000100Y43",
      "91350100O000100Y43",
      "9135 0100M000100Y43",
      "91350100M000100Y4Z",
    ];
    for (const code of bad) expect(isValidCreditCode(code), code).toBe(false);
    expect(normalizeCreditCode("91350100M000100Y44")).toBeNull();
    expect(creditCodeCheckChar("9135010")).toBeNull();
    expect(creditCodeCheckChar("91350100S000100Y4")).toBeNull();
  });

  it("validates exactly one check character per prefix", () => {
    fc.assert(
      fc.property(prefix17, alphabetChar, (prefix, other) => {
        const check = creditCodeCheckChar(prefix);
        expect(check).not.toBeNull();
        expect(isValidCreditCode(`${prefix}${check}`)).toBe(true);
        expect(normalizeCreditCode(`${prefix.toLowerCase()}${check}`)).toBe(`${prefix}${check}`);
        if (other !== check) expect(isValidCreditCode(`${prefix}${other}`)).toBe(false);
      }),
    );
  });

  it("detects every single-character substitution", () => {
    fc.assert(
      fc.property(prefix17, fc.integer({ min: 0, max: 16 }), alphabetChar, (prefix, pos, sub) => {
        fc.pre(prefix.charAt(pos) !== sub);
        const code = `${prefix}${creditCodeCheckChar(prefix)}`;
        const mutated = `${code.slice(0, pos)}${sub}${code.slice(pos + 1)}`;
        expect(isValidCreditCode(mutated)).toBe(false);
      }),
    );
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(typeof isValidCreditCode(s)).toBe("boolean");
        creditCodeCheckChar(s);
      }),
    );
  });
});
