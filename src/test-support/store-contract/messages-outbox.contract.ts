import { describe, expect, it } from "vitest";
import type { Message } from "../../domain/messages/message.js";
import type { StoreContext } from "./context.js";
import { aMessage, T0 } from "./fixtures.js";

const ids = (ms: readonly Message[]) => ms.map((m) => m.id);

/** MessageStore, the outbox: claims, overdue messages, deferral and what a crash leaves in flight. */
export function messagesOutboxContract(ctx: StoreContext): void {
  describe("messages: the outbox", () => {
    it("claims due messages oldest first, marks them dispatching, and respects notBefore", async () => {
      const late = aMessage({ notBefore: T0 + 50 });
      const b = aMessage({ notBefore: T0 + 10 });
      const a = aMessage({ notBefore: T0 + 10 });
      const first = aMessage({ notBefore: T0 });
      const future = aMessage({ notBefore: T0 + 1000 });
      const refused = aMessage({ status: "refused" });
      await ctx.store.messages.insertMany([late, b, a, first, future, refused]);
      const claimed = await ctx.store.messages.claimOutbox(3, T0 + 100);
      expect(ids(claimed)).toEqual([first.id, b.id, a.id]);
      const dispatching = (m: Message) => ({
        ...m,
        status: "dispatching",
        updatedAt: T0 + 100,
        history: [...m.history, { status: "dispatching", at: T0 + 100 }],
      });
      expect(claimed[0]).toEqual(dispatching(first));
      expect(await ctx.store.messages.get(first.id)).toEqual(dispatching(first));
      expect(ids(await ctx.store.messages.claimOutbox(10, T0 + 100))).toEqual([late.id]);
      expect(await ctx.store.messages.claimOutbox(10, T0 + 100)).toEqual([]);
      expect(await ctx.store.messages.claimOutbox(0, T0 + 5000)).toEqual([]);
      expect(ids(await ctx.store.messages.claimOutbox(10, T0 + 5000))).toEqual([future.id]);
    });

    it("names the accepted messages whose validity ended, among the longest due it reads", async () => {
      const expired = aMessage({ notBefore: T0, validUntil: T0 + 100 });
      const expiredLater = aMessage({ notBefore: T0 + 20, validUntil: T0 + 150 });
      const valid = aMessage({ notBefore: T0 + 10, validUntil: T0 + 10_000 });
      const exactlyNow = aMessage({ notBefore: T0 + 30, validUntil: T0 + 200 });
      const notDue = aMessage({ notBefore: T0 + 500, validUntil: T0 + 600 });
      const refused = aMessage({ status: "refused", validUntil: T0 + 1 });
      const cancelled = aMessage({ status: "cancelled", validUntil: T0 + 1 });
      await ctx.store.messages.insertMany([
        expired,
        expiredLater,
        valid,
        exactlyNow,
        notDue,
        refused,
        cancelled,
      ]);
      const sorted = (a: string[]) => [...a].sort();
      expect(sorted(await ctx.store.messages.overdue(T0 + 200, 100))).toEqual(
        sorted([expired.id, expiredLater.id, exactlyNow.id]),
      );
      // it reads the two due longest (expired, then valid): only the first of them is over
      expect(await ctx.store.messages.overdue(T0 + 200, 2)).toEqual([expired.id]);
      expect(await ctx.store.messages.overdue(T0 + 99, 100)).toEqual([]);
    });

    it("never hands the same message to two concurrent claims", async () => {
      const ms = Array.from({ length: 10 }, () => aMessage());
      await ctx.store.messages.insertMany(ms);
      const batches = await Promise.all([1, 2, 3].map(() => ctx.store.messages.claimOutbox(4, T0)));
      const all = batches.flat().map((m) => m.id);
      expect(all).toHaveLength(10);
      expect(new Set(all)).toEqual(new Set(ids(ms)));
    });

    it("defers a claimed message until its new notBefore", async () => {
      const m = aMessage();
      await ctx.store.messages.insert(m);
      await ctx.store.messages.claimOutbox(1, T0);
      const ev = { status: "accepted" as const, at: T0 + 1, note: "quiet hours" };
      await ctx.store.messages.defer(m.id, T0 + 3600_000, ev);
      const deferred = await ctx.store.messages.get(m.id);
      expect(deferred).toMatchObject({ status: "accepted", notBefore: T0 + 3600_000, updatedAt: T0 + 1 });
      expect(deferred?.history.at(-1)).toEqual(ev);
      expect(await ctx.store.messages.claimOutbox(5, T0 + 3599_999)).toEqual([]);
      expect(ids(await ctx.store.messages.claimOutbox(5, T0 + 3600_000))).toEqual([m.id]);
    });

    it("marks messages left dispatching as unknown", async () => {
      const ms = [aMessage(), aMessage(), aMessage({ notBefore: T0 + 10 })];
      await ctx.store.messages.insertMany(ms);
      await ctx.store.messages.claimOutbox(5, T0);
      expect(await ctx.store.messages.markInFlightUnknown(T0 + 7)).toBe(2);
      for (const m of ms.slice(0, 2)) {
        const got = await ctx.store.messages.get(m.id);
        expect(got?.status).toBe("unknown");
        expect(got?.history.at(-1)).toMatchObject({ status: "unknown", at: T0 + 7 });
      }
      expect((await ctx.store.messages.get(ms[2]?.id ?? ""))?.status).toBe("accepted");
      expect(await ctx.store.messages.markInFlightUnknown(T0 + 8)).toBe(0);
    });

    it("marks unknown only what was claimed before a time, when given one (another node's dead hand-over)", async () => {
      const early = aMessage({ status: "accepted", notBefore: T0 });
      const late = aMessage({ status: "accepted", notBefore: T0 + 100 });
      await ctx.store.messages.insertMany([early, late]);
      await ctx.store.messages.claimOutbox(1, T0);
      await ctx.store.messages.claimOutbox(1, T0 + 100);
      expect(await ctx.store.messages.markInFlightUnknown(T0 + 200, T0 + 50)).toBe(1);
      expect((await ctx.store.messages.get(early.id))?.status).toBe("unknown");
      expect((await ctx.store.messages.get(late.id))?.status).toBe("dispatching");
    });
  });
}
