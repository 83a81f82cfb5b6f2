import { describe, expect, it } from "vitest";
import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import type { Message } from "../../domain/messages/message.js";
import { reason } from "../../domain/policy/reason-codes.js";
import { expectConflict, type StoreContext } from "./context.js";
import { aMessage, anId, T0 } from "./fixtures.js";

/** A receipt notice for message `m` (what the store queues is opaque to it). */
function noticeOf(m: Message, id = anId("ntc")): SenderNotice {
  return {
    id,
    enterpriseId: m.senderId,
    kind: "receipt",
    messageId: m.id,
    payload: { status: m.status },
    createdAt: m.createdAt,
    smppDeliveredAt: null,
  };
}

/**
 * MessageStore.transitionReturning, transitionNotifying and insertNotifying: the moved message as a read
 * gives it; a message's status, or the message itself, and the sender notice telling of it, durable
 * together or not at all.
 */
export function messagesNotifyingContract(ctx: StoreContext): void {
  describe("messages: transitions returning the moved message, and with their sender notice", () => {
    it("transitionReturning moves like transition and returns the message as moved", async () => {
      const m = aMessage();
      await ctx.store.messages.insert(m);
      const ev = { status: "sent" as const, at: T0 + 5, note: "upstream" };
      expect(await ctx.store.messages.transitionReturning(m.id, ["dispatching"], "sent", ev)).toBeNull();
      expect(
        await ctx.store.messages.transitionReturning("msg_missing", ["accepted"], "sent", ev),
      ).toBeNull();
      const moved = await ctx.store.messages.transitionReturning(m.id, ["unknown", "accepted"], "sent", ev, {
        upstreamId: "0A1F",
      });
      const expected = {
        ...m,
        status: "sent",
        upstreamId: "0A1F",
        updatedAt: T0 + 5,
        history: [...m.history, ev],
      };
      expect(moved).toEqual(expected);
      expect(await ctx.store.messages.get(m.id)).toEqual(expected);
      expect(await ctx.store.messages.transitionReturning(m.id, ["accepted"], "sent", ev)).toBeNull();
      // new reasons (one in its own words) and an event carrying them: what comes back is what a read gives
      const reasons = [
        reason("MESSAGE_EXPIRED"),
        { code: "FREQUENCY_CAP" as const, message: "custom wording" },
      ];
      const failed = { status: "failed" as const, at: T0 + 6, reasons, note: "expired at the carrier" };
      const again = await ctx.store.messages.transitionReturning(m.id, ["sent"], "failed", failed, {
        reasons,
      });
      expect(again).toEqual({
        ...expected,
        status: "failed",
        reasons,
        updatedAt: T0 + 6,
        history: [...expected.history, failed],
      });
      expect(await ctx.store.messages.get(m.id)).toEqual(again);
    });

    it("transitionNotifying moves the message and queues the notice built from it, together", async () => {
      const sender = anId("ent");
      const [m, other] = [aMessage({ senderId: sender, status: "sent" }), aMessage({ senderId: sender })];
      await ctx.store.messages.insertMany([m, other]);
      const ev = { status: "delivered" as const, at: T0 + 7, note: "receipt DELIVRD" };
      const seen: Message[] = [];
      const noticeFor = (moved: Message): SenderNotice => {
        seen.push(moved);
        return {
          id: anId("ntc"),
          enterpriseId: moved.senderId,
          kind: "receipt",
          messageId: moved.id,
          payload: { status: moved.status, phone: moved.phone },
          createdAt: ev.at,
          smppDeliveredAt: null,
        };
      };
      // status not matching: nothing moves, no notice is built or queued
      expect(
        await ctx.store.messages.transitionNotifying(other.id, ["sent"], "delivered", ev, noticeFor),
      ).toBeNull();
      expect(seen).toEqual([]);
      const moved = await ctx.store.messages.transitionNotifying(
        m.id,
        ["sent", "unknown"],
        "delivered",
        ev,
        noticeFor,
      );
      const expected = { ...m, status: "delivered", updatedAt: T0 + 7, history: [...m.history, ev] };
      expect(moved).toEqual(expected);
      expect(seen).toEqual([expected]);
      expect(await ctx.store.messages.get(m.id)).toEqual(expected);
      const queued = await ctx.store.delivery.pendingSmpp(sender, 10);
      expect(queued.map((n) => [n.messageId, n.payload])).toEqual([
        [m.id, { status: "delivered", phone: m.phone }],
      ]);
      // a second receipt finds it settled: nothing more
      expect(
        await ctx.store.messages.transitionNotifying(m.id, ["sent", "unknown"], "delivered", ev, noticeFor),
      ).toBeNull();
      expect(await ctx.store.delivery.pendingSmpp(sender, 10)).toHaveLength(1);
    });

    it("transitionNotifying keeps neither the move nor the notice when the notice cannot be stored", async () => {
      const sender = anId("ent");
      const m = aMessage({ senderId: sender, status: "sent" });
      await ctx.store.messages.insert(m);
      const taken = anId("ntc");
      await ctx.store.delivery.addNotice({
        id: taken,
        enterpriseId: "ent_elsewhere",
        kind: "mo",
        messageId: null,
        payload: {},
        createdAt: T0,
        smppDeliveredAt: null,
      });
      const ev = { status: "failed" as const, at: T0 + 9 };
      // the notice's id is taken: its insert fails, and the status change goes with it
      await expectConflict(
        ctx.store.messages.transitionNotifying(m.id, ["sent"], "failed", ev, (moved) => ({
          id: taken,
          enterpriseId: moved.senderId,
          kind: "receipt",
          messageId: moved.id,
          payload: {},
          createdAt: ev.at,
          smppDeliveredAt: null,
        })),
      );
      expect(await ctx.store.messages.get(m.id)).toEqual(m);
      expect(await ctx.store.delivery.pendingSmpp(sender, 10)).toEqual([]);
    });

    it("runs many transitionNotifying calls of one turn, each with its own outcome and notice", async () => {
      const sender = anId("ent");
      const ms = Array.from({ length: 6 }, (_, i) =>
        aMessage({ senderId: sender, status: i % 3 === 2 ? "accepted" : "sent" }),
      );
      await ctx.store.messages.insertMany(ms);
      const ev = { status: "delivered" as const, at: T0 + 3 };
      const noticeFor = (moved: Message): SenderNotice => ({
        id: anId("ntc"),
        enterpriseId: moved.senderId,
        kind: "receipt",
        messageId: moved.id,
        payload: { n: ms.findIndex((x) => x.id === moved.id) },
        createdAt: ev.at,
        smppDeliveredAt: null,
      });
      const out = await Promise.all(
        ms.map((m) => ctx.store.messages.transitionNotifying(m.id, ["sent"], "delivered", ev, noticeFor)),
      );
      expect(out.map((m) => m?.status ?? null)).toEqual([
        "delivered",
        "delivered",
        null,
        "delivered",
        "delivered",
        null,
      ]);
      const queued = await ctx.store.delivery.pendingSmpp(sender, 10);
      expect(queued.map((n) => n.payload.n).sort()).toEqual([0, 1, 3, 4]);
      expect(new Set(queued.map((n) => n.messageId))).toEqual(new Set([0, 1, 3, 4].map((i) => ms[i]?.id)));
    });

    it("insertNotifying records the message and queues its notice, together", async () => {
      const sender = anId("ent");
      const m = aMessage({ senderId: sender, status: "refused", reasons: [reason("CONSENT_MISSING")] });
      expect(await ctx.store.messages.insertNotifying(m, noticeOf(m))).toEqual({ inserted: true });
      expect(await ctx.store.messages.get(m.id)).toEqual(m);
      const queued = await ctx.store.delivery.pendingSmpp(sender, 10);
      expect(queued.map((n) => [n.messageId, n.payload])).toEqual([[m.id, { status: "refused" }]]);
    });

    it("insertNotifying with a repeated idempotency key queues nothing and returns the first", async () => {
      const sender = anId("ent");
      const first = aMessage({ senderId: sender, status: "refused", idempotencyKey: "k-1" });
      await ctx.store.messages.insertNotifying(first, noticeOf(first));
      const again = aMessage({ senderId: sender, status: "refused", idempotencyKey: "k-1" });
      expect(await ctx.store.messages.insertNotifying(again, noticeOf(again))).toEqual({
        inserted: false,
        existing: first,
      });
      expect(await ctx.store.messages.get(again.id)).toBeNull();
      const queued = await ctx.store.delivery.pendingSmpp(sender, 10);
      expect(queued.map((n) => n.messageId)).toEqual([first.id]);
    });

    it("insertNotifying keeps neither the message nor the notice when either cannot be stored", async () => {
      const sender = anId("ent");
      const taken = anId("ntc");
      const mo = { ...noticeOf(aMessage()), id: taken, enterpriseId: "ent_elsewhere", kind: "mo" as const };
      await ctx.store.delivery.addNotice(mo);
      const m = aMessage({ senderId: sender, status: "refused" });
      // the notice's id is taken: the message goes back out with it
      await expectConflict(ctx.store.messages.insertNotifying(m, noticeOf(m, taken)), "notice id");
      expect(await ctx.store.messages.get(m.id)).toBeNull();
      // the message's id is taken: its notice is not queued
      const stored = aMessage({ senderId: sender });
      await ctx.store.messages.insert(stored);
      const twin = aMessage({ id: stored.id, senderId: sender, status: "refused" });
      await expectConflict(ctx.store.messages.insertNotifying(twin, noticeOf(twin)), "message id");
      expect(await ctx.store.messages.get(stored.id)).toEqual(stored);
      expect(await ctx.store.delivery.pendingSmpp(sender, 10)).toEqual([]);
    });
  });
}
