import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../../domain/messages/message.js";
import { verifyWebhookSignature } from "../../domain/webhooks/webhook-signature.js";
import { appHarness, freshCreditCode, grant, sendingSetup } from "../../test-support/app-fixtures.js";
import { changeDnd } from "../consent/dnd.js";
import { listSuppressions } from "../consent/suppressions.js";
import { withdrawConsent } from "../consent/withdraw-consent.js";
import { ADMIN, type AppContext } from "../context.js";
import { queueMo, type ReceiptFacts, receiptNotice } from "../delivery/sender-notices.js";
import type { Logger } from "../logger.port.js";
import { registerEnterprise } from "../registry/enterprises.js";
import type { ReceiptEvent, ReplyEvent } from "./message-events.js";
import { WebhookDispatcher, type WebhookDispatcherOptions, webhookBackoffMs } from "./webhook-dispatcher.js";
import type { WebhookResponse, WebhookSender } from "./webhook-sender.port.js";
import { setWebhook } from "./webhooks.js";

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Records every POST and answers with the status set for its `x-anning-event`, if any, else the next
 * scripted outcome (200 when the script is empty).
 */
class FakeSender implements WebhookSender {
  readonly sent: Sent[] = [];
  script: Array<number | Error | "hang" | (() => Promise<number>)> = [];
  byEvent: Record<string, number> = {};
  async post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    this.sent.push({ url, headers, body });
    const fixed = this.byEvent[headers["x-anning-event"] ?? ""];
    if (fixed !== undefined) return { status: fixed };
    const next = this.script.shift() ?? 200;
    if (next === "hang") return new Promise(() => {});
    if (next instanceof Error) throw next;
    return { status: typeof next === "number" ? next : await next() };
  }
}

const PHONE = "13812345678";
const OTHER_PHONE = "13987654321";
const DND_PHONE = "13700001111";
const URL_1 = "https://crm.example/anning/hook";

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** Two platforms with their own consents; the first subscribed, a withdrawal each, one DND change. */
async function setup(opts: WebhookDispatcherOptions = {}, log?: Logger) {
  const h = await appHarness();
  const s = h.services;
  opened.push(s);
  const one = await sendingSetup(s, 1);
  const two = await sendingSetup(s, 2);
  const sub = await setWebhook(s.ctx, ADMIN, one.platformId, { url: URL_1 });
  const withdraw = async (phone: string, enterpriseId: string) => {
    await grant(s, phone, enterpriseId);
    await withdrawConsent(s.ctx, ADMIN, {
      phone,
      enterpriseId,
      category: "marketing.retail",
      channel: "crm",
    });
  };
  await withdraw(PHONE, one.platformId);
  await withdraw(OTHER_PHONE, two.platformId);
  await changeDnd(s.ctx, ADMIN, { phone: DND_PHONE, scope: "all" }, true);
  const sender = new FakeSender();
  const ctx: AppContext = log ? { ...s.ctx, log } : s.ctx;
  const dispatcher = new WebhookDispatcher(ctx, sender, opts);
  const stored = async () => s.ctx.store.webhooks.get(one.platformId);
  return { h, s, one, two, sub, withdraw, sender, dispatcher, stored };
}

function parseSignature(header: string | undefined): { t: number; v1: string } {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!m) throw new Error(`bad signature header ${header}`);
  return { t: Number(m[1]), v1: String(m[2]) };
}

