import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PhoneKeyTable } from "./phone-key-table.js";

describe("PhoneKeyTable", () => {
  it("stores and finds keys across growth, like a Map", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 1, max: 2 ** 50 }),
            fc.integer({ min: 0, max: 2 ** 32 - 1 }),
            fc.integer({ min: 1, max: 255 }),
          ),
          {
            maxLength: 3000,
          },
        ),
        (entries) => {
          const t = new PhoneKeyTable(4);
          const m = new Map<string, number>();
          for (const [p, tag, s] of entries) {
            t.set(p, tag, s, s * 7);
            m.set(`${p}|${tag}`, s);
          }
          expect(t.size).toBe(m.size);
          for (const [p, tag] of entries) {
            expect(t.state(p, tag)).toBe(m.get(`${p}|${tag}`));
            expect(t.value(p, tag)).toBe((m.get(`${p}|${tag}`) ?? 0) * 7);
          }
        },
      ),
    );
  });

  it("answers 0 for absent keys and distinguishes tags of one phone", () => {
    const t = new PhoneKeyTable();
    t.set(8613812345678, 1, 1, 0);
    expect(t.state(8613812345678, 2)).toBe(0);
    expect(t.state(8613812345679, 1)).toBe(0);
    expect(t.state(8613812345678, 1)).toBe(1);
  });

  it("adds to counters", () => {
    const t = new PhoneKeyTable();
    expect(t.add(8613812345678, 9, 1)).toBe(1);
    expect(t.add(8613812345678, 9, 2)).toBe(3);
    expect(t.value(8613812345678, 9)).toBe(3);
  });
});
