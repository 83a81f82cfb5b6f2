import { describe, expect, it } from "vitest";
import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import { expectConflict, type StoreContext } from "./context.js";
import { anId, T0 } from "./fixtures.js";

/** A pending receipt notice for an enterprise; every field set. */
function aNotice(enterpriseId: string, overrides: Partial<SenderNotice> = {}): SenderNotice {
  return {
    id: anId("ntc"),
    enterpriseId,
    kind: "receipt",
    messageId: anId("msg"),
    payload: {
      stat: "DELIVRD",
      err: "000",
      parts: 2,
      onlyParts: [1],
      text: "【好物商城】新品",
      nested: { ok: true },
    },
    createdAt: T0,
    smppDeliveredAt: null,
    ...overrides,
  };
}

const ids = (ns: readonly SenderNotice[]) => ns.map((n) => n.id);

/** DeliveryStore, sender notices: the durable queue SMPP receiver binds drain and webhooks follow. */
export function senderNoticesContract(ctx: StoreContext): void {
  describe("delivery: sender notices", () => {
    it("round-trips every field, receipts and replies", async () => {
      const r = aNotice("ent_a");
      const mo = aNotice("ent_a", {
        kind: "mo",
        messageId: null,
        payload: { from: "+8613812345678", text: "TD" },
        createdAt: T0 + 1,
      });
      const done = aNotice("ent_a", { smppDeliveredAt: T0 + 2 });
      await ctx.store.delivery.addNotice(r);
      await ctx.store.delivery.addNotices([mo, done]);
      await ctx.store.delivery.addNotices([]);
      expect(await ctx.store.delivery.noticesAfter(["ent_a"], "", 10)).toEqual([r, mo, done]);
    });

    it("refuses a duplicate id, and a batch holding one adds nothing", async () => {
      const n = aNotice("ent_a");
      await ctx.store.delivery.addNotice(n);
      await expectConflict(ctx.store.delivery.addNotice({ ...n, enterpriseId: "ent_b" }));
      const fresh = aNotice("ent_b");
      await expectConflict(ctx.store.delivery.addNotices([fresh, { ...n }]));
      expect(await ctx.store.delivery.noticesAfter(["ent_a", "ent_b"], "", 10)).toEqual([n]);
    });

    it("hands out an enterprise's pending notices in id order until they are marked delivered", async () => {
      const a = [aNotice("ent_a"), aNotice("ent_a"), aNotice("ent_a"), aNotice("ent_a")];
      const b = aNotice("ent_b");
      await ctx.store.delivery.addNotices([a[2], b, a[0], a[3], a[1]] as SenderNotice[]);
      expect(await ctx.store.delivery.pendingSmpp("ent_a", 3)).toEqual(a.slice(0, 3));
      expect(await ctx.store.delivery.pendingSmppEnterprises()).toEqual(["ent_a", "ent_b"]);
      await ctx.store.delivery.markSmppDelivered([a[0]?.id, a[2]?.id, b.id] as string[], T0 + 5);
      await ctx.store.delivery.markSmppDelivered([a[0]?.id ?? "", "ntc_none"], T0 + 9);
      await ctx.store.delivery.markSmppDelivered([], T0 + 9);
      expect(ids(await ctx.store.delivery.pendingSmpp("ent_a", 10))).toEqual(
        ids([a[1], a[3]] as SenderNotice[]),
      );
      expect(await ctx.store.delivery.pendingSmpp("ent_b", 10)).toEqual([]);
      expect(await ctx.store.delivery.pendingSmpp("ent_a", 0)).toEqual([]);
      expect(await ctx.store.delivery.pendingSmppEnterprises()).toEqual(["ent_a"]);
      const all = await ctx.store.delivery.noticesAfter(["ent_a"], "", 10);
      expect(all.map((n) => n.smppDeliveredAt)).toEqual([T0 + 5, null, T0 + 5, null]);
      await ctx.store.delivery.markSmppDelivered(ids(a), T0 + 20);
      expect(await ctx.store.delivery.pendingSmppEnterprises()).toEqual([]);
    });

    it("pages through some enterprises' notices by id (a webhook cursor)", async () => {
      const ns = Array.from({ length: 9 }, (_, i) =>
        aNotice(`ent_${i % 3}`, { smppDeliveredAt: i % 2 ? T0 : null }),
      );
      await ctx.store.delivery.addNotices([...ns].reverse());
      const of02 = ns.filter((n) => n.enterpriseId !== "ent_1");
      const page1 = await ctx.store.delivery.noticesAfter(["ent_2", "ent_0"], "", 4);
      expect(page1).toEqual(of02.slice(0, 4));
      expect(ids(await ctx.store.delivery.noticesAfter(["ent_0", "ent_2"], page1[3]?.id ?? "", 4))).toEqual(
        ids(of02.slice(4)),
      );
      expect(await ctx.store.delivery.noticesAfter(["ent_0"], ns.at(-1)?.id ?? "", 4)).toEqual([]);
      expect(await ctx.store.delivery.noticesAfter([], "", 4)).toEqual([]);
      expect(await ctx.store.delivery.noticesAfter(["ent_1"], "", 0)).toEqual([]);
    });
  });
}
