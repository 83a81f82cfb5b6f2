import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type Harness,
  phoneNo,
  startHarness,
  type World,
} from "../../test-support/http-harness.js";

const PATHS = [
  "/healthz",
  "/metrics",
  "/v1/enterprises",
  "/v1/enterprises/{id}",
  "/v1/enterprises/{id}/suspend",
  "/v1/enterprises/{id}/restore",
  "/v1/enterprises/{id}/keys",
  "/v1/enterprises/{id}/keys/{keyId}",
  "/v1/enterprises/{id}/policy",
  "/v1/enterprises/{id}/webhook",
  "/v1/policy",
  "/v1/signatures",
  "/v1/signatures/{id}",
  "/v1/signatures/{id}/activate",
  "/v1/signatures/{id}/suspend",
  "/v1/signatures/{id}/restore",
  "/v1/signatures/{id}/revoke",
  "/v1/signatures/{id}/authorizations",
  "/v1/authorizations/{id}/revoke",
  "/v1/ports",
  "/v1/ports/{id}/allocations",
  "/v1/consents",
  "/v1/consents/withdraw",
  "/v1/consents/query",
  "/v1/dnd",
  "/v1/dnd/remove",
  "/v1/suppressions",
  "/v1/decisions",
  "/v1/messages",
  "/v1/messages/{id}",
  "/v1/messages/{id}/cancel",
  "/v1/messages/{id}/settle",
  "/v1/campaigns",
  "/v1/campaigns/{id}",
  "/v1/campaigns/{id}/pause",
  "/v1/campaigns/{id}/resume",
  "/v1/campaigns/{id}/cancel",
  "/v1/campaigns/{id}/results.csv",
  "/v1/inbound",
  "/v1/ledger/verify",
  "/v1/smpp/accounts",
  "/v1/smpp/accounts/{id}",
  "/v1/smpp/accounts/{id}/password",
  "/v1/smpp/accounts/{id}/disable",
  "/v1/smpp/accounts/{id}/enable",
];

