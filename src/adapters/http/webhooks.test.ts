import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordUpstreamReceipt } from "../../app/delivery/receipts.js";
import { queueMo } from "../../app/delivery/sender-notices.js";
import { verifyWebhookSignature } from "../../domain/webhooks/webhook-signature.js";
import { type Harness, phoneNo, startHarness, type World } from "../../test-support/http-harness.js";

const HOOK = "https://crm.example/anning";

const url = (id: string) => `/v1/enterprises/${id}/webhook`;

describe("webhooks", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
    // a ledger with events up to position 7 at least, for the cursors below
    for (let i = 0; i < 7; i++) await h.grant(phoneNo(900 + i), w.A.id, "marketing.retail");
  });
  afterAll(() => h.close());

  it("subscribes, shows the secret once, and shows the state without it", async () => {
    const put = await h.as(w.A.apiKey)("PUT", url(w.A.id), { url: HOOK });
    expect(put.statusCode).toBe(200);
    const body = put.json();
    expect(body).toEqual({
      url: HOOK,
      secret: expect.stringMatching(/^whsec_[\w-]{43}$/),
      cursor: "0",
      noticesCursor: expect.stringMatching(/^ntc_[0-9a-z]{20}$/),
    });
    const get = await h.as(w.A.apiKey)("GET", url(w.A.id));
    expect(get.statusCode).toBe(200);
    expect(get.json()).toMatchObject({
      enterpriseId: w.A.id,
      url: HOOK,
      cursor: "0",
      attempts: 0,
      lastError: null,
      nextAttemptAt: expect.any(String),
      noticesCursor: body.noticesCursor,
      noticesAttempts: 0,
      noticesLastError: null,
      noticesNextAttemptAt: new Date(h.clock.now()).toISOString(),
    });
    expect(get.body).not.toContain(body.secret);
    expect(get.json()).not.toHaveProperty("secret");
  });

  it("replaces with a new secret, keeping the cursor unless fromCursor is given", async () => {
    const first = await h.as(w.B.apiKey)("PUT", url(w.B.id), { url: HOOK, fromCursor: "7" });
    expect(first.json().cursor).toBe("7");
    const second = await h.as(w.B.apiKey)("PUT", url(w.B.id), { url: `${HOOK}/v2` });
    expect(second.json()).toMatchObject({ url: `${HOOK}/v2`, cursor: "7" });
    expect(second.json().secret).not.toBe(first.json().secret);
    const third = await h.as(w.B.apiKey)("PUT", url(w.B.id), { url: HOOK, fromCursor: "0" });
    expect(third.json().cursor).toBe("0");
  });

  it("starts the message events at now or at noticesCursor, and keeps that cursor on replace unless given", async () => {
    const first = await h.as(w.C.apiKey)("PUT", url(w.C.id), { url: HOOK, noticesCursor: "0" });
    expect(first.json()).toMatchObject({ cursor: "0", noticesCursor: "0" });
    const second = await h.as(w.C.apiKey)("PUT", url(w.C.id), { url: HOOK, fromCursor: "3" });
    expect(second.json()).toMatchObject({ cursor: "3", noticesCursor: "0" });
    const given = "ntc_0a000000000000abcdef"; // long before the test clock
    const third = await h.as(w.C.apiKey)("PUT", url(w.C.id), { url: HOOK, noticesCursor: given });
    expect(third.json()).toMatchObject({ cursor: "3", noticesCursor: given });
    expect((await h.as(w.C.apiKey)("GET", url(w.C.id))).json().noticesCursor).toBe(given);
    expect((await h.as(w.C.apiKey)("DELETE", url(w.C.id))).statusCode).toBe(204);
    const fresh = await h.as(w.C.apiKey)("PUT", url(w.C.id), { url: HOOK });
    expect(fresh.json().noticesCursor).toMatch(/^ntc_/);
    expect(fresh.json().noticesCursor > given).toBe(true);
    expect((await h.as(w.C.apiKey)("DELETE", url(w.C.id))).statusCode).toBe(204);
  });

  it("lets the platform and the admin manage a merchant's webhook", async () => {
    expect((await h.as(w.P.apiKey)("PUT", url(w.A.id), { url: HOOK })).statusCode).toBe(200);
    expect((await h.as(w.P.apiKey)("GET", url(w.A.id))).statusCode).toBe(200);
    expect((await h.admin("PUT", url(w.C.id), { url: HOOK })).statusCode).toBe(200);
    expect((await h.admin("DELETE", url(w.C.id))).statusCode).toBe(204);
  });

  it("removes a webhook (204), then answers 404", async () => {
    await h.as(w.P.apiKey)("PUT", url(w.P.id), { url: HOOK });
    const del = await h.as(w.P.apiKey)("DELETE", url(w.P.id));
    expect([del.statusCode, del.body]).toEqual([204, ""]);
    for (const method of ["GET", "DELETE"] as const) {
      const r = await h.as(w.P.apiKey)(method, url(w.P.id));
      expect([r.statusCode, r.json().error.code]).toEqual([404, "NOT_FOUND"]);
    }
  });

  it("hides another tenant's webhook (404), and an unknown enterprise", async () => {
    const cases: Array<[string, string]> = [
      [w.B.apiKey, w.A.id],
      [w.A.apiKey, w.P.id],
      [w.Q.apiKey, w.A.id],
      [w.C.apiKey, w.A.id],
      [w.V.apiKey, w.A.id],
    ];
    for (const [key, id] of cases) {
      for (const [method, body] of [["PUT", { url: HOOK }], ["GET"], ["DELETE"]] as const) {
        const r = await h.as(key)(method, url(id), body);
        expect([r.statusCode, r.json().error.code]).toEqual([404, "NOT_FOUND"]);
      }
    }
    expect((await h.as(w.A.apiKey)("GET", url(w.A.id))).json().url).toBe(HOOK);
    expect((await h.admin("GET", url("ent_missing"))).statusCode).toBe(404);
    expect((await h.admin("PUT", url("ent_missing"), { url: HOOK })).statusCode).toBe(404);
  });

  it("needs a token (401)", async () => {
    for (const method of ["PUT", "GET", "DELETE"] as const) {
      const r = await h.anon(method, url(w.A.id), method === "PUT" ? { url: HOOK } : undefined);
      expect([r.statusCode, r.json().error.code]).toEqual([401, "UNAUTHORIZED"]);
    }
  });

  it.each([
    [{ url: "ftp://crm.example/x" }, "VALIDATION_FAILED"],
    [{ url: "javascript:alert(1)" }, "VALIDATION_FAILED"],
    [{ url: "not a url" }, "VALIDATION_FAILED"],
    [{ url: "https://user:pw@crm.example/x" }, "VALIDATION_FAILED"],
    [{ url: "" }, "VALIDATION_FAILED"],
    [{ url: HOOK, fromCursor: "abc" }, "VALIDATION_FAILED"],
    [{ url: HOOK, fromCursor: 5 }, "VALIDATION_FAILED"],
    [{ url: HOOK, noticesCursor: "abc" }, "VALIDATION_FAILED"],
    [{ url: HOOK, noticesCursor: "ntc_ABC" }, "VALIDATION_FAILED"],
    [{ url: HOOK, noticesCursor: "" }, "VALIDATION_FAILED"],
    [{ url: HOOK, noticesCursor: 0 }, "VALIDATION_FAILED"],
    // past the end of the feed: every event until the feed caught up would be skipped without a word
    [{ url: HOOK, fromCursor: "999999" }, "VALIDATION_FAILED"],
    [{ url: HOOK, noticesCursor: "ntc_zzzz" }, "VALIDATION_FAILED"],
    [{ url: HOOK, noticesCursor: "ntc_zzzzzzzzz00000abcdef" }, "VALIDATION_FAILED"],
    [{ url: HOOK, secret: "mine" }, "UNKNOWN_FIELD"],
    [{}, "MISSING_FIELD"],
  ])("refuses %j (400 %s)", async (body, code) => {
    const r = await h.as(w.A.apiKey)("PUT", url(w.A.id), body);
    expect([r.statusCode, r.json().error.code]).toEqual([400, code]);
  });
});

