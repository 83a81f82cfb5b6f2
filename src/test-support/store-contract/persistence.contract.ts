import { describe, expect, it } from "vitest";
import type { Store } from "../../app/store.port.js";
import type { StoreContext } from "./context.js";
import {
  aCampaign,
  aMessage,
  anAllocation,
  anApiKey,
  anAuthorization,
  anEnterprise,
  anEvent,
  aPhone,
  aPort,
  aRecipientId,
  aSignature,
  NO_PHONES,
  T0,
} from "./fixtures.js";
import { verifyLedger } from "./ledger.contract.js";

/** Everything one store can tell about its contents, for comparing two connections. */
async function snapshot(store: Store) {
  return {
    enterprises: await store.enterprises.list(),
    keys: await store.enterprises.listKeys(),
    overrides: await store.enterprises.listPolicyOverrides(),
    signatures: await store.signatures.list(),
    authorizations: await store.signatures.listAuthorizations(),
    ports: await store.ports.listPorts(),
    allocations: await store.ports.listAllocations(),
    events: await store.ledger.scanEvents(0, 1_000),
    heads: await store.ledger.heads(),
    anchors: await store.ledger.listAnchors(shardOfFirst),
    count: await store.ledger.count(),
    messages: await store.messages.listBySenders("all", "", 1_000),
  };
}

const shardOfFirst = 6;

/** Data survives a close and reopen; two connections on the same data never fork or double-claim. */
export function persistenceContract(ctx: StoreContext): void {
  describe("persistence", () => {
    it("keeps everything across a close and reopen", async (t) => {
      const { reopen } = ctx.harness;
      if (!reopen) return t.skip();
      const s = ctx.store;
      const provider = anEnterprise({ kind: "provider" });
      const merchant = anEnterprise();
      await s.enterprises.insert(provider);
      await s.enterprises.insert(merchant);
      await s.enterprises.insertKey(anApiKey(merchant.id));
      await s.enterprises.setPolicyOverride(merchant.id, { perSenderPerDay: 2 }, T0);
      const sig = aSignature(merchant.id);
      await s.signatures.insert(sig);
      await s.signatures.insertAuthorization(anAuthorization(sig.id, provider.id));
      const port = aPort(provider.id);
      await s.ports.insertPort(port);
      await s.ports.insertAllocation(anAllocation(port.id, merchant.id, { signatureIds: [sig.id] }));
      const r = aRecipientId(shardOfFirst);
      const recorded = await s.ledger.append(
        // the other event in another shard, so the chain of `r`'s shard holds one event (shardSeq 1)
        [anEvent({ recipientId: r }), anEvent({ recipientId: aRecipientId(shardOfFirst + 1) })],
        new Map([[r, aPhone()]]),
      );
      await s.ledger.insertAnchors([
        { shard: shardOfFirst, shardSeq: 1, hash: recorded[0]?.hash ?? "", at: T0 },
      ]);
      await s.messages.insertMany([aMessage(), aMessage({ idempotencyKey: "k" })]);
      const phones = [aPhone(), aPhone()];
      const c = aCampaign({ total: 2 });
      await s.campaigns.insert(c, phones);
      const before = await snapshot(s);
      await s.close();

      const again = ctx.track(await reopen());
      expect(await snapshot(again)).toEqual(before);
      expect(await again.campaigns.get(c.id)).toEqual(c);
      expect(await again.campaigns.recipients(c.id, 0, 10)).toEqual(phones);
      const next = await again.ledger.append([anEvent({ recipientId: r })], NO_PHONES);
      expect(next[0]).toMatchObject({ shardSeq: 2, prevHash: recorded[0]?.hash });
      expect((await verifyLedger(again)).problems).toEqual([]);
    });

    it("lets two connections append and claim without forking or double-claiming", async (t) => {
      const { reopen } = ctx.harness;
      if (!reopen) return t.skip();
      const a = ctx.store;
      const b = ctx.track(await reopen());
      const r = aRecipientId(9);
      const phones = new Map([[r, aPhone()]]);
      for (let i = 0; i < 6; i++) {
        const s = i % 2 === 0 ? a : b;
        const [e] = await s.ledger.append(
          // the other event in another shard, so the chain of `r`'s shard holds one event (shardSeq 1)
          [anEvent({ recipientId: r }), anEvent({ recipientId: aRecipientId(shardOfFirst + 1) })],
          i === 3 ? phones : NO_PHONES,
        );
        expect(e?.shardSeq).toBeGreaterThan(i);
      }
      const events = await a.ledger.scanShard(9, 0, 100);
      expect(events.filter((e) => e.recipientId === r).map((e) => e.shardSeq)).toHaveLength(6);
      expect(await verifyLedger(b)).toMatchObject({ checked: 12, problems: [] });
      expect(await a.ledger.heads()).toEqual(await b.ledger.heads());
      expect(await a.ledger.scanEvents(0, 100)).toEqual(await b.ledger.scanEvents(0, 100));
      expect((await a.ledger.eventsForRecipient(r)).length).toBe(6);
      const numbers = (await b.ledger.scanEvents(0, 100))
        .filter((e) => e.recipientId === r)
        .map((e) => e.phone);
      expect(numbers).toEqual(Array(6).fill(phones.get(r)));

      const ms = Array.from({ length: 9 }, () => aMessage());
      await a.messages.insertMany(ms);
      const claims = await Promise.all([a, b, a, b].map((s) => s.messages.claimOutbox(3, T0)));
      const claimed = claims.flat().map((m) => m.id);
      expect(claimed).toHaveLength(9);
      expect(new Set(claimed).size).toBe(9);
    });
  });
}
