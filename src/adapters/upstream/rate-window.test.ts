import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RateWindow } from "./rate-window.js";

describe("rate window", () => {
  it("lets at most the rate through in any one-second window, even after an idle spell", () => {
    let t = 10_000;
    const w = new RateWindow(50, () => t);
    const sent: number[] = [];
    // as fast as it lets: for 3 s
    while (t < 13_000) {
      if (w.take()) sent.push(t);
      else t += Math.max(1, w.waitMs());
    }
    expect(sent.filter((s) => s < 11_000)).toHaveLength(50);
    for (const s of sent) expect(sent.filter((x) => x >= s && x < s + 1000).length).toBeLessThanOrEqual(50);
    // and it keeps up the rate
    expect(sent.length).toBeGreaterThanOrEqual(150);
  });

  it("never exceeds the rate whatever the timing of the attempts", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        (rate, gaps) => {
          let t = 0;
          const w = new RateWindow(rate, () => t);
          const sent: number[] = [];
          for (const g of gaps) {
            t += g;
            if (w.take()) sent.push(t);
          }
          return sent.every((s) => sent.filter((x) => x >= s && x < s + 1000).length <= rate);
        },
      ),
    );
  });

  it("says how long to wait, and refuses a rate below one", () => {
    let t = 0;
    const w = new RateWindow(2, () => t);
    expect([w.take(), w.take(), w.take()]).toEqual([true, true, false]);
    expect(w.waitMs()).toBe(1000);
    t = 999;
    expect(w.waitMs()).toBe(1);
    t = 1000;
    expect(w.take()).toBe(true);
    expect(() => new RateWindow(0)).toThrow(RangeError);
  });
});