describe("webhook dispatcher", () => {
  it("signs with the signing clock when given (a server on a simulated clock still stamps real time)", async () => {
    const real = { now: () => Date.UTC(2030, 0, 2, 3, 4, 5) };
    const { h, sub, sender, dispatcher } = await setup({ signingClock: real });
    await dispatcher.deliverOnce();
    const [req] = sender.sent as [Sent];
    const { t, v1 } = parseSignature(req.headers["x-anning-signature"]);
    expect(t).toBe(Math.floor(real.now() / 1000));
    expect(t).not.toBe(Math.floor(h.clock.now() / 1000));
    expect(verifyWebhookSignature(sub.secret, `t=${t},v1=${v1}`, req.body, t)).toBe(true);
  });

  it("POSTs the enterprise's own withdrawals and DND changes, signed with its secret, and advances", async () => {
    const { s, h, one, sub, sender, dispatcher, stored } = await setup();
    const round = await dispatcher.deliverOnce();
    expect(round).toEqual({ due: 1, delivered: 1, failed: 0, more: false });
    expect(sender.sent).toHaveLength(1);
    const [req] = sender.sent as [Sent];
    expect(req.url).toBe(URL_1);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["x-anning-event"]).toBe("suppressions");
    expect(req.headers["x-anning-delivery"]).toMatch(/^whd_/);
    const { t, v1 } = parseSignature(req.headers["x-anning-signature"]);
    expect(t).toBe(Math.floor(h.clock.now() / 1000));
    expect(v1).toBe(createHmac("sha256", sub.secret).update(`${t}.${req.body}`).digest("hex"));
    expect(verifyWebhookSignature(sub.secret, `t=${t},v1=${v1}`, req.body, t + 10)).toBe(true);
    expect(verifyWebhookSignature(sub.secret, `t=${t},v1=${v1}`, `${req.body} `, t)).toBe(false);
    expect(verifyWebhookSignature("whsec_other", `t=${t},v1=${v1}`, req.body, t)).toBe(false);
    expect(verifyWebhookSignature(sub.secret, `t=${t},v1=${v1}`, req.body, t + 301)).toBe(false);

    const body = JSON.parse(req.body) as { events: Array<Record<string, unknown>>; nextCursor: string };
    const feed = await listSuppressions(s.ctx, { kind: "enterprise", enterpriseId: one.platformId }, {});
    expect(body.events).toEqual(feed.items);
    expect(body.nextCursor).toBe(feed.nextCursor);
    expect(body.events.map((e) => [e.type, e.phone, e.enterpriseId])).toEqual([
      ["withdrawn", "+8613812345678", one.platformId],
      ["dnd", "+8613700001111", null],
    ]);
    expect(req.body).not.toContain("13987654321");
    expect(await stored()).toMatchObject({ cursor: body.nextCursor, attempts: 0, lastError: null });

    // nothing new: no request; a new withdrawal goes alone, after the cursor
    expect(await dispatcher.deliverOnce()).toMatchObject({ due: 1, delivered: 0, failed: 0 });
    expect(sender.sent).toHaveLength(1);
    await grant(s, "13600002222", one.platformId);
    await withdrawConsent(s.ctx, ADMIN, {
      phone: "13600002222",
      enterpriseId: one.platformId,
      channel: "sms",
    });
    await dispatcher.deliverOnce();
    const events = (JSON.parse(sender.sent[1]?.body ?? "{}") as { events: Array<{ cursor: string }> }).events;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => Number(e.cursor) > Number(body.nextCursor))).toBe(true);
  });

  it("backs off after a 500 and a thrown error, then redelivers the very same events", async () => {
    const { h, sender, dispatcher, stored } = await setup();
    sender.script = [500, new Error("request failed (ECONNREFUSED)"), 204];
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 0, failed: 1 });
    expect(await stored()).toMatchObject({
      cursor: "0",
      attempts: 1,
      nextAttemptAt: h.clock.now() + 5000,
      lastError: "HTTP 500",
    });
    h.clock.advance(4999);
    // only the (empty) message-events feed is due
    expect(await dispatcher.deliverOnce()).toEqual({ due: 1, delivered: 0, failed: 0, more: false });
    expect(sender.sent).toHaveLength(1);

    h.clock.advance(1);
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 0, failed: 1 });
    expect(await stored()).toMatchObject({
      cursor: "0",
      attempts: 2,
      nextAttemptAt: h.clock.now() + 10_000,
      lastError: "network error: request failed (ECONNREFUSED)",
    });

    h.clock.advance(10_000);
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 1, failed: 0 });
    const [first, second, third] = sender.sent.map((r) => JSON.parse(r.body) as { events: unknown[] });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(new Set(sender.sent.map((r) => r.headers["x-anning-delivery"])).size).toBe(3);
    expect(await stored()).toMatchObject({ attempts: 0, lastError: null, nextAttemptAt: h.clock.now() });
    expect((await stored())?.cursor).not.toBe("0");
  });

  it("counts an unanswered request as a failure after the timeout", async () => {
    const { h, sender, dispatcher, stored } = await setup({ timeoutMs: 30 });
    sender.script = ["hang"];
    expect(await dispatcher.deliverOnce()).toMatchObject({ failed: 1 });
    expect(await stored()).toMatchObject({
      cursor: "0",
      attempts: 1,
      lastError: "timeout after 30 ms",
      nextAttemptAt: h.clock.now() + 5000,
    });
  });

  it("doubles the back-off from 5 s and stops at an hour", () => {
    expect([0, 1, 2, 9, 10, 11, 5000].map(webhookBackoffMs)).toEqual([
      5000, 10_000, 20_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000,
    ]);
  });

  it("delivers in batches and reports that more are waiting", async () => {
    const { s, one, sender, dispatcher, stored } = await setup({ batchSize: 2 });
    await grant(s, "13600003333", one.platformId);
    await withdrawConsent(s.ctx, ADMIN, {
      phone: "13600003333",
      enterpriseId: one.platformId,
      category: "marketing.retail",
      channel: "crm",
    });
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 1, more: true });
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 1, more: false });
    const bodies = sender.sent.map((r) => JSON.parse(r.body) as { events: unknown[]; nextCursor: string });
    expect(bodies.map((b) => b.events.length)).toEqual([2, 1]);
    expect((await stored())?.cursor).toBe(bodies[1]?.nextCursor);
  });

  it("leaves a subscription replaced while its request was out as it was replaced", async () => {
    const { s, one, sender, dispatcher, stored } = await setup();
    sender.script = [
      async () => {
        await setWebhook(s.ctx, ADMIN, one.platformId, { url: "https://new.example/hook", fromCursor: "0" });
        return 200;
      },
    ];
    await dispatcher.deliverOnce();
    expect(await stored()).toMatchObject({ url: "https://new.example/hook", cursor: "0", attempts: 0 });
  });

  it("logs a failure with the enterprise id only: no number, no URL, no body", async () => {
    const lines: Array<Record<string, unknown>> = [];
    const log: Logger = {
      info: (o) => lines.push(o),
      warn: (o) => lines.push(o),
      error: (o) => lines.push(o),
    };
    const { one, sender, dispatcher } = await setup({}, log);
    sender.script = [503];
    await dispatcher.deliverOnce();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ enterpriseId: one.platformId, attempts: 1 });
    const text = JSON.stringify(lines);
    for (const secret of ["13812345678", "crm.example", "events", "whsec_"])
      expect(text).not.toContain(secret);
  });

  it("starts and stops its polling loop", async () => {
    const { sender, dispatcher, stored } = await setup({ pollMs: 10 });
    dispatcher.start();
    for (let i = 0; i < 100 && sender.sent.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await dispatcher.stop();
    expect(sender.sent).toHaveLength(1);
    expect((await stored())?.cursor).not.toBe("0");
  });
});

