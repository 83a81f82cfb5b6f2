import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digitsToE164, maskPhone, parsePhone } from "./phone.js";

const cnMobile = fc
  .tuple(
    fc.integer({ min: 3, max: 9 }),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
  )
  .map(([second, rest]) => `1${second}${rest.join("")}`);

function spaced(national: string, sep: string): string {
  return `${national.slice(0, 3)}${sep}${national.slice(3, 7)}${sep}${national.slice(7)}`;
}

describe("parsePhone", () => {
  it("normalises every Chinese mobile form to the same number", () => {
    const forms = [
      "13812345678",
      "+8613812345678",
      "008613812345678",
      "8613812345678",
      "138 1234 5678",
      "+86 138-1234-5678",
      "  +86 138 1234 5678 ",
      "(+86) 138 1234 5678",
      "0086-138-1234-5678",
      "１３８１２３４５６７８", // full-width, as Chinese input methods type them
      "＋８６　１３８－１２３４－５６７８",
    ];
    for (const form of forms) {
      expect(parsePhone(form), form).toEqual({
        ok: true,
        e164: "+8613812345678",
        digits: 8613812345678,
        country: "CN",
        timeZone: "Asia/Shanghai",
      });
    }
  });

  it("parses foreign numbers through libphonenumber-js", () => {
    expect(parsePhone("+14155552671")).toEqual({
      ok: true,
      e164: "+14155552671",
      digits: 14155552671,
      country: "US",
      timeZone: "America/New_York",
    });
    expect(parsePhone("+44 7400 123456")).toMatchObject({ ok: true, e164: "+447400123456", country: "GB" });
    expect(parsePhone("0044 7400 123456")).toMatchObject({ ok: true, e164: "+447400123456" });
    expect(parsePhone("+852 9123 4567")).toMatchObject({
      ok: true,
      country: "HK",
      timeZone: "Asia/Hong_Kong",
    });
    expect(parsePhone("+1 (415) 555-2671")).toMatchObject({ ok: true, digits: 14155552671 });
  });

  it("refuses Chinese fixed lines and service numbers in every form: SMS goes to mobiles", () => {
    const fixed = [
      "01012345678",
      "010 1234 5678",
      "+861012345678",
      "8610 1234 5678",
      "00861012345678",
      "02087654321",
      "+86 20 8765 4321",
      "075512345678",
      "+86 571 8765 4321",
      "4001234567",
      "+864001234567",
      "+8695555",
    ];
    for (const input of fixed) expect(parsePhone(input), input).toEqual({ ok: false });
    // a mobile written with the trunk prefix 0 is still a mobile
    expect(parsePhone("013812345678")).toMatchObject({ ok: true, e164: "+8613812345678" });
  });

  it("refuses numbers the full metadata calls fixed lines abroad, keeps fixed-line-or-mobile ones", () => {
    for (const input of [
      "+44 20 7183 8750",
      "+852 2123 4567",
      "+49 30 123456",
      "+81 3 1234 5678",
      "+65 6123 4567",
    ])
      expect(parsePhone(input), input).toEqual({ ok: false });
    // North American numbers do not say which they are: kept, as before
    for (const input of ["+1 415 555 2671", "+1 212 555 0123", "+1 416 555 0123"])
      expect(parsePhone(input), input).toMatchObject({ ok: true });
    for (const input of ["+852 9123 4567", "+49 151 12345678", "+81 90 1234 5678", "+65 8123 4567"])
      expect(parsePhone(input), input).toMatchObject({ ok: true });
  });

  it("falls back to UTC for countries outside the table", () => {
    const r = parsePhone("+37060012345"); // Lithuania
    expect(r).toMatchObject({ ok: true, country: "LT", timeZone: "UTC" });
  });

  it("rejects garbage", () => {
    const bad = [
      "",
      " ",
      "+",
      "abc",
      "138abcd5678",
      "1381234567",
      "138123456789",
      "12345678901",
      "+8612345678901",
      "+861381234567",
      "4155552671",
      "+1 415 555 2671 ext. 5",
      "+1415555267a",
      "++8613812345678",
      "138+12345678",
      "1".repeat(100),
      "１３８ａｂｃｄ５６７８",
    ];
    for (const input of bad) expect(parsePhone(input), input).toEqual({ ok: false });
  });

  it("keeps digits within the safe integer range", () => {
    const r = parsePhone("+8613812345678");
    expect(r.ok && Number.isSafeInteger(r.digits)).toBe(true);
  });

  it("parses every formatting variant of a valid CN mobile to the same digits", () => {
    fc.assert(
      fc.property(cnMobile, fc.constantFrom("", " ", "-"), (national, sep) => {
        const expected = Number(`86${national}`);
        const body = spaced(national, sep);
        for (const form of [national, body, `+86${body}`, `+86 ${body}`, `0086${body}`, `86${body}`]) {
          const r = parsePhone(form);
          if (!r.ok || r.digits !== expected || r.e164 !== `+${expected}`) return false;
        }
        return true;
      }),
    );
  });

  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        const r = parsePhone(s);
        expect(typeof r.ok).toBe("boolean");
        expect(typeof maskPhone(s)).toBe("string");
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9 ()-]{0,20}$/), (s) => {
        const r = parsePhone(s);
        if (r.ok) expect(Number.isSafeInteger(r.digits)).toBe(true);
      }),
    );
  });
});

describe("digitsToE164", () => {
  it("round-trips parsed digits", () => {
    expect(digitsToE164(8613812345678)).toBe("+8613812345678");
    const r = parsePhone("+447400123456");
    expect(r.ok && digitsToE164(r.digits)).toBe("+447400123456");
  });
});

describe("maskPhone", () => {
  it("masks the middle of national numbers", () => {
    expect(maskPhone("+8613812345678")).toBe("138****5678");
    expect(maskPhone("13812345678")).toBe("138****5678");
    expect(maskPhone("008613812345678")).toBe("138****5678");
    expect(maskPhone("+447400123456")).toBe("740***3456");
    // a number that is not a mobile is masked as odd input: at most its last two digits
    expect(maskPhone("+861012345678")).toBe("***********78");
  });

  it("keeps at most two characters of odd input", () => {
    expect(maskPhone("")).toBe("");
    expect(maskPhone("1")).toBe("*");
    expect(maskPhone("12")).toBe("*2");
    expect(maskPhone("12345")).toBe("***45");
    expect(maskPhone("hello world")).toBe("*********ld");
  });

  it("never reveals the middle digits of a CN mobile", () => {
    fc.assert(
      fc.property(cnMobile, fc.constantFrom("", "+86", "0086", "86"), (national, prefix) => {
        const masked = maskPhone(`${prefix}${national}`);
        expect(masked).toBe(`${national.slice(0, 3)}****${national.slice(7)}`);
        expect(masked).not.toContain(national);
      }),
    );
  });

  it("never returns the whole input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1 }), (s) => {
        const masked = maskPhone(s);
        expect(Array.from(masked).filter((c) => c !== "*").length).toBeLessThanOrEqual(7);
        const revealable = Array.from(s.trim()).filter((c) => c !== "*").length;
        if (revealable >= 3) expect(masked).not.toBe(s.trim());
      }),
    );
  });
});
