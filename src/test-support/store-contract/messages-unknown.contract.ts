import { describe, expect, it } from "vitest";
import type { StoreContext } from "./context.js";
import { aMessage, aPhone, T0 } from "./fixtures.js";

/** MessageStore.findUnknownToRecipient: the in-flight-at-crash messages a receipt may settle. */
export function messagesUnknownContract(ctx: StoreContext): void {
  describe("messages: unknown to a recipient", () => {
    it("finds a recipient's unknown messages since a time, newest first", async () => {
      const phone = aPhone();
      const at = (createdAt: number, status = "unknown" as const) =>
        aMessage({ phone, createdAt, updatedAt: createdAt, status });
      const old = at(T0 - 1);
      const a = at(T0);
      const b = at(T0 + 20);
      const c = at(T0 + 10);
      await ctx.store.messages.insertMany([
        old,
        a,
        b,
        c,
        aMessage({ phone, createdAt: T0 + 30, status: "sent" }),
        aMessage({ phone, createdAt: T0 + 40, status: "dispatching" }),
        aMessage({ createdAt: T0 + 50, status: "unknown" }),
      ]);
      expect(await ctx.store.messages.findUnknownToRecipient(phone, T0)).toEqual([b, c, a]);
      expect(await ctx.store.messages.findUnknownToRecipient(phone, T0 + 21)).toEqual([]);
      expect(await ctx.store.messages.findUnknownToRecipient(aPhone(), 0)).toEqual([]);
    });

    it("answers at most 50", async () => {
      const phone = aPhone();
      const ms = Array.from({ length: 55 }, (_, i) =>
        aMessage({ phone, createdAt: T0 + i, status: "unknown" }),
      );
      await ctx.store.messages.insertMany(ms);
      const found = await ctx.store.messages.findUnknownToRecipient(phone, T0);
      expect(found.map((m) => m.id)).toEqual(
        ms
          .slice(5)
          .reverse()
          .map((m) => m.id),
      );
    });
  });
}
