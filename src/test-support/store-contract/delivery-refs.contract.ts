import { describe, expect, it } from "vitest";
import type { UpstreamRef } from "../../domain/delivery/delivery-store.port.js";
import type { StoreContext } from "./context.js";
import { anId, T0 } from "./fixtures.js";

/** Part 1 of a one-part message, just handed to route "up-a". */
function aRef(overrides: Partial<UpstreamRef> = {}): UpstreamRef {
  return {
    route: "up-a",
    upstreamId: "0A1F",
    messageId: anId("msg"),
    part: 1,
    parts: 1,
    state: "sent",
    at: T0,
    ...overrides,
  };
}

/** DeliveryStore, upstream references: parts handed over, found again by a receipt's id, settled. */
export function deliveryRefsContract(ctx: StoreContext): void {
  describe("delivery: upstream refs", () => {
    it("finds a part by its upstream id in any form (case, leading zeros, hex or decimal)", async () => {
      const ref = aRef({ upstreamId: "00A1F" });
      await ctx.store.delivery.addRefs([ref]);
      for (const form of ["00A1F", "a1f", "A1F", "0a1f", " a1f ", "2591", "002591"])
        expect(await ctx.store.delivery.findRef("up-a", form)).toEqual(ref);
      expect(await ctx.store.delivery.findRef("up-b", "a1f")).toBeNull();
      expect(await ctx.store.delivery.findRef("up-a", "a1e")).toBeNull();
      expect(await ctx.store.delivery.findRef("up-a", "")).toBeNull();
      const dec = aRef({ route: "up-b", upstreamId: "4242" });
      await ctx.store.delivery.addRefs([dec]);
      expect(await ctx.store.delivery.findRef("up-b", "1092")).toEqual(dec);
      expect(await ctx.store.delivery.findRef("up-b", "0004242")).toEqual(dec);
    });

    it("records and finds many parts at once (calls made in one turn), each call its own answer", async () => {
      const refs = Array.from({ length: 40 }, (_, i) =>
        aRef({ route: i % 2 ? "up-a" : "up-b", upstreamId: (0xb000 + i).toString(16), at: T0 + i }),
      );
      await Promise.all(refs.map((r) => ctx.store.delivery.addRefs([r])));
      // again for one part in the same turn as others: the later call wins
      const moved = { ...(refs[3] as UpstreamRef), upstreamId: "fffe", at: T0 + 100 };
      await Promise.all([
        ctx.store.delivery.addRefs([refs[4] as UpstreamRef]),
        ctx.store.delivery.addRefs([moved]),
      ]);
      const found = await Promise.all([
        ...refs.map((r) => ctx.store.delivery.findRef(r.route, String(Number.parseInt(r.upstreamId, 16)))),
        ctx.store.delivery.findRef("up-a", "65534"),
        ctx.store.delivery.findRef("up-b", "65534"),
        ctx.store.delivery.findRef("up-a", "nope"),
      ]);
      expect(found).toEqual([...refs.map((r, i) => (i === 3 ? null : r)), moved, null, null]);
    });

    it("answers the most recently handed-over part when an id was reused", async () => {
      const old = aRef({ upstreamId: "77", at: T0 });
      const recent = aRef({ upstreamId: "077", at: T0 + 5000 });
      const other = aRef({ upstreamId: "77", route: "up-b", at: T0 + 9000 });
      await ctx.store.delivery.addRefs([recent, other]);
      await ctx.store.delivery.addRefs([old]);
      expect(await ctx.store.delivery.findRef("up-a", "77")).toEqual(recent);
      expect(await ctx.store.delivery.findRef("up-b", "077")).toEqual(other);
    });

    it("answers the newest part when the receipt's id matches parts stored under different forms", async () => {
      // "77" as given, and "4d" (77 in hex): a receipt saying 77 may mean either; the newer hand-over wins
      const asDecimal = aRef({ route: "up-c", upstreamId: "77", at: T0 });
      const asHex = aRef({ route: "up-c", upstreamId: "4D", at: T0 + 1000 });
      await ctx.store.delivery.addRefs([asDecimal, asHex]);
      expect(await ctx.store.delivery.findRef("up-c", "77")).toEqual(asHex);
      const newer = aRef({ route: "up-c", upstreamId: "0077", at: T0 + 2000 });
      await ctx.store.delivery.addRefs([newer]);
      expect(await ctx.store.delivery.findRef("up-c", "77")).toEqual(newer);
      // same hand-over time: the larger message id, as the stores order them
      const tieA = aRef({ route: "up-d", upstreamId: "4D", at: T0, messageId: "msg_tie_a" });
      const tieB = aRef({ route: "up-d", upstreamId: "77", at: T0, messageId: "msg_tie_b" });
      await ctx.store.delivery.addRefs([tieB, tieA]);
      expect(await ctx.store.delivery.findRef("up-d", "77")).toEqual(tieB);
    });

    it("records every part of a long message and settles them one by one", async () => {
      const msg = anId("msg");
      const parts = [1, 2, 3].map((part) =>
        aRef({ messageId: msg, part, parts: 3, upstreamId: `ff0${part}` }),
      );
      await ctx.store.delivery.addRefs([parts[2], parts[0], parts[1]] as UpstreamRef[]);
      expect(await ctx.store.delivery.refsOf(msg)).toEqual(parts);
      expect(await ctx.store.delivery.findRef("up-a", "FF02")).toEqual(parts[1]);
      const after1 = await ctx.store.delivery.settlePart(msg, 2, "delivered", T0 + 10);
      expect(after1).toEqual([parts[0], { ...parts[1], state: "delivered", at: T0 + 10 }, parts[2]]);
      await ctx.store.delivery.settlePart(msg, 1, "failed", T0 + 11);
      const all = await ctx.store.delivery.settlePart(msg, 3, "expired", T0 + 12);
      expect(all.map((r) => [r.part, r.state, r.at])).toEqual([
        [1, "failed", T0 + 11],
        [2, "delivered", T0 + 10],
        [3, "expired", T0 + 12],
      ]);
      expect(await ctx.store.delivery.findRef("up-a", "ff03")).toMatchObject({ state: "expired" });
      expect(await ctx.store.delivery.settlePart(msg, 9, "delivered", T0)).toEqual(
        await ctx.store.delivery.refsOf(msg),
      );
      expect(await ctx.store.delivery.settlePart("msg_none", 1, "delivered", T0)).toEqual([]);
      expect(await ctx.store.delivery.refsOf("msg_none")).toEqual([]);
    });

    it("replaces a part recorded again, which is then no longer found under its old id", async () => {
      const first = aRef({ upstreamId: "abc" });
      await ctx.store.delivery.addRefs([first]);
      const again = { ...first, upstreamId: "def", route: "up-b", at: T0 + 1, state: "unknown" as const };
      await ctx.store.delivery.addRefs([again]);
      expect(await ctx.store.delivery.findRef("up-a", "abc")).toBeNull();
      expect(await ctx.store.delivery.findRef("up-b", "DEF")).toEqual(again);
      expect(await ctx.store.delivery.refsOf(first.messageId)).toEqual([again]);
      await ctx.store.delivery.addRefs([]);
    });

    it("lets exactly the last of concurrent settlements of a message's parts see them all final", async () => {
      const msg = anId("msg");
      const n = 6;
      await ctx.store.delivery.addRefs(
        Array.from({ length: n }, (_, i) =>
          aRef({ messageId: msg, part: i + 1, parts: n, upstreamId: `${i + 100}` }),
        ),
      );
      const seen = await Promise.all(
        Array.from({ length: n }, (_, i) => ctx.store.delivery.settlePart(msg, i + 1, "delivered", T0 + i)),
      );
      const sawAllFinal = seen.filter((refs) => refs.every((r) => r.state === "delivered"));
      expect(sawAllFinal).toHaveLength(1);
    });
  });
}
