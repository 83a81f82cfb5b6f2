import { describe, expect, it } from "vitest";
import type { Message } from "../../domain/messages/message.js";
import { reason } from "../../domain/policy/reason-codes.js";
import { expectConflict, type StoreContext } from "./context.js";
import { aMessage, anId, aPhone, T0 } from "./fixtures.js";

const ids = (ms: readonly Message[]) => ms.map((m) => m.id);

/** MessageStore: log, idempotency, status CAS, recipient look-ups and listings (the outbox: messages-outbox). */
export function messagesContract(ctx: StoreContext): void {
  describe("messages", () => {
    it("round-trips every field and returns null for an unknown id", async () => {
      const m = aMessage({
        status: "refused",
        reasons: [reason("DND"), { code: "FREQUENCY_CAP", message: "custom wording" }],
        campaignId: "cpg_x",
        idempotencyKey: "order-1",
        signatureId: null,
        portId: null,
        parts: 2,
        updatedAt: T0 + 5,
        upstreamId: "up-1",
        history: [
          { status: "accepted", at: T0 },
          { status: "refused", at: T0 + 5, reasons: [reason("DND")], note: "late DND" },
        ],
      });
      expect(await ctx.store.messages.insert(m)).toEqual({ inserted: true });
      expect(await ctx.store.messages.get(m.id)).toEqual(m);
      expect(await ctx.store.messages.get("msg_missing")).toBeNull();
    });

    it("keeps how many ids an SMPP sender holds, through every way a message is written and read", async () => {
      const split = aMessage({ parts: 3, smppParts: 3 });
      const payload = aMessage({ parts: 3, smppParts: 1 });
      const http = aMessage({ parts: 3 });
      await ctx.store.messages.insert(split);
      await ctx.store.messages.insertMany([payload, http]);
      for (const m of [split, payload, http]) expect(await ctx.store.messages.get(m.id)).toEqual(m);
      expect(await ctx.store.messages.get(http.id)).not.toHaveProperty("smppParts");
      const claimed = await ctx.store.messages.claimOutbox(10, T0 + 1);
      expect(claimed.map((m) => [m.id, m.smppParts])).toEqual(
        expect.arrayContaining([
          [split.id, 3],
          [payload.id, 1],
          [http.id, undefined],
        ]),
      );
      const moved = await ctx.store.messages.transitionReturning(split.id, ["dispatching"], "sent", {
        status: "sent",
        at: T0 + 2,
      });
      expect(moved?.smppParts).toBe(3);
    });

    it("returns the existing message for a repeated idempotency key of the same sender", async () => {
      const m1 = aMessage({ idempotencyKey: "k-1" });
      const m2 = aMessage({ idempotencyKey: "k-1", text: "different" });
      const m3 = aMessage({ idempotencyKey: "k-1", senderId: "ent_other" });
      expect(await ctx.store.messages.insert(m1)).toEqual({ inserted: true });
      expect(await ctx.store.messages.insert(m2)).toEqual({ inserted: false, existing: m1 });
      expect(await ctx.store.messages.get(m2.id)).toBeNull();
      expect(await ctx.store.messages.insert(m3)).toEqual({ inserted: true });
    });

    it("refuses a duplicate id", async () => {
      const m = aMessage();
      await ctx.store.messages.insert(m);
      await expectConflict(ctx.store.messages.insert({ ...m, phone: aPhone() }));
      await expectConflict(ctx.store.messages.insertMany([aMessage(), { ...m }]));
    });

    it("inserts many in one go, all or nothing", async () => {
      const ms = Array.from({ length: 50 }, (_, i) =>
        aMessage({
          status: i % 2 ? "refused" : "accepted",
          reasons: i % 2 ? [reason("CONSENT_MISSING")] : [],
        }),
      );
      await ctx.store.messages.insertMany(ms);
      await ctx.store.messages.insertMany([]);
      expect(await ctx.store.messages.listBySenders("all", "", 100)).toEqual(ms);
      const clash = aMessage();
      await expectConflict(ctx.store.messages.insertMany([clash, { ...(ms[0] as Message) }]));
      expect(await ctx.store.messages.get(clash.id)).toBeNull();
    });

    it("transitions by compare-and-set on status, appending history and applying the patch", async () => {
      const m = aMessage();
      await ctx.store.messages.insert(m);
      const ev = { status: "dispatching" as const, at: T0 + 1 };
      expect(await ctx.store.messages.transition(m.id, ["accepted"], "dispatching", ev)).toBe(true);
      expect(await ctx.store.messages.transition(m.id, ["accepted"], "dispatching", ev)).toBe(false);
      expect(await ctx.store.messages.transition("msg_missing", ["accepted"], "sent", ev)).toBe(false);
      const sent = { status: "sent" as const, at: T0 + 2, note: "smpp ok" };
      expect(
        await ctx.store.messages.transition(m.id, ["dispatching", "unknown"], "sent", sent, {
          upstreamId: "u-9",
        }),
      ).toBe(true);
      const failed = { status: "failed" as const, at: T0 + 3, reasons: [reason("MESSAGE_EXPIRED")] };
      await ctx.store.messages.transition(m.id, ["sent"], "failed", failed, {
        reasons: [reason("MESSAGE_EXPIRED")],
      });
      expect(await ctx.store.messages.get(m.id)).toEqual({
        ...m,
        status: "failed",
        upstreamId: "u-9",
        reasons: [reason("MESSAGE_EXPIRED")],
        updatedAt: T0 + 3,
        history: [...m.history, ev, sent, failed],
      });
    });

    it("applies transitions made in one turn in call order, each with its own outcome", async () => {
      const ms = [aMessage(), aMessage(), aMessage()];
      await ctx.store.messages.insertMany(ms);
      const [a, b, c] = ms as [Message, Message, Message];
      const ev = (status: "dispatching" | "sent" | "delivered", at: number) => ({ status, at: T0 + at });
      const outcomes = await Promise.all([
        ctx.store.messages.transition(a.id, ["accepted"], "dispatching", ev("dispatching", 1)),
        ctx.store.messages.transition(b.id, ["accepted"], "dispatching", ev("dispatching", 1)),
        // the same message again in the same turn: sees the first move
        ctx.store.messages.transition(a.id, ["dispatching"], "sent", ev("sent", 2), { upstreamId: "u-1" }),
        ctx.store.messages.transitionReturning(a.id, ["sent"], "delivered", ev("delivered", 3)),
        ctx.store.messages.transition(c.id, ["sent"], "delivered", ev("delivered", 3)),
        ctx.store.messages.transition("msg_missing", ["accepted"], "sent", ev("sent", 2)),
      ]);
      expect(outcomes.map((o) => (o === null || typeof o === "boolean" ? o : o.status))).toEqual([
        true,
        true,
        true,
        "delivered",
        false,
        false,
      ]);
      expect(await ctx.store.messages.get(a.id)).toMatchObject({
        status: "delivered",
        upstreamId: "u-1",
        history: [...a.history, ev("dispatching", 1), ev("sent", 2), ev("delivered", 3)],
      });
      expect((await ctx.store.messages.get(b.id))?.status).toBe("dispatching");
      expect((await ctx.store.messages.get(c.id))?.status).toBe("accepted");
    });

    it("finds the latest message sent to a recipient on a port prefix (refused and cancelled ones never went)", async () => {
      const phone = aPhone();
      const on = (port: string, createdAt: number, extra: Partial<Message> = {}) =>
        aMessage({ phone, port, createdAt, ...extra });
      const older = on("106901230101", T0);
      const newer = on("106901230102", T0 + 10, { status: "delivered" });
      const elsewhere = on("1069099", T0 + 20);
      const refused = on("106901230101", T0 + 30, { status: "refused", reasons: [reason("DND")] });
      const cancelled = on("106901230102", T0 + 40, { status: "cancelled" }); // never sent
      await ctx.store.messages.insertMany([
        older,
        newer,
        elsewhere,
        refused,
        cancelled,
        aMessage({ port: "10690123" }),
      ]);
      expect((await ctx.store.messages.latestToRecipient(phone, "10690123"))?.id).toBe(newer.id);
      expect((await ctx.store.messages.latestToRecipient(phone, "106901230101"))?.id).toBe(older.id);
      expect((await ctx.store.messages.latestToRecipient(phone, "1069099"))?.id).toBe(elsewhere.id);
      expect(await ctx.store.messages.latestToRecipient(phone, "1234")).toBeNull();
      expect(await ctx.store.messages.latestToRecipient(aPhone(), "106")).toBeNull();
    });

    it("counts marketing messages neither refused nor cancelled since a time, by recipient and sender", async () => {
      const [p1, p2] = [aPhone(), aPhone()];
      await ctx.store.messages.insertMany([
        aMessage({ phone: p1, senderId: "ent_1", createdAt: T0 + 10 }),
        aMessage({ phone: p1, senderId: "ent_1", createdAt: T0 + 20, status: "delivered" }),
        aMessage({ phone: p1, senderId: "ent_2", createdAt: T0 + 10, category: "marketing.finance" }),
        aMessage({ phone: p2, senderId: "ent_1", createdAt: T0 + 10, status: "unknown" }),
        aMessage({ phone: p2, senderId: "ent_1", createdAt: T0 + 10, status: "refused" }),
        aMessage({ phone: p2, senderId: "ent_1", createdAt: T0 + 10, status: "cancelled" }),
        aMessage({ phone: p2, senderId: "ent_2", createdAt: T0 + 10, category: "notification" }),
        aMessage({ phone: p2, senderId: "ent_2", createdAt: T0 + 9 }),
      ]);
      const counts = await ctx.store.messages.marketingCountsSince(T0 + 10);
      const key = (c: { phone: string; senderId: string }) => `${c.phone}/${c.senderId}`;
      expect([...counts].sort((x, y) => key(x).localeCompare(key(y)))).toEqual([
        { phone: p1, senderId: "ent_1", count: 2 },
        { phone: p1, senderId: "ent_2", count: 1 },
        { phone: p2, senderId: "ent_1", count: 1 },
      ]);
      expect(await ctx.store.messages.marketingCountsSince(T0 + 21)).toEqual([]);
    });

    it("lists a campaign's messages by id, page by page", async () => {
      const cpg = anId("cpg");
      const mine = Array.from({ length: 5 }, () => aMessage({ campaignId: cpg }));
      await ctx.store.messages.insertMany([
        aMessage(),
        ...mine.slice(0, 3),
        aMessage({ campaignId: "cpg_other" }),
      ]);
      await ctx.store.messages.insertMany(mine.slice(3));
      expect(await ctx.store.messages.listByCampaign(cpg, "", 2)).toEqual(mine.slice(0, 2));
      expect(ids(await ctx.store.messages.listByCampaign(cpg, mine[1]?.id ?? "", 2))).toEqual(
        ids(mine.slice(2, 4)),
      );
      expect(ids(await ctx.store.messages.listByCampaign(cpg, mine[3]?.id ?? "", 2))).toEqual(
        ids(mine.slice(4)),
      );
      expect(await ctx.store.messages.listByCampaign(cpg, mine[4]?.id ?? "", 2)).toEqual([]);
    });

    it("lists messages of some senders by id, page by page", async () => {
      const ms = Array.from({ length: 9 }, (_, i) => aMessage({ senderId: `ent_${i % 3}` }));
      await ctx.store.messages.insertMany([...ms].reverse());
      const page1 = await ctx.store.messages.listBySenders("all", "", 4);
      expect(page1).toEqual(ms.slice(0, 4));
      expect(ids(await ctx.store.messages.listBySenders("all", page1[3]?.id ?? "", 10))).toEqual(
        ids(ms.slice(4)),
      );
      const of0 = ms.filter((m) => m.senderId === "ent_0");
      expect(ids(await ctx.store.messages.listBySenders(["ent_0"], "", 10))).toEqual(ids(of0));
      const of02 = ms.filter((m) => m.senderId !== "ent_1");
      const p = await ctx.store.messages.listBySenders(["ent_0", "ent_2"], "", 3);
      expect(ids(p)).toEqual(ids(of02.slice(0, 3)));
      const rest = await ctx.store.messages.listBySenders(["ent_2", "ent_0"], p[2]?.id ?? "", 10);
      expect(ids(rest)).toEqual(ids(of02.slice(3)));
      const many = [...Array.from({ length: 40 }, (_, i) => `ent_many_${i}`), "ent_2", "ent_0"];
      expect(ids(await ctx.store.messages.listBySenders(many, p[1]?.id ?? "", 3))).toEqual(
        ids(of02.slice(2, 5)),
      );
      expect(await ctx.store.messages.listBySenders([], "", 10)).toEqual([]);
      expect(await ctx.store.messages.listBySenders(["ent_none"], "", 10)).toEqual([]);
    });
  });
}
