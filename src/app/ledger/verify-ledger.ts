import type { ConsentEvent } from "../../domain/consent/consent.js";
import { LEDGER_SHARDS, type LedgerProblem, verifyShard } from "../../domain/consent/ledger-chain.js";
import type { AppContext } from "../context.js";

/**
 * Verifies every shard's chain: recomputes each hash under the ledger key, checks links, positions and
 * recording times, and compares with the anchored heads. An edited, deleted or back-dated event shows
 * as a problem.
 */
export async function verifyLedger(ctx: Pick<AppContext, "store" | "secrets">) {
  let checked = 0;
  const problems: LedgerProblem[] = [];
  for (let shard = 0; shard < LEDGER_SHARDS; shard++) {
    const events: ConsentEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await ctx.store.ledger.scanShard(shard, after, 50_000);
      if (page.length === 0) break;
      events.push(...page);
      after = (page.at(-1) as ConsentEvent).shardSeq;
    }
    const r = verifyShard(ctx.secrets.ledgerKey, shard, events, await ctx.store.ledger.listAnchors(shard));
    checked += r.checked;
    problems.push(...r.problems);
  }
  return { ok: problems.length === 0, checked, problems };
}

/**
 * Records the current head of every shard as an anchor; run periodically so that rewriting a whole
 * chain, or cutting its tail, no longer matches what was anchored.
 */
export async function anchorLedger(ctx: Pick<AppContext, "store" | "clock">): Promise<number> {
  const heads = await ctx.store.ledger.heads();
  const at = ctx.clock.now();
  const known = new Map<number, number>();
  for (const h of heads) {
    const anchors = await ctx.store.ledger.listAnchors(h.shard);
    known.set(h.shard, anchors.at(-1)?.shardSeq ?? 0);
  }
  const fresh = heads.filter((h) => (known.get(h.shard) ?? 0) < h.shardSeq).map((h) => ({ ...h, at }));
  if (fresh.length) await ctx.store.ledger.insertAnchors(fresh);
  return fresh.length;
}
