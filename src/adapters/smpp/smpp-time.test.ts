import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSmppTime, parseSmppTime } from "./smpp-time.js";

const NOW = Date.parse("2026-11-11T00:00:00Z");

describe("SMPP time fields", () => {
  it("reads absolute times with their zone in quarter hours", () => {
    // 2026-11-11 10:00:00 at UTC+8 (32 quarter hours) is 02:00 UTC
    expect(parseSmppTime("261111100000032+", NOW)).toEqual({
      ok: true,
      at: Date.parse("2026-11-11T02:00:00Z"),
    });
    expect(parseSmppTime("261111020000000-", NOW)).toEqual({
      ok: true,
      at: Date.parse("2026-11-11T02:00:00Z"),
    });
  });

  it("reads relative times against now", () => {
    expect(parseSmppTime("000001020304000R", NOW)).toEqual({
      ok: true,
      at: NOW + 86_400_000 + ((2 * 60 + 3) * 60 + 4) * 1000,
    });
  });

  it("empty is none; anything malformed is refused", () => {
    expect(parseSmppTime("", NOW)).toEqual({ ok: true, at: null });
    for (const bad of ["26111110000003+", "261311100000032+", "261131100000032+", "261111100000032x", "abc"])
      expect(parseSmppTime(bad, NOW), bad).toEqual({ ok: false });
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (s) => {
        const r = parseSmppTime(s, NOW);
        expect(typeof r.ok).toBe("boolean");
      }),
    );
  });
});

describe("formatSmppTime", () => {
  it("writes UTC with a zero offset, and parseSmppTime reads it back to the tenth of a second", () => {
    expect(formatSmppTime(Date.parse("2026-11-11T02:03:04.567Z"))).toBe("261111020304500+");
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }), (at) => {
        expect(parseSmppTime(formatSmppTime(at), NOW)).toEqual({ ok: true, at: at - (at % 1000) });
      }),
    );
  });
});
