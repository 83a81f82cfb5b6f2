import { describe, expect, it } from "vitest";
import { expectConflict, type StoreContext } from "./context.js";
import { aCampaign, aMessage, aPhone, T0 } from "./fixtures.js";

/** CampaignStore: campaigns and recipient lists, chunk recording, status CAS and leases. */
export function campaignsContract(ctx: StoreContext): void {
  describe("campaigns", () => {
    it("round-trips every field and pages through the recipients in list order", async () => {
      const phones = Array.from({ length: 10 }, (_, i) => (i === 3 ? "not a number" : aPhone()));
      const c = aCampaign({
        status: "scheduled",
        scheduledAt: T0 + 3600_000,
        total: 10,
        cursor: 0,
        accepted: 0,
        refusedByCode: { DND: 1 },
        leaseOwner: "node-a",
        leaseUntil: T0 + 5,
        updatedAt: T0 + 1,
      });
      await ctx.store.campaigns.insert(c, phones);
      expect(await ctx.store.campaigns.get(c.id)).toEqual(c);
      expect(await ctx.store.campaigns.get("cpg_missing")).toBeNull();
      expect(await ctx.store.campaigns.recipients(c.id, 0, 4)).toEqual(phones.slice(0, 4));
      expect(await ctx.store.campaigns.recipients(c.id, 4, 4)).toEqual(phones.slice(4, 8));
      expect(await ctx.store.campaigns.recipients(c.id, 8, 4)).toEqual(phones.slice(8));
      expect(await ctx.store.campaigns.recipients(c.id, 10, 4)).toEqual([]);
      expect(await ctx.store.campaigns.recipients("cpg_missing", 0, 4)).toEqual([]);
    });

    it("pages through a long recipient list across any storage boundary", async () => {
      const phones = Array.from({ length: 25_001 }, (_, i) => `138${String(i).padStart(8, "0")}`);
      const c = aCampaign({ total: phones.length });
      await ctx.store.campaigns.insert(c, phones);
      for (const [from, limit] of [
        [0, 25_001],
        [9_999, 10_003],
        [10_000, 1],
        [19_999, 2],
        [24_990, 50],
        [3, 0],
      ] as const)
        expect(await ctx.store.campaigns.recipients(c.id, from, limit)).toEqual(
          phones.slice(from, from + limit),
        );
    });

    it("refuses a duplicate id", async () => {
      const c = aCampaign();
      await ctx.store.campaigns.insert(c, []);
      await expectConflict(ctx.store.campaigns.insert(c, [aPhone()]));
    });

    it("records a chunk only at the expected cursor of a running campaign", async () => {
      const c = aCampaign({ total: 5 });
      await ctx.store.campaigns.insert(
        c,
        Array.from({ length: 5 }, () => aPhone()),
      );
      const chunk1 = [aMessage({ campaignId: c.id }), aMessage({ campaignId: c.id, status: "refused" })];
      const chunk2 = [aMessage({ campaignId: c.id }), aMessage({ campaignId: c.id })];
      const chunk3 = [aMessage({ campaignId: c.id })];
      expect(await ctx.store.campaigns.recordChunk(c.id, 0, 2, chunk1, 1, { DND: 1 }, T0 + 10)).toBe(true);
      expect(await ctx.store.campaigns.recordChunk(c.id, 0, 2, chunk2, 2, {}, T0 + 11)).toBe(false);
      expect(
        await ctx.store.campaigns.recordChunk(c.id, 2, 4, chunk2, 0, { DND: 1, CONSENT_MISSING: 1 }, T0 + 12),
      ).toBe(true);
      expect(await ctx.store.campaigns.get(c.id)).toEqual({
        ...c,
        cursor: 4,
        accepted: 1,
        refusedByCode: { DND: 2, CONSENT_MISSING: 1 },
        updatedAt: T0 + 12,
      });
      expect(await ctx.store.messages.listByCampaign(c.id, "", 10)).toEqual([...chunk1, ...chunk2]);
      expect(await ctx.store.campaigns.setStatus(c.id, ["running"], "paused", T0 + 13)).toBe(true);
      expect(await ctx.store.campaigns.recordChunk(c.id, 4, 5, chunk3, 1, {}, T0 + 14)).toBe(false);
      expect(await ctx.store.messages.get(chunk3[0]?.id ?? "")).toBeNull();
      expect(await ctx.store.campaigns.recordChunk("cpg_missing", 0, 1, [], 0, {}, T0)).toBe(false);
    });

    it("sets the status only from the given ones", async () => {
      const c = aCampaign({ status: "scheduled", scheduledAt: T0 });
      await ctx.store.campaigns.insert(c, []);
      expect(await ctx.store.campaigns.setStatus(c.id, ["running", "paused"], "cancelled", T0 + 1)).toBe(
        false,
      );
      expect(await ctx.store.campaigns.setStatus(c.id, ["scheduled", "paused"], "cancelled", T0 + 2)).toBe(
        true,
      );
      expect(await ctx.store.campaigns.get(c.id)).toEqual({ ...c, status: "cancelled", updatedAt: T0 + 2 });
      expect(await ctx.store.campaigns.setStatus(c.id, ["scheduled"], "running", T0 + 3)).toBe(false);
      expect(await ctx.store.campaigns.setStatus("cpg_missing", ["scheduled"], "running", T0 + 3)).toBe(
        false,
      );
    });

    it("leases a due scheduled campaign to one owner at a time, until the lease expires", async () => {
      const due = aCampaign({ status: "scheduled", scheduledAt: T0 + 100 });
      await ctx.store.campaigns.insert(due, []);
      await ctx.store.campaigns.insert(aCampaign({ status: "paused" }), []);
      await ctx.store.campaigns.insert(aCampaign({ status: "completed" }), []);
      await ctx.store.campaigns.insert(aCampaign({ status: "cancelled" }), []);
      expect(await ctx.store.campaigns.lease("node-a", T0 + 99, 1000)).toBeNull();
      const leased = await ctx.store.campaigns.lease("node-a", T0 + 100, 1000);
      expect(leased).toEqual({
        ...due,
        status: "running",
        leaseOwner: "node-a",
        leaseUntil: T0 + 1100,
        updatedAt: T0 + 100,
      });
      expect(await ctx.store.campaigns.get(due.id)).toEqual(leased);
      expect(await ctx.store.campaigns.lease("node-b", T0 + 500, 1000)).toBeNull();
      const taken = await ctx.store.campaigns.lease("node-b", T0 + 1100, 1000);
      expect(taken).toMatchObject({
        id: due.id,
        status: "running",
        leaseOwner: "node-b",
        leaseUntil: T0 + 2100,
      });
    });

    it("releases a lease only for its owner", async () => {
      const c = aCampaign();
      await ctx.store.campaigns.insert(c, []);
      expect((await ctx.store.campaigns.lease("node-a", T0, 60_000))?.id).toBe(c.id);
      await ctx.store.campaigns.release(c.id, "node-b");
      expect(await ctx.store.campaigns.lease("node-b", T0 + 1, 60_000)).toBeNull();
      await ctx.store.campaigns.release(c.id, "node-a");
      expect(await ctx.store.campaigns.get(c.id)).toMatchObject({ leaseOwner: null, leaseUntil: null });
      expect(await ctx.store.campaigns.lease("node-b", T0 + 2, 60_000)).toMatchObject({
        id: c.id,
        leaseOwner: "node-b",
      });
    });

    it("gives concurrent lease calls different campaigns", async () => {
      const a = aCampaign();
      const b = aCampaign({ status: "scheduled", scheduledAt: T0 - 1 });
      await ctx.store.campaigns.insert(a, []);
      await ctx.store.campaigns.insert(b, []);
      const got = await Promise.all(["n1", "n2", "n3"].map((n) => ctx.store.campaigns.lease(n, T0, 60_000)));
      const leasedIds = got.flatMap((c) => (c ? [c.id] : []));
      expect(new Set(leasedIds)).toEqual(new Set([a.id, b.id]));
      expect(got.filter((c) => c === null)).toHaveLength(1);
    });
  });
}