describe("system routes", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  const send = (phone: string) => ({
    senderId: w.A.id,
    signature: w.sigA,
    port: w.portA,
    phone,
    text: w.textA,
    category: "marketing.retail",
  });

  it("reports health (public), and 503 degraded when the store fails", async () => {
    // Redis is checked too when the node shares counters through it
    const withRedis = h.services.ctx.counters ? { redis: "ok" } : {};
    const ok = await h.anon("GET", "/healthz");
    expect([ok.statusCode, ok.json()]).toEqual([
      200,
      { status: "ok", checks: { store: "ok", ...withRedis } },
    ]);
    const store = h.services.ctx.store;
    const ping = store.ping.bind(store);
    store.ping = async () => {
      throw new Error("database is locked");
    };
    try {
      const bad = await h.anon("GET", "/healthz");
      expect([bad.statusCode, bad.json()]).toEqual([
        503,
        { status: "degraded", checks: { store: "error", ...withRedis } },
      ]);
    } finally {
      store.ping = ping;
    }
  });

  it("publishes an OpenAPI 3 document listing every route, with bearer security", async () => {
    const r = await h.anon("GET", "/openapi.json");
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([...PATHS].sort());
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(
      doc.paths["/v1/messages"].post.requestBody.content["application/json"].schema.additionalProperties,
    ).toBe(false);
    expect(Object.keys(doc.paths["/v1/campaigns"].post.requestBody.content).sort()).toEqual([
      "application/json",
      "multipart/form-data",
      "text/csv",
    ]);
  });

  it("serves the API docs as HTML (public)", async () => {
    const r = await h.anon("GET", "/docs");
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/text\/html/);
    expect(r.body).toContain("swagger");
  });

  it("counts decisions by result and code in /metrics (admin), never with a phone number", async () => {
    await h.grant("13856781234", w.A.id, "marketing.retail");
    await h.as(w.A.apiKey)("POST", "/v1/decisions", send("13856781234"));
    await h.as(w.A.apiKey)("POST", "/v1/decisions", send("13943218765"));
    await h.as(w.A.apiKey)("POST", "/v1/messages", send("13856781234"));
    const r = await h.admin("GET", "/metrics");
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/plain/);
    expect(r.body).toMatch(/anning_decisions_total\{result="allowed",code="none"\} 2/);
    expect(r.body).toMatch(/anning_decisions_total\{result="refused",code="CONSENT_MISSING"\} 1/);
    expect(r.body).toMatch(/anning_messages_total\{status="accepted"\} 1/);
    expect(r.body).toContain(
      'anning_http_request_duration_seconds_count{method="POST",route="/v1/decisions",status_code="200"}',
    );
    expect(r.body).toContain("process_cpu_user_seconds_total");
    expect(r.body).not.toContain("56781234");
    expect(r.body).not.toContain("43218765");
    expect(r.body).not.toContain(w.A.id);
  });

  it("verifies the ledger (admin only)", async () => {
    const r = await h.admin("GET", "/v1/ledger/verify");
    expect(r.statusCode).toBe(200);
    expect(r.json().ok).toBe(true);
    expect(r.json().checked).toBeGreaterThan(0);
    expect((await h.as(w.A.apiKey)("GET", "/v1/ledger/verify")).statusCode).toBe(403);
  });

  it("sets an enterprise policy override that tightens (admin) and shows the policy in force", async () => {
    const put = await h.admin("PUT", `/v1/enterprises/${w.A.id}/policy`, {
      marketingHours: { start: "09:00", end: "20:00" },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({ override: { marketingHours: { start: "09:00", end: "20:00" } } });
    const looser = await h.admin("PUT", `/v1/enterprises/${w.A.id}/policy`, { perSenderPerDay: 99 });
    expect([looser.statusCode, looser.json().error.code]).toEqual([422, "POLICY_NOT_TIGHTER"]);
    expect((await h.admin("PUT", "/v1/enterprises/ent_missing/policy", {})).statusCode).toBe(404);
    const mine = await h.as(w.A.apiKey)("GET", `/v1/policy?enterpriseId=${w.A.id}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.json().override).toEqual({ marketingHours: { start: "09:00", end: "20:00" } });
    expect(mine.json().effectiveToday.marketingHours).toEqual({ start: "09:00", end: "20:00" });
    expect(mine.json().file.defaults.perSenderPerDay).toBe(1);
    expect((await h.as(w.B.apiKey)("GET", `/v1/policy?enterpriseId=${w.A.id}`)).statusCode).toBe(404);
    expect((await h.as(w.B.apiKey)("GET", "/v1/policy")).json().override).toBeNull();
  });

  it("answers over a real socket on 127.0.0.1", async () => {
    await h.grant(phoneNo(3), w.A.id, "marketing.retail");
    const address = await h.app.listen({ host: "127.0.0.1", port: 0 });
    const health = await fetch(`${address}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get("x-request-id")).toMatch(/^req_/);
    const d = await fetch(`${address}/v1/decisions`, {
      method: "POST",
      headers: { authorization: `Bearer ${w.A.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(send(phoneNo(3))),
    });
    expect(d.status).toBe(200);
    expect(((await d.json()) as { allowed: boolean }).allowed).toBe(true);
    const anon = await fetch(`${address}/v1/enterprises`);
    expect(anon.status).toBe(401);
    const form = new FormData();
    for (const [k, v] of Object.entries({
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      text: w.textA,
      category: "marketing.retail",
    }))
      form.append(k, v);
    form.append("file", new Blob([`phone\n${phoneNo(5)}\n`], { type: "text/csv" }), "r.csv");
    const c = await fetch(`${address}/v1/campaigns`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: form,
    });
    expect(c.status).toBe(202);
    expect(((await c.json()) as { total: number }).total).toBe(1);
  });
});

describe("persistence and logging", () => {
  it("keeps enterprises, keys and messages across a restart", async () => {
    const h = await startHarness();
    try {
      const w = await h.world();
      await h.grant(phoneNo(1), w.A.id, "marketing.retail");
      const body = {
        senderId: w.A.id,
        signature: w.sigA,
        port: w.portA,
        phone: phoneNo(1),
        text: w.textA,
        category: "marketing.retail",
      };
      const sent = await h.as(w.A.apiKey)("POST", "/v1/messages", body);
      expect(sent.statusCode).toBe(202);
      await h.restart();
      const got = await h.as(w.A.apiKey)("GET", `/v1/messages/${sent.json().id}`);
      expect([got.statusCode, got.json().status]).toEqual([200, "accepted"]);
      const again = await h.as(w.A.apiKey)("POST", "/v1/messages", { ...body, text: `${w.textA}!` });
      expect(again.json().reasons.map((r: { code: string }) => r.code)).toEqual(["FREQUENCY_CAP"]);
      expect((await h.admin("GET", "/v1/ledger/verify")).json().ok).toBe(true);
    } finally {
      await h.close();
    }
  });

  it("writes one JSON line per request with the route pattern, never a phone number or a body", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(s) });
    const h = await startHarness({ logger });
    try {
      const w = await h.world();
      lines.length = 0;
      const r = await h.as(w.A.apiKey)("POST", "/v1/messages", {
        senderId: w.A.id,
        signature: w.sigA,
        port: w.portA,
        phone: phoneNo(7),
        text: w.textA,
        category: "marketing.retail",
      });
      await h.as(w.A.apiKey)("GET", `/v1/messages/${r.json().id}`);
      expect(lines).toHaveLength(2);
      const [post, get] = lines.map((l) => JSON.parse(l));
      expect(post).toMatchObject({
        requestId: r.headers["x-request-id"],
        method: "POST",
        route: "/v1/messages",
        statusCode: 422,
      });
      expect(typeof post.ms).toBe("number");
      expect(get.route).toBe("/v1/messages/:id");
      const all = lines.join("");
      expect(all).not.toContain(phoneNo(7).slice(3));
      expect(all).not.toContain("新品上市");
      expect(all).not.toContain(w.A.apiKey);
    } finally {
      await h.close();
    }
  });
});
