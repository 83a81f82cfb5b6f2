import { describe, expect, it } from "vitest";
import type { WebhookSubscription } from "../../domain/webhooks/webhook-store.port.js";
import { type StoreContext, seedEnterprise } from "./context.js";
import { nextN, T0 } from "./fixtures.js";

/** A fresh subscription for an enterprise, due at T0, nothing delivered yet. */
function aSubscription(
  enterpriseId: string,
  overrides: Partial<WebhookSubscription> = {},
): WebhookSubscription {
  return {
    enterpriseId,
    url: `https://crm.example/hooks/${nextN()}`,
    secret: `whsec_${nextN()}`,
    cursor: "0",
    attempts: 0,
    nextAttemptAt: T0,
    lastError: null,
    noticesCursor: "ntc_0000000000000000000000",
    noticesAttempts: 0,
    noticesNextAttemptAt: T0,
    noticesLastError: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** WebhookStore: one subscription per enterprise, its cursor and its back-off state. */
export function webhooksContract(ctx: StoreContext): void {
  describe("webhooks", () => {
    it("round-trips every field and returns null for an enterprise without one", async () => {
      const e = await seedEnterprise(ctx.store);
      const s = aSubscription(e.id, {
        cursor: "42",
        attempts: 3,
        nextAttemptAt: T0 + 40_000,
        lastError: "HTTP 503",
        noticesCursor: "ntc_0mht3k2a0000001x9f2qk",
        noticesAttempts: 2,
        noticesNextAttemptAt: T0 + 20_000,
        noticesLastError: "timeout after 10000 ms",
        updatedAt: T0 + 7,
      });
      await ctx.store.webhooks.set(s);
      expect(await ctx.store.webhooks.get(e.id)).toEqual(s);
      expect(await ctx.store.webhooks.get("ent_missing")).toBeNull();
    });

    it("replaces a subscription but keeps its cursor and createdAt unless asked to reset the cursor", async () => {
      const e = await seedEnterprise(ctx.store);
      const first = aSubscription(e.id, { cursor: "17", attempts: 2, lastError: "timeout" });
      await ctx.store.webhooks.set(first);
      const second = aSubscription(e.id, {
        createdAt: T0 + 100,
        updatedAt: T0 + 100,
        nextAttemptAt: T0 + 100,
      });
      await ctx.store.webhooks.set(second);
      expect(await ctx.store.webhooks.get(e.id)).toEqual({ ...second, cursor: "17", createdAt: T0 });
      const third = aSubscription(e.id, { cursor: "5", updatedAt: T0 + 200 });
      await ctx.store.webhooks.set(third, { resetCursor: true });
      expect(await ctx.store.webhooks.get(e.id)).toEqual({ ...third, createdAt: T0 });
      expect(await ctx.store.webhooks.list()).toHaveLength(1);
    });

    it("lists every subscription, oldest first", async () => {
      const [a, b, c] = [
        await seedEnterprise(ctx.store),
        await seedEnterprise(ctx.store),
        await seedEnterprise(ctx.store),
      ];
      const later = aSubscription(a.id, { createdAt: T0 + 2000 });
      const first = aSubscription(b.id, { createdAt: T0 });
      const middle = aSubscription(c.id, { createdAt: T0 + 1000 });
      for (const s of [later, first, middle]) await ctx.store.webhooks.set(s);
      expect(await ctx.store.webhooks.list()).toEqual([first, middle, later]);
    });

    it("removes a subscription, and says so only once", async () => {
      const e = await seedEnterprise(ctx.store);
      await ctx.store.webhooks.set(aSubscription(e.id));
      expect(await ctx.store.webhooks.remove(e.id)).toBe(true);
      expect(await ctx.store.webhooks.remove(e.id)).toBe(false);
      expect(await ctx.store.webhooks.get(e.id)).toBeNull();
      expect(await ctx.store.webhooks.list()).toEqual([]);
    });

    it("advance moves the cursor and clears the back-off", async () => {
      const e = await seedEnterprise(ctx.store);
      const s = aSubscription(e.id, { cursor: "3", attempts: 4, nextAttemptAt: T0 + 80_000, lastError: "x" });
      await ctx.store.webhooks.set(s);
      await ctx.store.webhooks.advance(e.id, "12", T0 + 90_000);
      expect(await ctx.store.webhooks.get(e.id)).toEqual({
        ...s,
        cursor: "12",
        attempts: 0,
        nextAttemptAt: T0 + 90_000,
        lastError: null,
        updatedAt: T0 + 90_000,
      });
    });

    it("fail records the back-off and never moves the cursor", async () => {
      const e = await seedEnterprise(ctx.store);
      const s = aSubscription(e.id, { cursor: "9" });
      await ctx.store.webhooks.set(s);
      await ctx.store.webhooks.fail(e.id, 1, T0 + 5000, "HTTP 500", T0 + 1);
      await ctx.store.webhooks.fail(e.id, 2, T0 + 15_000, "network error", T0 + 5001);
      expect(await ctx.store.webhooks.get(e.id)).toEqual({
        ...s,
        attempts: 2,
        nextAttemptAt: T0 + 15_000,
        lastError: "network error",
        updatedAt: T0 + 5001,
      });
    });

    it("advance and fail on an enterprise without a subscription change nothing", async () => {
      const e = await seedEnterprise(ctx.store);
      await ctx.store.webhooks.advance(e.id, "5", T0);
      await ctx.store.webhooks.fail(e.id, 1, T0, "HTTP 500", T0);
      expect(await ctx.store.webhooks.get(e.id)).toBeNull();
      expect(await ctx.store.webhooks.list()).toEqual([]);
    });

    it("replaces both feeds' back-off, and keeps each cursor unless asked to reset that one", async () => {
      const e = await seedEnterprise(ctx.store);
      const first = aSubscription(e.id, {
        cursor: "17",
        noticesCursor: "ntc_first",
        noticesAttempts: 3,
        noticesNextAttemptAt: T0 + 40_000,
        noticesLastError: "HTTP 502",
      });
      await ctx.store.webhooks.set(first);
      const second = aSubscription(e.id, { cursor: "1", noticesCursor: "ntc_second", updatedAt: T0 + 100 });
      await ctx.store.webhooks.set(second);
      expect(await ctx.store.webhooks.get(e.id)).toEqual({
        ...second,
        cursor: "17",
        noticesCursor: "ntc_first",
        createdAt: T0,
      });
      await ctx.store.webhooks.set(second, { resetNoticesCursor: true });
      expect(await ctx.store.webhooks.get(e.id)).toEqual({ ...second, cursor: "17", createdAt: T0 });
      const third = aSubscription(e.id, { cursor: "2", noticesCursor: "ntc_third" });
      await ctx.store.webhooks.set(third, { resetCursor: true });
      expect(await ctx.store.webhooks.get(e.id)).toMatchObject({ cursor: "2", noticesCursor: "ntc_second" });
      const fourth = aSubscription(e.id, { cursor: "3", noticesCursor: "0" });
      await ctx.store.webhooks.set(fourth, { resetCursor: true, resetNoticesCursor: true });
      expect(await ctx.store.webhooks.get(e.id)).toEqual({ ...fourth, createdAt: T0 });
    });

    it("advanceNotices moves the notices cursor and clears its back-off, and leaves the suppression feed be", async () => {
      const e = await seedEnterprise(ctx.store);
      const s = aSubscription(e.id, {
        cursor: "3",
        attempts: 4,
        nextAttemptAt: T0 + 80_000,
        lastError: "HTTP 500",
        noticesCursor: "ntc_a",
        noticesAttempts: 2,
        noticesNextAttemptAt: T0 + 10_000,
        noticesLastError: "timeout",
      });
      await ctx.store.webhooks.set(s);
      await ctx.store.webhooks.advanceNotices(e.id, "ntc_b", T0 + 90_000);
      expect(await ctx.store.webhooks.get(e.id)).toEqual({
        ...s,
        noticesCursor: "ntc_b",
        noticesAttempts: 0,
        noticesNextAttemptAt: T0 + 90_000,
        noticesLastError: null,
        updatedAt: T0 + 90_000,
      });
    });

    it("failNotices records the notices back-off, never moves a cursor, and leaves the suppression feed be", async () => {
      const e = await seedEnterprise(ctx.store);
      const s = aSubscription(e.id, { cursor: "9", noticesCursor: "ntc_c" });
      await ctx.store.webhooks.set(s);
      await ctx.store.webhooks.failNotices(e.id, 1, T0 + 5000, "HTTP 500", T0 + 1);
      await ctx.store.webhooks.failNotices(e.id, 2, T0 + 15_000, "network error", T0 + 5001);
      expect(await ctx.store.webhooks.get(e.id)).toEqual({
        ...s,
        noticesAttempts: 2,
        noticesNextAttemptAt: T0 + 15_000,
        noticesLastError: "network error",
        updatedAt: T0 + 5001,
      });
      // and the suppression feed's advance and fail leave the notices state be
      await ctx.store.webhooks.advance(e.id, "10", T0 + 6000);
      await ctx.store.webhooks.fail(e.id, 1, T0 + 11_000, "HTTP 503", T0 + 6001);
      expect(await ctx.store.webhooks.get(e.id)).toEqual({
        ...s,
        cursor: "10",
        attempts: 1,
        nextAttemptAt: T0 + 11_000,
        lastError: "HTTP 503",
        noticesAttempts: 2,
        noticesNextAttemptAt: T0 + 15_000,
        noticesLastError: "network error",
        updatedAt: T0 + 6001,
      });
    });

    it("advanceNotices and failNotices on an enterprise without a subscription change nothing", async () => {
      const e = await seedEnterprise(ctx.store);
      await ctx.store.webhooks.advanceNotices(e.id, "ntc_x", T0);
      await ctx.store.webhooks.failNotices(e.id, 1, T0, "HTTP 500", T0);
      expect(await ctx.store.webhooks.get(e.id)).toBeNull();
    });

    it("keeps subscriptions across a reopen", async (t) => {
      const { reopen } = ctx.harness;
      if (!reopen) return t.skip();
      const e = await seedEnterprise(ctx.store);
      const s = aSubscription(e.id, { cursor: "77", noticesCursor: "ntc_77", noticesLastError: "HTTP 500" });
      await ctx.store.webhooks.set(s);
      await ctx.store.close();
      const again = ctx.track(await reopen());
      expect(await again.webhooks.get(e.id)).toEqual(s);
    });
  });
}
