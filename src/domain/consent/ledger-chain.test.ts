import { describe, expect, it } from "vitest";
import type { ConsentEvent } from "./consent.js";
import { canonicalEvent, chainHash, GENESIS_HASH, verifyShard } from "./ledger-chain.js";

const key = Buffer.alloc(32, 7);

function chain(n: number): ConsentEvent[] {
  const out: ConsentEvent[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const base = {
      id: `evt_${i}`,
      consentId: `cns_${i}`,
      recipientId: "0000aa",
      enterpriseId: "ent_a",
      category: "marketing.retail",
      type: "grant" as const,
      method: "written",
      capturedAt: 1000 * i - 500,
      recordedAt: 1000 * i,
      source: "shop",
      noticeText: "notice",
      expiresAt: null,
      channel: null,
      actor: "admin",
      seq: i,
      shard: 0,
      shardSeq: i,
    };
    const hash = chainHash(key, prev, canonicalEvent(base));
    out.push({ ...base, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe("verifyShard", () => {
  it("accepts an untouched chain", () => {
    expect(verifyShard(key, 0, chain(5), []).problems).toEqual([]);
  });

  it("catches an edited event", () => {
    const c = chain(5);
    c[2] = { ...(c[2] as ConsentEvent), method: "api_attested" };
    expect(verifyShard(key, 0, c, []).problems.map((p) => p.kind)).toContain("hash_mismatch");
  });

  it("catches a deleted event", () => {
    const c = chain(5);
    c.splice(2, 1);
    const kinds = verifyShard(key, 0, c, []).problems.map((p) => p.kind);
    expect(kinds).toContain("sequence_gap");
    expect(kinds).toContain("broken_link");
  });

  it("catches a back-dated event even when re-hashed with the key", () => {
    const c = chain(3);
    const e = c[2] as ConsentEvent;
    const forged = { ...e, recordedAt: 500, capturedAt: 400 };
    forged.hash = chainHash(key, forged.prevHash, canonicalEvent(forged));
    c[2] = forged;
    expect(verifyShard(key, 0, c, []).problems.map((p) => p.kind)).toContain("backdated");
  });

  it("catches a chain cut after an anchor", () => {
    const c = chain(5);
    const anchor = { shard: 0, shardSeq: 5, hash: (c[4] as ConsentEvent).hash, at: 0 };
    expect(verifyShard(key, 0, c.slice(0, 4), [anchor]).problems.map((p) => p.kind)).toEqual([
      "anchor_mismatch",
    ]);
  });

  it("rejects a chain recomputed under another key", () => {
    const c = chain(3);
    expect(verifyShard(Buffer.alloc(32, 8), 0, c, []).problems.length).toBeGreaterThan(0);
  });
});