describe("webhook delivery end to end", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  it("POSTs a signed body a real receiver can verify, after a withdrawal through the API", async () => {
    const received: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const close = async () => {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    };
    try {
      const { port } = server.address() as AddressInfo;
      const put = await h.as(w.A.apiKey)("PUT", url(w.A.id), {
        url: `http://127.0.0.1:${port}/hooks/anning`,
      });
      expect(put.statusCode).toBe(200);
      const { secret } = put.json<{ secret: string }>();

      await h.grant(phoneNo(41), w.A.id, "marketing.retail");
      await h.grant(phoneNo(42), w.B.id, "marketing.retail");
      const withdraw = (key: string, phone: string, enterpriseId: string) =>
        h.as(key)("POST", "/v1/consents/withdraw", {
          phone,
          enterpriseId,
          category: "marketing.retail",
          channel: "app",
        });
      expect((await withdraw(w.A.apiKey, phoneNo(41), w.A.id)).statusCode).toBe(200);
      expect((await withdraw(w.B.apiKey, phoneNo(42), w.B.id)).statusCode).toBe(200);

      expect(await h.services.webhooks.deliverOnce()).toMatchObject({ delivered: 1, failed: 0 });
      expect(received).toHaveLength(1);
      const [r] = received as [(typeof received)[number]];
      expect([r.method, r.url]).toEqual(["POST", "/hooks/anning"]);
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["x-anning-event"]).toBe("suppressions");
      expect(r.headers["x-anning-delivery"]).toMatch(/^whd_/);
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(r.headers["x-anning-signature"]));
      expect(m).not.toBeNull();
      const t = Number(m?.[1]);
      expect(Math.abs(h.clock.now() / 1000 - t)).toBeLessThan(300);
      expect(m?.[2]).toBe(createHmac("sha256", secret).update(`${t}.${r.body}`).digest("hex"));

      const body = JSON.parse(r.body) as { events: Array<Record<string, unknown>>; nextCursor: string };
      expect(body.events).toEqual([
        {
          cursor: body.nextCursor,
          type: "withdrawn",
          phone: `+86${phoneNo(41)}`,
          phoneMasked: expect.stringContaining("****"),
          enterpriseId: w.A.id,
          category: "marketing.retail",
          channel: "app",
          at: new Date(h.clock.now()).toISOString(),
        },
      ]);
      const feed = await h.as(w.A.apiKey)("GET", "/v1/suppressions");
      expect(body.events).toEqual(feed.json().items);
      expect((await h.as(w.A.apiKey)("GET", url(w.A.id))).json()).toMatchObject({
        cursor: body.nextCursor,
        attempts: 0,
        lastError: null,
      });

      // the receiver goes away: the next event fails, backs off and keeps the cursor
      await close();
      await h.grant(phoneNo(43), w.A.id, "marketing.retail");
      expect((await withdraw(w.A.apiKey, phoneNo(43), w.A.id)).statusCode).toBe(200);
      expect(await h.services.webhooks.deliverOnce()).toMatchObject({ delivered: 0, failed: 1 });
      const state = (await h.as(w.A.apiKey)("GET", url(w.A.id))).json();
      expect(state).toMatchObject({
        cursor: body.nextCursor,
        attempts: 1,
        lastError: "network error: request failed (ECONNREFUSED)",
      });
      expect(Date.parse(state.nextAttemptAt)).toBe(h.clock.now() + 5000);
    } finally {
      await close();
    }
  });
});

