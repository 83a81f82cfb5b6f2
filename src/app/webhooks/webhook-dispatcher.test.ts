import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../domain/webhooks/webhook-signature.js";
import { appHarness, grant, sendingSetup } from "../../test-support/app-fixtures.js";
import { changeDnd } from "../consent/dnd.js";
import { listSuppressions } from "../consent/suppressions.js";
import { withdrawConsent } from "../consent/withdraw-consent.js";
import { ADMIN, type AppContext } from "../context.js";
import type { Logger } from "../logger.port.js";
import { WebhookDispatcher, type WebhookDispatcherOptions, webhookBackoffMs } from "./webhook-dispatcher.js";
import type { WebhookResponse, WebhookSender } from "./webhook-sender.port.js";
import { setWebhook } from "./webhooks.js";

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Records every POST and answers with the next scripted outcome (200 when the script is empty). */
class FakeSender implements WebhookSender {
  readonly sent: Sent[] = [];
  script: Array<number | Error | "hang" | (() => Promise<number>)> = [];
  async post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    this.sent.push({ url, headers, body });
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
    expect(await dispatcher.deliverOnce()).toEqual({ due: 0, delivered: 0, failed: 0, more: false });
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
