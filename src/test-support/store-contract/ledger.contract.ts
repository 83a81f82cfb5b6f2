import { describe, expect, it } from "vitest";
import type { Store } from "../../app/store.port.js";
import type { ConsentEvent, ConsentEventInput } from "../../domain/consent/consent.js";
import {
  canonicalEvent,
  chainHash,
  GENESIS_HASH,
  LEDGER_SHARDS,
  type LedgerProblem,
  shardOf,
  verifyShard,
} from "../../domain/consent/ledger-chain.js";
import type { StoreContext } from "./context.js";
import { anEvent, aPhone, aRecipientId, CONTRACT_LEDGER_KEY, NO_PHONES, T0 } from "./fixtures.js";

/** Every shard's chain checked with verifyShard against the stored anchors; returns all problems. */
export async function verifyLedger(store: Store): Promise<{ checked: number; problems: LedgerProblem[] }> {
  let checked = 0;
  const problems: LedgerProblem[] = [];
  for (let shard = 0; shard < LEDGER_SHARDS; shard++) {
    const events = await store.ledger.scanShard(shard, 0, Number.MAX_SAFE_INTEGER);
    const anchors = await store.ledger.listAnchors(shard);
    const r = verifyShard(CONTRACT_LEDGER_KEY, shard, events, anchors);
    checked += r.checked;
    problems.push(...r.problems);
  }
  return { checked, problems };
}

/** The input fields of a recorded event. */
function inputOf(e: ConsentEvent): ConsentEventInput {
  const { seq: _seq, shard: _shard, shardSeq: _shardSeq, prevHash: _prev, hash: _hash, ...input } = e;
  return input;
}