describe("message events end to end", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  interface Received {
    path: string;
    headers: IncomingHttpHeaders;
    body: string;
  }

  it("POSTs a sent message's receipt and a reply as signed message events, to the merchant and its platform", async () => {
    const received: Received[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({
          path: String(req.url),
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const subscribe = async (key: string, id: string, path: string) => {
        const r = await h.as(key)("PUT", url(id), { url: `http://127.0.0.1:${port}${path}` });
        expect(r.statusCode).toBe(200);
        return r.json<{ secret: string; noticesCursor: string }>();
      };
      const a = await subscribe(w.A.apiKey, w.A.id, "/a");
      const p = await subscribe(w.P.apiKey, w.P.id, "/p");
      await subscribe(w.B.apiKey, w.B.id, "/b");
      await subscribe(w.C.apiKey, w.C.id, "/c");

      // A sends a message, the dispatcher hands it over, and the upstream's receipt comes back
      await h.grant(phoneNo(61), w.A.id, "marketing.retail");
      const sent = await h.as(w.A.apiKey)("POST", "/v1/messages", {
        senderId: w.A.id,
        signature: w.sigA,
        port: w.portA,
        phone: phoneNo(61),
        text: w.textA,
        category: "marketing.retail",
      });
      expect(sent.statusCode).toBe(202);
      const messageId = sent.json<{ id: string }>().id;
      expect(await h.services.dispatcher.drain()).toBe(1);
      const { ctx } = h.services;
      const handedOver = await ctx.store.messages.get(messageId);
      expect(handedOver?.status).toBe("sent");
      const upstreamId = String(handedOver?.upstreamId);
      await ctx.store.delivery.addRefs([
        { route: "recording", upstreamId, messageId, part: 1, parts: 1, state: "sent", at: h.clock.now() },
      ]);
      h.clock.advance(3000);
      const doneAt = h.clock.now();
      expect(
        await recordUpstreamReceipt(ctx, {
          route: "recording",
          upstreamId,
          stat: "DELIVRD",
          err: "000",
          at: doneAt,
        }),
      ).toMatchObject({ matched: true, final: true, status: "delivered" });
      expect((await h.as(w.A.apiKey)("GET", `/v1/messages/${messageId}`)).json().status).toBe("delivered");

      // a recipient replies to A's number
      h.clock.advance(1000);
      const replyAt = h.clock.now();
      await queueMo(ctx, [w.A.id], {
        from: `+86${phoneNo(62)}`,
        to: w.portA,
        text: "TD",
        action: "opt_out",
        at: replyAt,
      });

      expect(await h.services.webhooks.deliverOnce()).toMatchObject({ delivered: 2, failed: 0 });
      expect(received.map((r) => r.path).sort()).toEqual(["/a", "/p"]);
      const events = [
        {
          id: expect.stringMatching(/^ntc_/),
          type: "receipt",
          enterpriseId: w.A.id,
          at: new Date(doneAt).toISOString(),
          messageId,
          status: "delivered",
          stat: "DELIVRD",
          err: "000",
          phone: "139****0061",
          port: w.portA,
          parts: 1,
        },
        {
          id: expect.stringMatching(/^ntc_/),
          type: "reply",
          enterpriseId: w.A.id,
          at: new Date(replyAt).toISOString(),
          from: `+86${phoneNo(62)}`,
          to: w.portA,
          text: "TD",
          action: "opt_out",
        },
      ];
      for (const [path, secret] of [
        ["/a", a.secret],
        ["/p", p.secret],
      ] as const) {
        const r = received.find((x) => x.path === path) as Received;
        expect(r.headers["x-anning-event"]).toBe("messages");
        expect(r.headers["x-anning-delivery"]).toMatch(/^whd_/);
        const sig = String(r.headers["x-anning-signature"]);
        expect(verifyWebhookSignature(secret, sig, r.body, Math.floor(h.clock.now() / 1000))).toBe(true);
        const body = JSON.parse(r.body) as { events: Array<{ id: string }>; nextCursor: string };
        expect(body.events).toEqual(events);
        expect(body.nextCursor).toBe(body.events.at(-1)?.id);
        expect(String(body.events[0]?.id) > a.noticesCursor).toBe(true);
        expect(r.body).not.toContain(phoneNo(61));
      }
      const state = (await h.as(w.A.apiKey)("GET", url(w.A.id))).json();
      expect(state).toMatchObject({ cursor: "0", noticesAttempts: 0, noticesLastError: null });
      expect(state.noticesCursor).toBe(JSON.parse(received[0]?.body ?? "{}").nextCursor);
      // B (A's sibling) and C (another platform's merchant) got nothing
      expect(received.some((r) => r.path === "/b" || r.path === "/c")).toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
