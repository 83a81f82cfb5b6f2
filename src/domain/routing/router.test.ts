import { describe, expect, it } from "vitest";
import type { Carrier } from "./carriers.js";
import type { NumberPortability } from "./number-portability.port.js";
import { type RouteRule, Router } from "./router.js";

const MOBILE = "+8613812345678"; // 138: China Mobile
const UNICOM = "+8613012345678"; // 130: China Unicom
const TELECOM = "+8618912345678"; // 189: China Telecom
const BROADNET = "+8619212345678"; // 192: China Broadnet
const US = "+14155552671";

function ported(table: Record<string, Carrier>): NumberPortability {
  return { carrierOf: (e164) => table[e164] };
}

const RULES: RouteRule[] = [
  { upstream: "cm", carriers: ["cmcc"] },
  { upstream: "cu", carriers: ["cucc"] },
  { upstream: "ct", carriers: ["ctcc", "cbn"] },
  { upstream: "beijing-138", prefixes: ["861381234"] },
  { upstream: "intl", prefixes: ["+1", "44"] },
];

describe("Router", () => {
  it("routes by carrier when no prefix matches", () => {
    const r = new Router(RULES, null, {});
    expect(r.routesFor(UNICOM)).toEqual(["cu"]);
    expect(r.routesFor(TELECOM)).toEqual(["ct"]);
    expect(r.routesFor(BROADNET)).toEqual(["ct"]);
    expect(r.routesFor("+8613712345678")).toEqual(["cm"]);
  });

  it("lets a prefix rule win over a carrier rule for a number that was not ported", () => {
    const r = new Router(RULES, null, {});
    expect(r.routesFor(MOBILE)).toEqual(["beijing-138"]);
    expect(r.explain(MOBILE)).toEqual({
      carrier: "cmcc",
      ported: false,
      matchedBy: "prefix",
      upstreams: ["beijing-138"],
    });
  });

  it("picks the longest matching prefix, whatever the rules' order", () => {
    const r = new Router(
      [
        { upstream: "china", prefixes: ["86"] },
        { upstream: "mobile-138", prefixes: ["+86138"] },
        { upstream: "one", prefixes: ["8613812345678"] },
      ],
      null,
      {},
    );
    expect(r.routesFor(MOBILE)).toEqual(["one"]);
    expect(r.routesFor("+8613812345679")).toEqual(["mobile-138"]);
    expect(r.routesFor(UNICOM)).toEqual(["china"]);
    expect(r.routesFor(US)).toEqual([]);
  });

  it("keeps the rules' order between equally long prefixes", () => {
    const r = new Router(
      [
        { upstream: "first", prefixes: ["86138"] },
        { upstream: "second", prefixes: ["86138"] },
      ],
      null,
      {},
    );
    expect(r.routesFor(MOBILE)).toEqual(["first"]);
  });

  it("routes a ported number by its current carrier, not by its old segment's prefix", () => {
    const r = new Router(RULES, "default", {}, ported({ [MOBILE]: "cucc" }));
    expect(r.explain(MOBILE)).toEqual({
      carrier: "cucc",
      ported: true,
      matchedBy: "carrier",
      upstreams: ["cu"],
    });
    // a neighbour in the same segment that was not ported keeps its prefix route
    expect(r.routesFor("+8613812345670")).toEqual(["beijing-138"]);
  });

  it("routes a ported number with no carrier rule by prefix, then to the default", () => {
    const rules: RouteRule[] = [
      { upstream: "cm", carriers: ["cmcc"] },
      { upstream: "china", prefixes: ["86"] },
    ];
    const r = new Router(rules, "fallback", {}, ported({ [MOBILE]: "cbn", [UNICOM]: "cmcc" }));
    expect(r.explain(MOBILE).matchedBy).toBe("prefix");
    expect(r.routesFor(MOBILE)).toEqual(["china"]);
    expect(r.routesFor(UNICOM)).toEqual(["cm"]);
    const noPrefix = new Router(
      [{ upstream: "cm", carriers: ["cmcc"] }],
      "fallback",
      {},
      ported({ [MOBILE]: "cbn" }),
    );
    expect(noPrefix.explain(MOBILE)).toEqual({
      carrier: "cbn",
      ported: true,
      matchedBy: "default",
      upstreams: ["fallback"],
    });
  });

  it("checks a prefix rule's carriers against the current carrier", () => {
    const rules: RouteRule[] = [
      { upstream: "cn-mobile", prefixes: ["86"], carriers: ["cmcc"] },
      { upstream: "cn-other", prefixes: ["86"] },
    ];
    const r = new Router(rules, null, {}, ported({ [UNICOM]: "cmcc" }));
    expect(r.routesFor(MOBILE)).toEqual(["cn-mobile"]);
    expect(r.routesFor(TELECOM)).toEqual(["cn-other"]);
    expect(r.routesFor(UNICOM)).toEqual(["cn-mobile"]);
    expect(r.routesFor(US)).toEqual([]);
  });

  it("sends what no rule matches to the default, and nowhere without one", () => {
    expect(new Router(RULES, "agg", {}).explain("+85291234567")).toEqual({
      carrier: null,
      ported: false,
      matchedBy: "default",
      upstreams: ["agg"],
    });
    expect(new Router(RULES, null, {}).explain("+85291234567")).toEqual({
      carrier: null,
      ported: false,
      matchedBy: null,
      upstreams: [],
    });
    expect(new Router([], "only", {}).routesFor(MOBILE)).toEqual(["only"]);
  });

  it("routes international numbers by prefix, with or without a plus in the rule", () => {
    const r = new Router(RULES, null, {});
    expect(r.routesFor(US)).toEqual(["intl"]);
    expect(r.routesFor("+447911123456")).toEqual(["intl"]);
  });

  it("follows the chosen upstream with its failover list, without repeats", () => {
    const r = new Router(RULES, "agg", { cu: ["agg", "cu", "ct", "agg"], agg: ["backup"] });
    expect(r.routesFor(UNICOM)).toEqual(["cu", "agg", "ct"]);
    expect(r.routesFor("+85291234567")).toEqual(["agg", "backup"]);
    expect(r.routesFor(TELECOM)).toEqual(["ct"]);
  });

  it("hands out a fresh list each time", () => {
    const r = new Router(RULES, null, { cu: ["ct"] });
    r.routesFor(UNICOM).push("mutated");
    expect(r.routesFor(UNICOM)).toEqual(["cu", "ct"]);
  });

  it("refuses a rule with neither prefixes nor carriers, and malformed prefixes", () => {
    expect(() => new Router([{ upstream: "x" }], null, {})).toThrow(
      /route 0 \(x\) needs prefixes or carriers/,
    );
    expect(() => new Router([{ upstream: "x", prefixes: [], carriers: [] }], null, {})).toThrow(
      /needs prefixes/,
    );
    expect(() => new Router([{ upstream: "y", prefixes: ["86-138"] }], null, {})).toThrow(
      /bad prefix "86-138"/,
    );
    expect(() => new Router([{ upstream: "y", prefixes: [""] }], null, {})).toThrow(/bad prefix/);
  });
});
