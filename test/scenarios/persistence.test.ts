import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  freshCreditCode,
  type Harness,
  phoneNo,
  startHarness,
  type World,
} from "../../src/test-support/http-harness.js";
import { testStoreEnv } from "../../src/test-support/pg-test-db.js";
import { ensureBuilt, type Server, startServer } from "../support/process.js";
import {
  codesOf,
  decide,
  expectAllowed,
  expectRefused,
  marketingFromA,
  sendAccepted,
} from "../support/scenario.js";

describe("restart on the same SQLite file", () => {
  let h: Harness;
  let w: World;

  beforeEach(async () => {
    h = await startHarness();
    w = await h.world();
  });

  afterEach(async () => {
    await h.close();
  });

  it("keeps enterprises, keys, signatures, ports, consents, DND, messages and today's counts", async () => {
    const [sent, fresh, dnd, withdrawn, pending] = [
      phoneNo(61),
      phoneNo(62),
      phoneNo(63),
      phoneNo(64),
      phoneNo(65),
    ];
    for (const p of [sent, fresh, dnd, withdrawn]) await h.grant(p, w.A.id, "marketing.retail");
    await h.admin("POST", "/v1/dnd", { phone: dnd, scope: "all" });
    await h.admin("POST", "/v1/consents/withdraw", {
      phone: withdrawn,
      enterpriseId: w.A.id,
      channel: "app",
    });
    const pend = await h.admin("POST", "/v1/consents", {
      phone: pending,
      enterpriseId: w.A.id,
      category: "marketing.retail",
      method: "sms_double_opt_in",
      capturedAt: h.clock.now(),
      source: "sms",
      noticeText: "回复Y确认",
    });
    expect(pend.statusCode, pend.body).toBe(201);
    const messageId = await sendAccepted(h.as(w.A.apiKey), marketingFromA(w, sent));
    const refused = await h.as(w.A.apiKey)("POST", "/v1/messages", marketingFromA(w, phoneNo(66)));
    expect(refused.statusCode).toBe(422);
    const refusedId = refused.json<{ id: string }>().id;
    const extraKey = await h.admin("POST", `/v1/enterprises/${w.B.id}/keys`);
    expect(extraKey.statusCode, extraKey.body).toBe(201);
    const revoked = extraKey.json<{ keyId: string; apiKey: string }>();
    expect((await h.admin("DELETE", `/v1/enterprises/${w.B.id}/keys/${revoked.keyId}`)).statusCode).toBe(204);
    await h.admin("POST", `/v1/signatures/${w.sigB}/suspend`, { reason: "核查" });
    await h.admin("POST", `/v1/enterprises/${w.C.id}/suspend`, { reason: "暂停" });

    await h.restart();

    // enterprises and keys
    const a = await h.as(w.A.apiKey)("GET", `/v1/enterprises/${w.A.id}`);
    expect(a.statusCode, a.body).toBe(200);
    expect(a.json<{ kind: string; parentId: string; status: string }>()).toMatchObject({
      kind: "merchant",
      parentId: w.P.id,
      status: "active",
    });
    expect((await h.as(revoked.apiKey)("GET", `/v1/enterprises/${w.B.id}`)).statusCode).toBe(401);
    expect((await h.admin("GET", `/v1/enterprises/${w.C.id}`)).json<{ status: string }>().status).toBe(
      "suspended",
    );
    // signatures
    const sig = await h.as(w.A.apiKey)("GET", `/v1/signatures/${w.sigA}`);
    expect(sig.json<{ status: string; text: string; scope: string[] }>()).toMatchObject({
      status: "active",
      text: "好物商城",
      scope: ["marketing.retail", "notification"],
    });
    // signatures, ports and consents: a fresh recipient is still allowed, on A's extension only
    await expectAllowed(h.as(w.A.apiKey), marketingFromA(w, fresh));
    await expectRefused(h, h.admin, marketingFromA(w, fresh, { port: w.portB }), "PORT_NOT_ALLOCATED");
    const fromB = {
      senderId: w.B.id,
      signature: w.sigB,
      port: w.portB,
      phone: fresh,
      text: w.textB,
      category: "marketing.retail",
    };
    await expectRefused(h, h.admin, fromB, "SIGNATURE_SUSPENDED");
    // DND, withdrawal and pending double opt-in
    await expectRefused(h, h.admin, marketingFromA(w, dnd), "DND");
    await expectRefused(h, h.admin, marketingFromA(w, withdrawn), "CONSENT_WITHDRAWN");
    await expectRefused(h, h.admin, marketingFromA(w, pending), "CONSENT_PENDING");
    // messages
    const m = await h.as(w.A.apiKey)("GET", `/v1/messages/${messageId}`);
    expect(m.statusCode, m.body).toBe(200);
    expect(m.json<{ status: string; text: string }>()).toMatchObject({ text: w.textA });
    expect(["accepted", "dispatching", "sent", "delivered"]).toContain(m.json<{ status: string }>().status);
    const r = await h.admin("GET", `/v1/messages/${refusedId}`);
    expect(r.json<{ status: string; reasons: Array<{ code: string }> }>().reasons[0]?.code).toBe(
      "CONSENT_MISSING",
    );
    // today's frequency counts
    await expectRefused(h, h.as(w.A.apiKey), marketingFromA(w, sent), "FREQUENCY_CAP");
    // the ledger still verifies
    const v = await h.admin("GET", "/v1/ledger/verify");
    expect(v.json<{ ok: boolean; checked: number }>()).toMatchObject({ ok: true });
    expect(v.json<{ checked: number }>().checked).toBeGreaterThanOrEqual(6);
  });

  it("a double opt-in opened before the restart can be confirmed after it", async () => {
    const phone = phoneNo(67);
    await h.admin("POST", "/v1/consents", {
      phone,
      enterpriseId: w.A.id,
      category: "marketing.retail",
      method: "sms_double_opt_in",
      capturedAt: h.clock.now(),
      source: "sms",
      noticeText: "回复Y确认",
    });
    await h.restart();
    const y = await h.admin("POST", "/v1/inbound", { from: phone, to: w.portA, text: "是" });
    expect(y.json<{ action: string }>().action).toBe("opt_in_confirmed");
    await expectAllowed(h.admin, marketingFromA(w, phone));
  });

  it("verification caps survive a restart: a second code within the minute is still refused", async () => {
    const phone = phoneNo(69);
    const sigV = await h.activeSignature(w.A.id, "好物验证", ["verification"]);
    await h.allocate(w.portId, w.A.id, [sigV], "04");
    const code = (n: number) => ({
      senderId: w.A.id,
      signature: sigV,
      port: "106901234504",
      phone,
      text: `【好物验证】您的验证码是${n}`,
      category: "verification",
    });
    await sendAccepted(h.admin, code(111111));
    h.clock.advance(10_000);
    await h.restart();
    await expectRefused(h, h.admin, code(222222), "FREQUENCY_CAP");
  });

  it("the cross-sender daily cap survives a restart", async () => {
    const phone = phoneNo(68);
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.grant(phone, w.B.id, "marketing.retail");
    await sendAccepted(h.admin, marketingFromA(w, phone));
    await h.restart();
    const fromB = {
      senderId: w.B.id,
      signature: w.sigB,
      port: w.portB,
      phone,
      text: w.textB,
      category: "marketing.retail",
    };
    await sendAccepted(h.admin, fromB);
    const again = await h.admin("POST", "/v1/messages", fromB);
    expect(again.statusCode).toBe(422);
    expect(codesOf(again)[0]).toBe("FREQUENCY_CAP");
    const d = await decide(h.admin, marketingFromA(w, phone));
    expect(d.codes).toEqual(["FREQUENCY_CAP"]);
  });
});