/** A message as the store keeps it, enough for a receipt notice. */
function aMessage(ctx: AppContext, senderId: string, phone: string, port: string): Message {
  const at = ctx.clock.now();
  return {
    id: ctx.ids.next("msg"),
    senderId,
    signatureId: null,
    signature: "【好物商城】",
    port,
    portId: null,
    phone,
    text: "【好物商城】双11大促，全场五折。回TD退订",
    category: "marketing.retail",
    status: "delivered",
    reasons: [],
    campaignId: null,
    idempotencyKey: null,
    parts: 1,
    createdAt: at - 60_000,
    updatedAt: at,
    notBefore: at - 60_000,
    validUntil: at + 86_400_000,
    upstreamId: null,
    history: [],
  };
}

type Events = { events: Array<ReceiptEvent | ReplyEvent>; nextCursor: string };

describe("webhook dispatcher: message events", () => {
  const MERCHANT_PHONE = "+8613811112222";
  const FOREIGN_PHONE = "+8613933334444";
  const REPLIER = "+8613655556666";

  /**
   * Platform one with a merchant, platform two apart; a receipt of platform one queued before its
   * webhook exists; platform one subscribed (no suppression events).
   */
  async function messagesSetup(opts: WebhookDispatcherOptions = {}, noticesCursor?: string) {
    const h = await appHarness();
    const s = h.services;
    opened.push(s);
    const one = await sendingSetup(s, 1);
    const two = await sendingSetup(s, 2);
    const merchant = await registerEnterprise(s.ctx, ADMIN, {
      kind: "merchant",
      name: "商户1",
      creditCode: freshCreditCode(),
      parentId: one.platformId,
    });
    const merchantId = merchant.enterprise.id;
    const receipt = (senderId: string, phone: string, extra: Partial<ReceiptFacts> = {}) =>
      s.ctx.store.delivery.addNotice(
        receiptNotice(s.ctx, aMessage(s.ctx, senderId, phone, one.port), {
          status: "delivered",
          stat: "DELIVRD",
          err: "000",
          at: s.ctx.clock.now(),
          ...extra,
        }),
      );
    await receipt(one.platformId, "+8613800000000");
    h.clock.advance(1000);
    const sub = await setWebhook(s.ctx, ADMIN, one.platformId, {
      url: URL_1,
      ...(noticesCursor === undefined ? {} : { noticesCursor }),
    });
    const sender = new FakeSender();
    const dispatcher = new WebhookDispatcher(s.ctx, sender, opts);
    const stored = async () => s.ctx.store.webhooks.get(one.platformId);
    const messagesSent = () => sender.sent.filter((r) => r.headers["x-anning-event"] === "messages");
    return { h, s, one, two, merchantId, receipt, sub, sender, dispatcher, stored, messagesSent };
  }

  it("POSTs the receipts and replies of the platform and its merchants, signed, and advances", async () => {
    const { h, s, one, two, merchantId, receipt, sub, sender, dispatcher, stored, messagesSent } =
      await messagesSetup();
    expect(sub.noticesCursor).toMatch(/^ntc_/);
    h.clock.advance(1000);
    await receipt(one.platformId, "+8613812345678", {
      status: "refused",
      stat: "REJECTD",
      reason: "CONSENT_MISSING",
    });
    await receipt(merchantId, MERCHANT_PHONE, { status: "failed", stat: "UNDELIV", err: "00B" });
    await receipt(two.platformId, FOREIGN_PHONE);
    await queueMo(s.ctx, [merchantId], {
      from: REPLIER,
      to: `${one.port}01`,
      text: "TD",
      action: "opt_out",
      at: h.clock.now(),
    });
    await queueMo(s.ctx, [two.platformId], {
      from: FOREIGN_PHONE,
      to: two.port,
      text: "谢谢",
      action: "nothing",
      at: h.clock.now(),
    });

    expect(await dispatcher.deliverOnce()).toEqual({ due: 1, delivered: 1, failed: 0, more: false });
    expect(sender.sent).toHaveLength(1);
    const [req] = messagesSent() as [Sent];
    expect(req.url).toBe(URL_1);
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["x-anning-delivery"]).toMatch(/^whd_/);
    const { t, v1 } = parseSignature(req.headers["x-anning-signature"]);
    expect(t).toBe(Math.floor(h.clock.now() / 1000));
    expect(verifyWebhookSignature(sub.secret, `t=${t},v1=${v1}`, req.body, t)).toBe(true);

    const body = JSON.parse(req.body) as Events;
    const at = new Date(h.clock.now()).toISOString();
    expect(body.events).toEqual([
      {
        id: expect.stringMatching(/^ntc_/),
        type: "receipt",
        enterpriseId: one.platformId,
        at,
        messageId: expect.stringMatching(/^msg_/),
        status: "refused",
        stat: "REJECTD",
        err: "000",
        reason: "CONSENT_MISSING",
        phone: "138****5678",
        port: one.port,
        parts: 1,
      },
      {
        id: expect.stringMatching(/^ntc_/),
        type: "receipt",
        enterpriseId: merchantId,
        at,
        messageId: expect.stringMatching(/^msg_/),
        status: "failed",
        stat: "UNDELIV",
        err: "00B",
        phone: "138****2222",
        port: one.port,
        parts: 1,
      },
      {
        id: expect.stringMatching(/^ntc_/),
        type: "reply",
        enterpriseId: merchantId,
        at,
        from: REPLIER,
        to: `${one.port}01`,
        text: "TD",
        action: "opt_out",
      },
    ]);
    const ids = body.events.map((e) => e.id);
    expect([...ids].sort()).toEqual(ids);
    expect(body.nextCursor).toBe(ids.at(-1));
    // the receipt queued before the webhook existed, and platform two's notices, are not there
    // the receipt queued before the webhook existed and platform two's notices are not there; receipts
    // never give the recipient in full
    for (const absent of ["13800000000", "13933334444", "谢谢", "13812345678", "13811112222"])
      expect(req.body).not.toContain(absent);
    expect(await stored()).toMatchObject({
      noticesCursor: body.nextCursor,
      noticesAttempts: 0,
      noticesLastError: null,
      cursor: "0",
    });

    // nothing new: no request; a new notice goes alone, after the cursor
    expect(await dispatcher.deliverOnce()).toMatchObject({ due: 1, delivered: 0, failed: 0 });
    await receipt(merchantId, MERCHANT_PHONE);
    await dispatcher.deliverOnce();
    const next = JSON.parse(messagesSent()[1]?.body ?? "{}") as Events;
    expect(next.events.map((e) => e.type)).toEqual(["receipt"]);
    expect(String(next.events[0]?.id) > body.nextCursor).toBe(true);
  });

  it("starts at the cursor given: \"0\" delivers every notice kept, the platform's and its merchants' only", async () => {
    const { dispatcher, messagesSent, one, two, receipt } = await messagesSetup({}, "0");
    await receipt(two.platformId, FOREIGN_PHONE);
    await dispatcher.deliverOnce();
    const body = JSON.parse(messagesSent()[0]?.body ?? "{}") as Events;
    expect(body.events.map((e) => [e.type, e.enterpriseId, e.type === "receipt" && e.phone])).toEqual([
      ["receipt", one.platformId, "138****0000"],
    ]);
  });

  it("gives a merchant's webhook its own events only: not its platform's, not another tenant's", async () => {
    const { s, h, one, merchantId, receipt } = await messagesSetup();
    const mine = await setWebhook(s.ctx, ADMIN, merchantId, { url: URL_1 });
    h.clock.advance(1000);
    await receipt(one.platformId, "+8613812345678");
    await receipt(merchantId, MERCHANT_PHONE);
    await queueMo(s.ctx, [one.platformId], {
      from: REPLIER,
      to: one.port,
      text: "你好",
      action: "nothing",
      at: h.clock.now(),
    });
    const sender = new FakeSender();
    await new WebhookDispatcher(s.ctx, sender).deliverOnce();
    const toMerchant = sender.sent.filter(
      (r) => r.headers["x-anning-event"] === "messages" && verifies(mine.secret, r),
    );
    expect(toMerchant).toHaveLength(1);
    const body = JSON.parse(toMerchant[0]?.body ?? "{}") as Events;
    expect(body.events.map((e) => [e.type, e.enterpriseId])).toEqual([["receipt", merchantId]]);
  });

  it("backs each feed off on its own: a failing suppression receiver does not hold up the message events", async () => {
    const { h, s, one, receipt, sender, dispatcher, stored, messagesSent } = await messagesSetup();
    await grant(s, PHONE, one.platformId);
    await withdrawConsent(s.ctx, ADMIN, { phone: PHONE, enterpriseId: one.platformId, channel: "crm" });
    await receipt(one.platformId, "+8613812345678");
    sender.byEvent = { suppressions: 500, messages: 200 };

    expect(await dispatcher.deliverOnce()).toEqual({ due: 1, delivered: 1, failed: 1, more: false });
    const first = JSON.parse(messagesSent()[0]?.body ?? "{}") as Events;
    expect(await stored()).toMatchObject({
      cursor: "0",
      attempts: 1,
      lastError: "HTTP 500",
      nextAttemptAt: h.clock.now() + 5000,
      noticesCursor: first.nextCursor,
      noticesAttempts: 0,
      noticesLastError: null,
    });

    // suppressions backing off; the message events go on at once
    h.clock.advance(1000);
    await receipt(one.platformId, "+8613812345678", { status: "failed", stat: "EXPIRED" });
    expect(await dispatcher.deliverOnce()).toEqual({ due: 1, delivered: 1, failed: 0, more: false });
    // (the two feeds go side by side: their first requests in either order)
    expect(sender.sent.map((r) => r.headers["x-anning-event"]).sort()).toEqual([
      "messages",
      "messages",
      "suppressions",
    ]);
    const second = JSON.parse(messagesSent()[1]?.body ?? "{}") as Events;
    expect(second.events.map((e) => e.type === "receipt" && e.stat)).toEqual(["EXPIRED"]);
    expect((await stored())?.noticesCursor).toBe(second.nextCursor);

    // now the other way round: the message events fail and back off, the suppressions go through
    sender.byEvent = { suppressions: 204, messages: 503 };
    await receipt(one.platformId, "+8613812345678");
    h.clock.advance(4000);
    expect(await dispatcher.deliverOnce()).toEqual({ due: 1, delivered: 1, failed: 1, more: false });
    expect(await stored()).toMatchObject({
      attempts: 0,
      lastError: null,
      noticesCursor: second.nextCursor,
      noticesAttempts: 1,
      noticesLastError: "HTTP 503",
      noticesNextAttemptAt: h.clock.now() + 5000,
    });
    expect((await stored())?.cursor).not.toBe("0");
    h.clock.advance(4999);
    const before = sender.sent.length;
    await dispatcher.deliverOnce();
    expect(sender.sent).toHaveLength(before);
    h.clock.advance(1);
    await dispatcher.deliverOnce();
    expect(await stored()).toMatchObject({
      noticesAttempts: 2,
      noticesNextAttemptAt: h.clock.now() + 10_000,
    });

    // once it answers again, the very same events go, and the cursor moves
    sender.byEvent = {};
    h.clock.advance(10_000);
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 1, failed: 0 });
    const tries = messagesSent()
      .slice(2)
      .map((r) => r.body);
    expect(tries).toHaveLength(3);
    expect(new Set(tries).size).toBe(1);
    const third = JSON.parse(tries[0] ?? "{}") as Events;
    expect(await stored()).toMatchObject({ noticesCursor: third.nextCursor, noticesAttempts: 0 });
  });

  it("delivers message events in batches and reports that more are waiting", async () => {
    const { one, receipt, dispatcher, stored, messagesSent } = await messagesSetup({ batchSize: 2 });
    for (let i = 0; i < 3; i++) await receipt(one.platformId, "+8613812345678");
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 1, more: true });
    expect(await dispatcher.deliverOnce()).toMatchObject({ delivered: 1, more: false });
    const bodies = messagesSent().map((r) => JSON.parse(r.body) as Events);
    expect(bodies.map((b) => b.events.length)).toEqual([2, 1]);
    expect((await stored())?.noticesCursor).toBe(bodies[1]?.nextCursor);
  });
});

function verifies(secret: string, r: Sent): boolean {
  const { t, v1 } = parseSignature(r.headers["x-anning-signature"]);
  return verifyWebhookSignature(secret, `t=${t},v1=${v1}`, r.body, t);
}
