import { describe, expect, it } from "vitest";
import { StatementBatcher } from "./statement-batcher.js";

/** A batcher over an in-memory "table" that records each statement it ran. */
function recorder(opts: { failMany?: (xs: number[]) => boolean; keyOf?: (x: number) => string } = {}) {
  const statements: number[][] = [];
  const batcher = new StatementBatcher<number, number>({
    runMany: async (xs) => {
      statements.push(xs);
      if (opts.failMany?.(xs)) throw new Error("batch refused");
      return xs.map((x) => x * 10);
    },
    runOne: async (x) => {
      statements.push([x]);
      if (x < 0) throw new Error(`bad ${x}`);
      return x * 10;
    },
    ...(opts.keyOf ? { keyOf: opts.keyOf } : {}),
    max: 5,
  });
  return { statements, batcher };
}

describe("StatementBatcher", () => {
  it("runs the calls of one turn as one statement, each caller getting its own result", async () => {
    const { statements, batcher } = recorder();
    expect(await Promise.all([1, 2, 3].map((x) => batcher.run(x)))).toEqual([10, 20, 30]);
    expect(statements).toEqual([[1, 2, 3]]);
    expect(await batcher.run(4)).toBe(40);
    expect(statements).toEqual([[1, 2, 3], [4]]);
    expect(batcher.stats).toEqual({ batches: 2, calls: 4 });
  });

  it("sends a full batch at once and the rest in the next statement", async () => {
    const { statements, batcher } = recorder();
    const outs = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((x) => batcher.run(x)));
    expect(outs).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(statements).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7],
    ]);
  });

  it("when the batch fails, runs each call alone so that only the bad one fails", async () => {
    const { statements, batcher } = recorder({ failMany: (xs) => xs.some((x) => x < 0) });
    const outs = await Promise.allSettled([1, -2, 3].map((x) => batcher.run(x)));
    expect(outs.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).message))).toEqual([
      10,
      "bad -2",
      30,
    ]);
    expect(statements).toEqual([[1, -2, 3], [1], [-2], [3]]);
  });

  it("never puts two calls with one key in one statement, and keeps their order", async () => {
    const { statements, batcher } = recorder({ keyOf: (x) => String(x % 10) });
    const outs = await Promise.all([1, 11, 2, 21, 3].map((x) => batcher.run(x)));
    expect(outs).toEqual([10, 110, 20, 210, 30]);
    expect(statements).toEqual([[1, 2, 3], [11], [21]]);
  });

  it("without runOne, runs a call alone as a batch of one", async () => {
    const statements: number[][] = [];
    const batcher = new StatementBatcher<number, number>({
      runMany: async (xs) => {
        statements.push(xs);
        if (xs.includes(-1)) throw new Error(xs.length > 1 ? "batch refused" : "bad -1");
        return xs.map((x) => x + 1);
      },
    });
    expect(await batcher.run(1)).toBe(2);
    const outs = await Promise.allSettled([5, -1].map((x) => batcher.run(x)));
    expect(outs.map((o) => (o.status === "fulfilled" ? o.value : (o.reason as Error).message))).toEqual([
      6,
      "bad -1",
    ]);
    expect(statements).toEqual([[1], [5, -1], [5], [-1]]);
  });
});
