import { type Carrier, carrierOfNumber } from "./carriers.js";
import type { NumberPortability } from "./number-portability.port.js";

/**
 * One routing rule: numbers starting with one of `prefixes` (E.164 digits, "86134" or "+86134"), or
 * served by one of `carriers`, go to `upstream`. A rule with both matches only numbers that satisfy
 * both; a rule needs at least one.
 */
export interface RouteRule {
  upstream: string;
  prefixes?: string[];
  carriers?: Carrier[];
}

/** How {@link Router.explain} chose a number's upstreams. */
export interface RouteExplanation {
  /** The carrier serving the number: the portability answer, else its segment's; null outside +86. */
  carrier: Carrier | null;
  ported: boolean;
  /** Which kind of rule picked the first upstream (null: nothing matched and there is no default). */
  matchedBy: "prefix" | "carrier" | "default" | null;
  /** The upstreams to try, in order: the chosen one, then its failover list. */
  upstreams: string[];
}

type Match = { upstream: string; matchedBy: "prefix" | "carrier" | "default" } | null;

interface PrefixEntry {
  prefix: string;
  carriers: ReadonlySet<Carrier> | null;
  upstream: string;
}

/**
 * Chooses the upstreams a message to a number is offered to, in order.
 *
 * The carrier is the portability source's answer for a ported number, else the one its segment was
 * allocated to. A number that was not ported goes by the rule with the longest matching prefix, then by
 * the first carrier rule naming its carrier, then to the default upstream. A ported number goes by its
 * current carrier first (the donor carrier's prefix rules would send it to the wrong network), then by
 * prefix, then to the default. The chosen upstream is followed by its failover list, without repeats.
 *
 * @example
 * const router = new Router(
 *   [{ upstream: "cmcc", carriers: ["cmcc"] }, { upstream: "intl", prefixes: ["1", "44"] }],
 *   "aggregator",
 *   { cmcc: ["aggregator"] },
 * );
 * router.routesFor("+8613812345678"); // ["cmcc", "aggregator"]
 * router.routesFor("+14155552671");   // ["intl"]
 */
export class Router {
  private readonly prefixRules: PrefixEntry[] = [];
  private readonly carrierRules: { carriers: ReadonlySet<Carrier>; upstream: string }[] = [];
  private readonly chains = new Map<string, readonly string[]>();

  constructor(
    rules: readonly RouteRule[],
    private readonly defaultUpstream: string | null,
    private readonly failover: Readonly<Record<string, readonly string[]>>,
    private readonly portability?: NumberPortability,
  ) {
    rules.forEach((rule, i) => {
      const carriers = rule.carriers?.length ? new Set(rule.carriers) : null;
      const prefixes = rule.prefixes ?? [];
      if (prefixes.length === 0) {
        if (carriers === null) throw new Error(`route ${i} (${rule.upstream}) needs prefixes or carriers`);
        this.carrierRules.push({ carriers, upstream: rule.upstream });
      }
      for (const p of prefixes) {
        const prefix = p.startsWith("+") ? p.slice(1) : p;
        if (!/^\d{1,15}$/.test(prefix)) throw new Error(`route ${i} (${rule.upstream}): bad prefix "${p}"`);
        this.prefixRules.push({ prefix, carriers, upstream: rule.upstream });
      }
    });
    // longest prefix first; equal lengths keep the rules' order (sort is stable)
    this.prefixRules.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The upstream names to try for a number (E.164), in order; empty when nothing routes it. */
  routesFor(e164: string): string[] {
    return this.explain(e164).upstreams;
  }

  /** {@link routesFor} with the reasons: carrier, whether it was ported, which rule decided. */
  explain(e164: string): RouteExplanation {
    const current = this.portability?.carrierOf(e164);
    const ported = current !== undefined;
    const carrier = current ?? carrierOfNumber(e164);
    const digits = e164.startsWith("+") ? e164.slice(1) : e164;
    const prefixMatch = (): Match => this.byPrefix(digits, carrier);
    const carrierMatch = (): Match => (carrier === null ? null : this.byCarrier(carrier));
    const defaultMatch = (): Match =>
      this.defaultUpstream === null ? null : { upstream: this.defaultUpstream, matchedBy: "default" };
    // a ported number goes by its current carrier before the donor network's prefixes
    const match = ported
      ? (carrierMatch() ?? prefixMatch() ?? defaultMatch())
      : (prefixMatch() ?? carrierMatch() ?? defaultMatch());
    const upstreams = match === null ? [] : [...this.chain(match.upstream)];
    return { carrier, ported, matchedBy: match?.matchedBy ?? null, upstreams };
  }

  private byPrefix(digits: string, carrier: Carrier | null): Match {
    for (const r of this.prefixRules) {
      if (!digits.startsWith(r.prefix)) continue;
      if (r.carriers === null || (carrier !== null && r.carriers.has(carrier)))
        return { upstream: r.upstream, matchedBy: "prefix" };
    }
    return null;
  }

  private byCarrier(carrier: Carrier): Match {
    for (const r of this.carrierRules)
      if (r.carriers.has(carrier)) return { upstream: r.upstream, matchedBy: "carrier" };
    return null;
  }

  /** The upstream followed by its failover list, de-duplicated (computed once per upstream). */
  private chain(upstream: string): readonly string[] {
    let c = this.chains.get(upstream);
    if (c === undefined) {
      c = [...new Set([upstream, ...(this.failover[upstream] ?? [])])];
      this.chains.set(upstream, c);
    }
    return c;
  }
}