describe("the real server process", () => {
  const token = "process-admin-token-0123456789";
  let dataDir: string;
  const servers: Server[] = [];

  beforeAll(() => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), "anning-serve-"));
  });

  afterAll(() => {
    for (const s of servers)
      if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function call(s: Server, method: string, path: string, body?: unknown, key = token) {
    const r = await fetch(`${s.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, text, json: <T>() => JSON.parse(text) as T };
  }

  it("serves over HTTP, stops cleanly on SIGTERM, keeps its data and never logs numbers or texts", async () => {
    const env = {
      ANNING_DATA_DIR: dataDir,
      ANNING_ADMIN_TOKEN: token,
      ANNING_TEST_CLOCK: "1",
      ANNING_LOG_LEVEL: "debug",
      ...testStoreEnv(dataDir),
    };
    const phone = "13912345678";
    const dndPhone = "13987654321";
    const otherPhone = "13811112222";
    const text = "【晨光书店】秋季新书上架，回TD退订";
    // tomorrow, 10:00 in Shanghai: inside marketing hours whatever the real time is
    const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
    const at = Date.parse(`${tomorrow}T10:00:00+08:00`);

    const s1 = await startServer(env);
    servers.push(s1);
    const reg = async (kind: string, parentId?: string) => {
      const r = await call(s1, "POST", "/v1/enterprises", {
        kind,
        name: `${kind}-proc`,
        creditCode: freshCreditCode(),
        ...(parentId ? { parentId } : {}),
      });
      expect(r.status, r.text).toBe(201);
      return r.json<{ id: string; apiKey: string }>();
    };
    const P = await reg("platform");
    const A = await reg("merchant", P.id);
    const V = await reg("provider");
    const sig = await call(s1, "POST", "/v1/signatures", {
      ownerId: A.id,
      text: "晨光书店",
      scope: ["marketing.retail"],
    });
    expect(sig.status, sig.text).toBe(201);
    const sigId = sig.json<{ id: string }>().id;
    expect((await call(s1, "POST", `/v1/signatures/${sigId}/activate`)).status).toBe(200);
    const port = await call(s1, "POST", "/v1/ports", { providerId: V.id, number: "1069033333" });
    expect(port.status, port.text).toBe(201);
    const alloc = await call(s1, "POST", `/v1/ports/${port.json<{ id: string }>().id}/allocations`, {
      enterpriseId: A.id,
      signatureIds: [sigId],
    });
    expect(alloc.status, alloc.text).toBe(201);
    for (const p of [phone, dndPhone]) {
      const c = await call(
        s1,
        "POST",
        "/v1/consents",
        {
          phone: p,
          enterpriseId: A.id,
          category: "marketing.retail",
          method: "web_form_unticked_box",
          capturedAt: Date.now() - 60_000,
          source: "https://books.example/join",
          noticeText: "同意接收晨光书店营销短信",
        },
        A.apiKey,
      );
      expect(c.status, c.text).toBe(201);
    }
    expect((await call(s1, "POST", "/v1/dnd", { phone: dndPhone, scope: "all" })).status).toBe(200);
    const body = {
      senderId: A.id,
      signature: sigId,
      port: "1069033333",
      text,
      category: "marketing.retail",
      at,
    };
    const sent = await call(s1, "POST", "/v1/messages", { ...body, phone }, A.apiKey);
    expect(sent.status, sent.text).toBe(202);
    const messageId = sent.json<{ id: string }>().id;
    const refused = await call(s1, "POST", "/v1/messages", { ...body, phone: otherPhone }, A.apiKey);
    expect(refused.status, refused.text).toBe(422);
    const inbound = await call(
      s1,
      "POST",
      "/v1/inbound",
      { from: otherPhone, to: "1069033333", text: "TD" },
      V.apiKey,
    );
    expect(inbound.status, inbound.text).toBe(200);
    const badJson = await fetch(`${s1.base}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${A.apiKey}`, "content-type": "application/json" },
      body: `{"phone": "${phone}", "text": "${text}"`,
    });
    expect(badJson.status).toBe(400);

    const stop1 = await s1.stop();
    expect(stop1).toEqual({ code: 0, signal: null });

    const s2 = await startServer(env);
    servers.push(s2);
    const m = await call(s2, "GET", `/v1/messages/${messageId}`, undefined, A.apiKey);
    expect(m.status, m.text).toBe(200);
    expect(m.json<{ text: string; phone: string }>()).toMatchObject({ text, phone: "139****5678" });
    const q = await call(s2, "POST", "/v1/consents/query", { phone }, A.apiKey);
    expect(q.json<{ consents: Array<{ status: string }> }>().consents.map((c) => c.status)).toEqual([
      "granted",
    ]);
    const dnd = await call(s2, "POST", "/v1/decisions", { ...body, phone: dndPhone }, A.apiKey);
    expect(dnd.json<{ reasons: Array<{ code: string }> }>().reasons[0]?.code).toBe("DND");
    const withdrawn = await call(s2, "POST", "/v1/decisions", { ...body, phone: otherPhone }, A.apiKey);
    // the TD reply of the first run withdrew A for that number, and that is kept
    expect(withdrawn.json<{ reasons: Array<{ code: string }> }>().reasons[0]?.code).toBe("CONSENT_WITHDRAWN");
    const key = await call(s2, "GET", `/v1/enterprises/${A.id}`, undefined, A.apiKey);
    expect(key.status, key.text).toBe(200);
    const stop2 = await s2.stop();
    expect(stop2).toEqual({ code: 0, signal: null });

    const logs = s1.output() + s2.output();
    expect(logs).toContain("anning listening");
    expect(logs).toMatch(/"requestId"/);
    for (const p of [phone, dndPhone, otherPhone]) expect(logs).not.toContain(p);
    for (const fragment of [text, "秋季新书上架", "回TD退订"]) expect(logs).not.toContain(fragment);
  });
});
