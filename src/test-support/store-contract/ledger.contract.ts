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

/** LedgerStore: append and its chains, scans, suppressions, recipients, heads and anchors. */
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

    it("returns one recipient's events in recording order", async () => {
      const r = aRecipientId();
      const other = aRecipientId();
      const recorded = await ctx.store.ledger.append(
        [
          anEvent({ recipientId: r, type: "request" }),
          anEvent({ recipientId: other }),
          anEvent({ recipientId: r, type: "confirm", recordedAt: T0 + 1 }),
        ],
        NO_PHONES,
      );
      await ctx.store.ledger.append(
        [anEvent({ recipientId: r, type: "withdraw", recordedAt: T0 + 2 })],
        NO_PHONES,
      );
      const mine = await ctx.store.ledger.eventsForRecipient(r);
      expect(mine.map((e) => e.type)).toEqual(["request", "confirm", "withdraw"]);
      expect(mine[0]).toEqual(recorded[0]);
      expect(await ctx.store.ledger.eventsForRecipient(aRecipientId())).toEqual([]);
    });

    it("scans events in seq order, page by page, with the recipient's number", async () => {
      const known = aRecipientId();
      const phone = aPhone();
      const recorded = await ctx.store.ledger.append(
        Array.from({ length: 7 }, (_, i) => anEvent({ recipientId: i % 2 === 0 ? known : aRecipientId() })),
        new Map([[known, phone]]),
      );
      const pages: ConsentEvent[][] = [];
      let after = 0;
      for (;;) {
        const page = await ctx.store.ledger.scanEvents(after, 3);
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1]?.seq ?? after;
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      const scanned = pages.flat();
      expect(scanned).toEqual(recorded.map((e, i) => ({ ...e, phone: i % 2 === 0 ? phone : null })));
    });

    it("scans the index entries in seq order, page by page, with exactly the index's fields", async () => {
      const known = aRecipientId();
      const phone = aPhone();
      const recorded = await ctx.store.ledger.append(
        Array.from({ length: 5 }, (_, i) =>
          anEvent({ recipientId: i % 2 === 0 ? known : aRecipientId(), expiresAt: i === 2 ? 12345 : null }),
        ),
        new Map([[known, phone]]),
      );
      const first = await ctx.store.ledger.scanIndexEntries(0, 3);
      const rest = await ctx.store.ledger.scanIndexEntries(first.at(-1)?.seq ?? 0, 10);
      expect([...first, ...rest]).toEqual(
        recorded.map((e, i) => ({
          seq: e.seq,
          phone: i % 2 === 0 ? phone : null,
          enterpriseId: e.enterpriseId,
          category: e.category,
          type: e.type,
          expiresAt: e.expiresAt,
          recordedAt: e.recordedAt,
        })),
      );
    });

    it("scans one shard in chain order", async () => {
      const r = aRecipientId(4);
      const recorded = await ctx.store.ledger.append(
        Array.from({ length: 5 }, () => anEvent({ recipientId: r })),
        NO_PHONES,
      );
      await ctx.store.ledger.append([anEvent({ recipientId: aRecipientId(5) })], NO_PHONES);
      expect(await ctx.store.ledger.scanShard(4, 0, 2)).toEqual(recorded.slice(0, 2));
      expect(await ctx.store.ledger.scanShard(4, 2, 10)).toEqual(recorded.slice(2));
      expect(await ctx.store.ledger.scanShard(6, 0, 10)).toEqual([]);
    });

    it("keeps a recipient's number, and erases it without touching the events", async () => {
      const r = aRecipientId();
      const phone = aPhone();
      const phones = new Map([[r, phone]]);
      const recorded = [
        ...(await ctx.store.ledger.append(
          [anEvent({ recipientId: r }), anEvent({ recipientId: r })],
          phones,
        )),
        ...(await ctx.store.ledger.append([anEvent({ recipientId: r })], phones)),
        ...(await ctx.store.ledger.append([anEvent({ recipientId: r })], NO_PHONES)),
      ];
      const phonesScanned = async () => (await ctx.store.ledger.scanEvents(0, 10)).map((e) => e.phone);
      expect(await phonesScanned()).toEqual([phone, phone, phone, phone]);
      await ctx.store.ledger.eraseRecipient(r);
      expect(await ctx.store.ledger.scanEvents(0, 10)).toEqual(recorded.map((e) => ({ ...e, phone: null })));
      expect((await ctx.store.ledger.scanIndexEntries(0, 10)).map((e) => e.phone)).toEqual(
        recorded.map(() => null),
      );
      expect(await ctx.store.ledger.eventsForRecipient(r)).toEqual(recorded);
      recorded.push(...(await ctx.store.ledger.append([anEvent({ recipientId: r })], NO_PHONES)));
      expect(await phonesScanned()).toEqual([null, null, null, null, null]);
      expect(await verifyLedger(ctx.store)).toEqual({ checked: 5, problems: [] });
    });

    it("reports a number given later for all of the recipient's events, erased ones included", async () => {
      const r = aRecipientId();
      const other = aRecipientId();
      const phone = aPhone();
      const phonesScanned = async () => (await ctx.store.ledger.scanEvents(0, 10)).map((e) => e.phone);
      await ctx.store.ledger.append(
        [anEvent({ recipientId: r }), anEvent({ recipientId: other })],
        NO_PHONES,
      );
      expect(await phonesScanned()).toEqual([null, null]);
      await ctx.store.ledger.append([anEvent({ recipientId: r })], new Map([[r, phone]]));
      expect(await phonesScanned()).toEqual([phone, null, phone]);
      await ctx.store.ledger.eraseRecipient(r);
      await ctx.store.ledger.eraseRecipient(aRecipientId());
      expect(await phonesScanned()).toEqual([null, null, null]);
      await ctx.store.ledger.append([anEvent({ recipientId: r })], new Map([[r, phone]]));
      expect(await phonesScanned()).toEqual([phone, null, phone, phone]);
    });

    it("lists suppressions by enterprise, DND events included, page by page", async () => {
      const r = aRecipientId();
      const phone = aPhone();
      const dnd = { consentId: null, enterpriseId: null, category: "all", method: null } as const;
      const recorded = await ctx.store.ledger.append(
        [
          anEvent({ recipientId: r, enterpriseId: "ent_a", type: "grant" }),
          anEvent({ recipientId: r, enterpriseId: "ent_a", type: "withdraw" }),
          anEvent({ recipientId: r, enterpriseId: "ent_b", type: "withdraw" }),
          anEvent({ recipientId: r, ...dnd, type: "dnd_set" }),
          anEvent({ recipientId: r, enterpriseId: "ent_c", type: "withdraw" }),
          anEvent({ recipientId: r, ...dnd, type: "dnd_remove" }),
          anEvent({ recipientId: r, enterpriseId: "ent_a", type: "confirm" }),
        ],
        new Map([[r, phone]]),
      );
      const ids = (es: ConsentEvent[]) => es.map((e) => e.id);
      const at = (...i: number[]) => i.map((n) => recorded[n]?.id);
      const ofA = await ctx.store.ledger.suppressions(["ent_a"], 0, 10);
      expect(ids(ofA)).toEqual(at(1, 3, 5));
      expect(ofA[0]).toEqual({ ...recorded[1], phone });
      expect(ids(await ctx.store.ledger.suppressions(["ent_a", "ent_c"], 0, 10))).toEqual(at(1, 3, 4, 5));
      expect(ids(await ctx.store.ledger.suppressions([], 0, 10))).toEqual(at(3, 5));
      expect(ids(await ctx.store.ledger.suppressions("all", 0, 10))).toEqual(at(1, 2, 3, 4, 5));
      const firstPage = await ctx.store.ledger.suppressions("all", 0, 2);
      expect(ids(firstPage)).toEqual(at(1, 2));
      const after = firstPage[1]?.seq ?? 0;
      expect(ids(await ctx.store.ledger.suppressions("all", after, 2))).toEqual(at(3, 4));
      expect(ids(await ctx.store.ledger.suppressions(["ent_b"], after, 10))).toEqual(at(3, 5));
      const many = Array.from({ length: 40 }, (_, i) => `ent_many_${i}`);
      expect(ids(await ctx.store.ledger.suppressions([...many, "ent_c"], 0, 10))).toEqual(at(3, 4, 5));
      expect(ids(await ctx.store.ledger.suppressions([...many, "ent_a", "ent_c"], after, 2))).toEqual(
        at(3, 4),
      );
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
