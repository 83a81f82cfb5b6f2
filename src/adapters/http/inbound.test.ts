import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, phoneNo, startHarness, type World } from "../../test-support/http-harness.js";

describe("inbound replies", () => {
  let h: Harness;
  let w: World;
  let otherProvider: { apiKey: string };
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
    otherProvider = await h.registerProvider();
  });
  afterAll(() => h.close());

  const decideCodes = async (phone: string) =>
    (
      await h.as(w.A.apiKey)("POST", "/v1/decisions", {
        senderId: w.A.id,
        signature: w.sigA,
        port: w.portA,
        phone,
        text: w.textA,
        category: "marketing.retail",
      })
    )
      .json()
      .reasons.map((r: { code: string }) => r.code);

  it("withdraws consent at once on an opt-out reply (admin)", async () => {
    await h.grant(phoneNo(1), w.A.id, "marketing.retail");
    await h.as(w.A.apiKey)("POST", "/v1/messages", {
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      phone: phoneNo(1),
      text: w.textA,
      category: "marketing.retail",
    });
    const r = await h.admin("POST", "/v1/inbound", { from: phoneNo(1), to: w.portA, text: "TD" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ action: "opt_out", keyword: "TD", enterpriseIds: [w.A.id] });
    expect(r.json().withdrawn).toBeGreaterThan(0);
    expect(await decideCodes(phoneNo(1))).toContain("CONSENT_WITHDRAWN");
  });

  it("withdraws on a refusal in the consumer's own words, and not on a negated one", async () => {
    await h.grant(phoneNo(2), w.A.id, "marketing.retail");
    const kept = await h.admin("POST", "/v1/inbound", {
      from: phoneNo(2),
      to: w.portA,
      text: "先不退订，谢谢",
    });
    expect(kept.json().action).toBe("nothing");
    expect(await decideCodes(phoneNo(2))).not.toContain("CONSENT_WITHDRAWN");
    const r = await h.admin("POST", "/v1/inbound", {
      from: phoneNo(2),
      to: w.portA,
      text: "请帮我退订，谢谢",
    });
    expect(r.json()).toMatchObject({ action: "opt_out", keyword: "退订", enterpriseIds: [w.A.id] });
    expect(await decideCodes(phoneNo(2))).toContain("CONSENT_WITHDRAWN");
  });

  it("lets the port's provider report replies; another provider or a merchant gets 404", async () => {
    const ok = await h.as(w.V.apiKey)("POST", "/v1/inbound", { from: phoneNo(2), to: w.portA, text: "谢谢" });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ action: "nothing", forwardedTo: [w.A.id] });
    for (const key of [otherProvider.apiKey, w.A.apiKey, w.P.apiKey]) {
      const r = await h.as(key)("POST", "/v1/inbound", { from: phoneNo(2), to: w.portA, text: "TD" });
      expect([r.statusCode, r.json().error.code]).toEqual([404, "NOT_FOUND"]);
    }
  });

  it("forwards a reply to the enterprises it is aimed at, as one from a carrier (their binds and webhooks)", async () => {
    const { delivery } = h.services.ctx.store;
    const before = await delivery.noticesAfter([w.A.id], "", 1000);
    const r = await h.as(w.V.apiKey)("POST", "/v1/inbound", {
      from: phoneNo(5),
      to: w.portA,
      text: "多少钱？",
    });
    expect(r.json()).toEqual({ action: "nothing", forwardedTo: [w.A.id] });
    const td = await h.admin("POST", "/v1/inbound", { from: phoneNo(5), to: w.portA, text: "TD" });
    expect(td.json()).toMatchObject({ action: "opt_out", forwardedTo: [w.A.id] });
    const mos = (await delivery.noticesAfter([w.A.id], "", 1000))
      .filter((n) => !before.some((b) => b.id === n.id))
      .map((n) => n.payload);
    expect(mos).toEqual([
      expect.objectContaining({ to: w.portA, text: "多少钱？", action: "nothing" }),
      expect.objectContaining({ to: w.portA, text: "TD", action: "opt_out" }),
    ]);
    // an unknown port forwards nothing and records nothing
    await h.admin("POST", "/v1/inbound", { from: phoneNo(5), to: "1069999999", text: "hi" });
    expect(await delivery.noticesAfter([w.A.id], "", 1000)).toHaveLength(before.length + 2);
  });

  it("confirms a pending double opt-in on Y", async () => {
    const req = await h.admin("POST", "/v1/consents", {
      phone: phoneNo(3),
      enterpriseId: w.A.id,
      category: "marketing.retail",
      method: "sms_double_opt_in",
      capturedAt: h.clock.now(),
      source: "sms",
      noticeText: "回复Y确认订阅",
    });
    expect(req.json().status).toBe("pending");
    const r = await h.as(w.V.apiKey)("POST", "/v1/inbound", { from: phoneNo(3), to: w.portA, text: "Y" });
    expect(r.json()).toMatchObject({ action: "opt_in_confirmed", enterpriseIds: [w.A.id], confirmed: 1 });
    expect(await decideCodes(phoneNo(3))).toEqual([]);
  });

  it("answers 404 for an unknown port, 422 for a bad sender number (not echoed), 400 for a missing field", async () => {
    expect(
      (await h.admin("POST", "/v1/inbound", { from: phoneNo(4), to: "1069999999", text: "TD" })).statusCode,
    ).toBe(404);
    const bad = await h.admin("POST", "/v1/inbound", { from: "12345678", to: w.portA, text: "TD" });
    expect([bad.statusCode, bad.json().error.code]).toEqual([422, "RECIPIENT_INVALID"]);
    expect(bad.body).not.toContain("12345678");
    const missing = await h.admin("POST", "/v1/inbound", { from: phoneNo(4), text: "TD" });
    expect(missing.json().error.code).toBe("MISSING_FIELD");
  });

  it("honours `at` with the test clock", async () => {
    const at = h.clock.now() + 60_000;
    const r = await h.admin("POST", "/v1/inbound", { from: phoneNo(5), to: w.portA, text: "TD", at });
    expect(r.statusCode).toBe(200);
  });
});

describe("inbound without the test clock", () => {
  it("refuses `at` (400 TEST_CLOCK_DISABLED)", async () => {
    const h = await startHarness({ env: { ANNING_TEST_CLOCK: "0" } });
    try {
      const w = await h.world();
      const r = await h.admin("POST", "/v1/inbound", {
        from: phoneNo(1),
        to: w.portA,
        text: "TD",
        at: h.clock.now(),
      });
      expect([r.statusCode, r.json().error.code]).toEqual([400, "TEST_CLOCK_DISABLED"]);
    } finally {
      await h.close();
    }
  });
});