/** LedgerStore: append and its chains, heads and anchors (reads: ledger-reads.contract.ts). */
export function ledgerContract(ctx: StoreContext): void {
  describe("ledger", () => {
    it("appends with contiguous shard sequences and correct chain hashes", async () => {
      const r1 = aRecipientId(3);
      const r2 = aRecipientId(3);
      const r3 = aRecipientId(7);
      const inputs = [
        anEvent({ recipientId: r1 }),
        anEvent({
          recipientId: r3,
          type: "withdraw",
          channel: "sms_reply",
          actor: "recipient",
          method: null,
        }),
        anEvent({ recipientId: r2, consentId: null, enterpriseId: null, category: "all", type: "dnd_set" }),
        anEvent({ recipientId: r1, type: "request", capturedAt: null, expiresAt: null, source: null }),
      ];
      const recorded = await ctx.store.ledger.append(inputs, NO_PHONES);
      expect(recorded.map(inputOf)).toEqual(inputs);
      expect(recorded.map((e) => [e.shard, e.shardSeq])).toEqual([
        [3, 1],
        [7, 1],
        [3, 2],
        [3, 3],
      ]);
      const seqs = recorded.map((e) => e.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(4);
      const heads = new Map<number, string>();
      for (const e of recorded) {
        expect(e.shard).toBe(shardOf(e.recipientId));
        expect(e.prevHash).toBe(heads.get(e.shard) ?? GENESIS_HASH);
        expect(e.hash).toBe(chainHash(CONTRACT_LEDGER_KEY, e.prevHash, canonicalEvent(e)));
        heads.set(e.shard, e.hash);
      }
      const more = await ctx.store.ledger.append([anEvent({ recipientId: r3 })], NO_PHONES);
      expect(more[0]).toMatchObject({ shard: 7, shardSeq: 2, prevHash: recorded[1]?.hash });
      expect(more[0]?.seq).toBeGreaterThan(seqs[3] ?? Number.POSITIVE_INFINITY);
      expect(await ctx.store.ledger.append([], NO_PHONES)).toEqual([]);
      expect(await verifyLedger(ctx.store)).toEqual({ checked: 5, problems: [] });
      expect(await ctx.store.ledger.count()).toBe(5);
    });

    it("never forks a chain under concurrent appends", async () => {
      const recipients = [aRecipientId(1), aRecipientId(1), aRecipientId(2), aRecipientId(9)];
      const batches = Array.from({ length: 8 }, (_, b) =>
        Array.from({ length: 25 }, (_, i) =>
          anEvent({ recipientId: recipients[(b + i) % 4], recordedAt: T0 }),
        ),
      );
      const results = await Promise.all(batches.map((batch) => ctx.store.ledger.append(batch, NO_PHONES)));
      const all = results.flat();
      expect(new Set(all.map((e) => e.seq)).size).toBe(200);
      for (const shard of [1, 2, 9]) {
        const positions = all.filter((e) => e.shard === shard).map((e) => e.shardSeq);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions.map((_, i) => i + 1));
      }
      expect(await verifyLedger(ctx.store)).toEqual({ checked: 200, problems: [] });
      expect(await ctx.store.ledger.count()).toBe(200);
    });

    it("records nothing from a failed append, and the chain goes on from the last commit", async () => {
      const r = aRecipientId(8);
      const [first] = await ctx.store.ledger.append([anEvent({ recipientId: r })], NO_PHONES);
      const broken = anEvent({ recipientId: r, actor: null as unknown as string });
      await expect(
        ctx.store.ledger.append([anEvent({ recipientId: r }), broken], new Map([[r, aPhone()]])),
      ).rejects.toThrow();
      expect(await ctx.store.ledger.count()).toBe(1);
      expect(await ctx.store.ledger.heads()).toEqual([
        { shard: 8, shardSeq: 1, hash: first?.hash, at: first?.recordedAt },
      ]);
      const [next] = await ctx.store.ledger.append([anEvent({ recipientId: r })], NO_PHONES);
      expect(next).toMatchObject({ shardSeq: 2, prevHash: first?.hash });
      expect((await ctx.store.ledger.scanEvents(0, 10)).map((e) => e.phone)).toEqual([null, null]);
      expect(await verifyLedger(ctx.store)).toEqual({ checked: 2, problems: [] });
    });

    it("appends a large batch like a small one, every character kept, all or nothing", async () => {
      const [first] = await ctx.store.ledger.append([anEvent({ recipientId: aRecipientId(6) })], NO_PHONES);
      const recipients = Array.from({ length: 300 }, () => aRecipientId());
      const phones = new Map(recipients.filter((_, i) => i % 3 > 0).map((r) => [r, aPhone()]));
      const odd = "tab\there, line\nbreak\r\n, back\\slash \\N \\. 引号\"'";
      const inputs = Array.from({ length: 1_500 }, (_, i) =>
        anEvent({
          recipientId: recipients[i % recipients.length],
          noticeText: i % 7 === 0 ? `${odd} ${i}` : `通知 ${i}`,
          source: i % 11 === 0 ? null : `https://shop.example/${i}\\`,
          method: i % 5 === 0 ? null : "web_form_unticked_box",
          expiresAt: i % 2 === 0 ? null : T0 + i,
          recordedAt: T0 + i,
        }),
      );
      const broken = [...inputs, anEvent({ actor: null as unknown as string })];
      await expect(ctx.store.ledger.append(broken, phones)).rejects.toThrow();
      expect(await ctx.store.ledger.count()).toBe(1);
      const recorded = await ctx.store.ledger.append(inputs, phones);
      expect(recorded.map(inputOf)).toEqual(inputs);
      expect(recorded.map((e) => e.seq)).toEqual(inputs.map((_, i) => i + 2));
      expect(await ctx.store.ledger.scanEvents(0, 2_000)).toEqual([
        { ...first, phone: null },
        ...recorded.map((e) => ({ ...e, phone: phones.get(e.recipientId) ?? null })),
      ]);
      expect(await verifyLedger(ctx.store)).toEqual({ checked: 1_501, problems: [] });
      expect(await ctx.store.ledger.count()).toBe(1_501);
    });

    it("reports the head of every non-empty shard", async () => {
      expect(await ctx.store.ledger.heads()).toEqual([]);
      const recorded = await ctx.store.ledger.append(
        [
          anEvent({ recipientId: aRecipientId(11), recordedAt: T0 }),
          anEvent({ recipientId: aRecipientId(0), recordedAt: T0 + 1 }),
          anEvent({ recipientId: aRecipientId(11), recordedAt: T0 + 2 }),
        ],
        NO_PHONES,
      );
      const heads = await ctx.store.ledger.heads();
      expect(heads).toEqual([
        { shard: 0, shardSeq: 1, hash: recorded[1]?.hash, at: T0 + 1 },
        { shard: 11, shardSeq: 2, hash: recorded[2]?.hash, at: T0 + 2 },
      ]);
    });

    it("stores anchors per shard, and they verify against the chain", async () => {
      const r = aRecipientId(2);
      const recorded = await ctx.store.ledger.append(
        Array.from({ length: 3 }, () => anEvent({ recipientId: r })),
        NO_PHONES,
      );
      const anchor = (i: number, at: number) => ({
        shard: 2,
        shardSeq: i + 1,
        hash: recorded[i]?.hash ?? "",
        at,
      });
      await ctx.store.ledger.insertAnchors([anchor(0, T0 + 10), anchor(2, T0 + 30)]);
      await ctx.store.ledger.insertAnchors([{ shard: 5, shardSeq: 1, hash: "f".repeat(64), at: T0 }]);
      await ctx.store.ledger.insertAnchors([]);
      expect(await ctx.store.ledger.listAnchors(2)).toEqual([anchor(0, T0 + 10), anchor(2, T0 + 30)]);
      expect(await ctx.store.ledger.listAnchors(3)).toEqual([]);
      const shard2 = verifyShard(
        CONTRACT_LEDGER_KEY,
        2,
        await ctx.store.ledger.scanShard(2, 0, 100),
        await ctx.store.ledger.listAnchors(2),
      );
      expect(shard2.problems).toEqual([]);
      const shard5 = await verifyLedger(ctx.store);
      expect(shard5.problems.map((p) => [p.kind, p.shard])).toEqual([["anchor_mismatch", 5]]);
    });
  });
}
