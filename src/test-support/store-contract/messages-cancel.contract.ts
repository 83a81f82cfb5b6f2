import { describe, expect, it } from "vitest";
import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import type { Message } from "../../domain/messages/message.js";
import type { StoreContext } from "./context.js";
import { aMessage, anId, T0 } from "./fixtures.js";

/** The cancel move cancelMessage makes: accepted → cancelled with its sender's receipt. */
function cancelIn(ctx: StoreContext, id: string, at: number): Promise<Message | null> {
  const event = { status: "cancelled" as const, at, note: "cancelled by its sender" };
  const noticeFor = (moved: Message): SenderNotice => ({
    id: anId("ntc"),
    enterpriseId: moved.senderId,
    kind: "receipt",
    messageId: moved.id,
    payload: { status: moved.status, stat: "DELETED" },
    createdAt: at,
    smppDeliveredAt: null,
  });
  return ctx.store.messages.transitionNotifying(id, ["accepted"], "cancelled", event, noticeFor);
}

/**
 * Cancelling a message still in the outbox (MessageStore.transitionNotifying from `accepted`) against the
 * dispatcher's claim (claimOutbox): whichever commits first wins, never both, and a cancelled message is
 * never claimed.
 */
export function messagesCancelContract(ctx: StoreContext): void {
  describe("messages: cancelling a message in the outbox against the dispatcher's claim", () => {
    it("a cancelled message leaves the outbox with its notice; a claimed one can no longer be cancelled", async () => {
      const sender = anId("ent");
      const [a, b] = [aMessage({ senderId: sender }), aMessage({ senderId: sender })];
      await ctx.store.messages.insertMany([a, b]);
      const moved = await cancelIn(ctx, a.id, T0 + 5);
      expect(moved).toMatchObject({ id: a.id, status: "cancelled", updatedAt: T0 + 5 });
      expect(moved?.history.at(-1)).toEqual({
        status: "cancelled",
        at: T0 + 5,
        note: "cancelled by its sender",
      });
      const claimed = await ctx.store.messages.claimOutbox(10, T0 + 10_000_000);
      expect(claimed.map((m) => m.id)).toEqual([b.id]);
      expect(await cancelIn(ctx, b.id, T0 + 6)).toBeNull();
      expect(await cancelIn(ctx, a.id, T0 + 7)).toBeNull();
      const notices = await ctx.store.delivery.pendingSmpp(sender, 10);
      expect(notices.map((n) => n.messageId)).toEqual([a.id]);
    });

    it("racing a claim on another connection, each message is either claimed or cancelled, never both", async () => {
      const sender = anId("ent");
      const ms = Array.from({ length: 40 }, (_, i) => aMessage({ senderId: sender, notBefore: T0 + i }));
      await ctx.store.messages.insertMany(ms);
      const other = ctx.harness.reopen ? ctx.track(await ctx.harness.reopen()) : ctx.store;
      const now = T0 + 10_000_000;
      // the claim takes the oldest first; the cancels start from the newest, so they meet in the middle
      const [claimedA, claimedB, ...cancels] = await Promise.all([
        other.messages.claimOutbox(15, now),
        other.messages.claimOutbox(15, now),
        ...[...ms].reverse().map((m) => cancelIn(ctx, m.id, now)),
      ]);
      const claimed = new Set([...claimedA, ...claimedB].map((m) => m.id));
      const cancelled = new Set(cancels.filter((m): m is Message => m !== null).map((m) => m.id));
      for (const m of ms) {
        expect([m.id, claimed.has(m.id) !== cancelled.has(m.id)]).toEqual([m.id, true]);
        const stored = await ctx.store.messages.get(m.id);
        expect(stored?.status).toBe(claimed.has(m.id) ? "dispatching" : "cancelled");
      }
      const notices = await ctx.store.delivery.pendingSmpp(sender, 100);
      expect(new Set(notices.map((n) => n.messageId))).toEqual(cancelled);
      expect(await other.messages.claimOutbox(100, now)).toEqual([]);
    });
  });
}
