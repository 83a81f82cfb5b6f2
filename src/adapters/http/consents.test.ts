import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, phoneNo, startHarness, type World } from "../../test-support/http-harness.js";

describe("consents", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  const consent = (phone: string, enterpriseId: string, extra: Record<string, unknown> = {}) => ({
    phone,
    enterpriseId,
    category: "marketing.retail",
    method: "web_form_unticked_box",
    capturedAt: new Date(h.clock.now() - 60_000).toISOString(),
    source: "https://shop.example/signup",
    noticeText: "我同意接收营销短信",
    ...extra,
  });
  const decide = (phone: string) =>
    h.as(w.A.apiKey)("POST", "/v1/decisions", {
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      phone,
      text: w.textA,
      category: "marketing.retail",
    });
  const codes = async (phone: string) =>
    (await decide(phone)).json().reasons.map((r: { code: string }) => r.code);

  it("records a consent for the caller's own enterprise (201 granted); the send is then allowed", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/consents", consent(phoneNo(1), w.A.id));
    expect(r.statusCode).toBe(201);
    expect(r.json()).toEqual({ id: expect.stringMatching(/^cns_/), status: "granted" });
    expect((await decide(phoneNo(1))).json().allowed).toBe(true);
  });

  it("opens a pending double opt-in, and refuses a second request within 30 days (429)", async () => {
    const r = await h.as(w.A.apiKey)(
      "POST",
      "/v1/consents",
      consent(phoneNo(2), w.A.id, { method: "sms_double_opt_in" }),
    );
    expect(r.json().status).toBe("pending");
    expect(await codes(phoneNo(2))).toContain("CONSENT_PENDING");
    const again = await h.as(w.A.apiKey)(
      "POST",
      "/v1/consents",
      consent(phoneNo(2), w.A.id, { method: "sms_double_opt_in" }),
    );
    expect(again.statusCode).toBe(429);
    expect(again.json().error.code).toBe("OPT_IN_REQUEST_TOO_SOON");
  });

  it("refuses consent that is not consent", async () => {
    const pre = await h.as(w.A.apiKey)(
      "POST",
      "/v1/consents",
      consent(phoneNo(3), w.A.id, { method: "pre_ticked" }),
    );
    expect([pre.statusCode, pre.json().error.code]).toEqual([422, "CONSENT_NOT_AFFIRMATIVE"]);
    const future = await h.as(w.A.apiKey)(
      "POST",
      "/v1/consents",
      consent(phoneNo(3), w.A.id, { capturedAt: h.clock.now() + 3_600_000 }),
    );
    expect([future.statusCode, future.json().error.code]).toEqual([422, "CONSENT_CAPTURED_IN_FUTURE"]);
    const lapsed = await h.as(w.A.apiKey)(
      "POST",
      "/v1/consents",
      consent(phoneNo(3), w.A.id, { capturedAt: h.clock.now() - 7_200_000, expiresAt: h.clock.now() - 1000 }),
    );
    expect([lapsed.statusCode, lapsed.json().error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(lapsed.json().error.message).toContain("expiresAt is past");
    const notMarketing = await h.as(w.A.apiKey)(
      "POST",
      "/v1/consents",
      consent(phoneNo(3), w.A.id, { category: "notification" }),
    );
    expect(notMarketing.statusCode).toBe(400);
    const badPhone = await h.as(w.A.apiKey)("POST", "/v1/consents", consent("12345", w.A.id));
    expect([badPhone.statusCode, badPhone.json().error.code]).toEqual([422, "RECIPIENT_INVALID"]);
  });

  it("never records consent for another tenant (404); a platform may for its merchants", async () => {
    expect((await h.as(w.A.apiKey)("POST", "/v1/consents", consent(phoneNo(4), w.B.id))).statusCode).toBe(
      404,
    );
    expect((await h.as(w.Q.apiKey)("POST", "/v1/consents", consent(phoneNo(4), w.A.id))).statusCode).toBe(
      404,
    );
    expect((await h.as(w.P.apiKey)("POST", "/v1/consents", consent(phoneNo(4), w.B.id))).statusCode).toBe(
      201,
    );
  });

  it("withdraws at once; evidence older than the withdrawal cannot undo it (409)", async () => {
    await h.grant(phoneNo(5), w.A.id, "marketing.retail");
    const r = await h.as(w.A.apiKey)("POST", "/v1/consents/withdraw", {
      phone: phoneNo(5),
      channel: "call_centre",
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().enterpriseIds).toEqual([w.A.id]);
    expect(r.json().withdrawn).toBeGreaterThan(0);
    expect(await codes(phoneNo(5))).toContain("CONSENT_WITHDRAWN");
    h.clock.advance(1000);
    const old = await h.as(w.A.apiKey)("POST", "/v1/consents", consent(phoneNo(5), w.A.id));
    expect([old.statusCode, old.json().error.code]).toEqual([409, "CONSENT_PREDATES_WITHDRAWAL"]);
  });

  it("refuses a withdrawal for another tenant (404) or without a channel (400)", async () => {
    const other = await h.as(w.A.apiKey)("POST", "/v1/consents/withdraw", {
      phone: phoneNo(6),
      enterpriseId: w.B.id,
      channel: "api",
    });
    expect(other.statusCode).toBe(404);
    const missing = await h.as(w.A.apiKey)("POST", "/v1/consents/withdraw", { phone: phoneNo(6) });
    expect(missing.json().error.code).toBe("MISSING_FIELD");
  });

  it("shows a recipient's consents with history, masked, only the caller's own", async () => {
    await h.grant(phoneNo(7), w.A.id, "marketing.retail");
    await h.grant(phoneNo(7), w.C.id, "marketing.retail");
    const mine = await h.as(w.A.apiKey)("POST", "/v1/consents/query", { phone: phoneNo(7) });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().phone).toBe("139****0007");
    expect(mine.body).not.toContain(phoneNo(7));
    expect(mine.json().consents.map((c: { enterpriseId: string }) => c.enterpriseId)).toEqual([w.A.id]);
    expect(mine.json().consents[0].history[0]).toMatchObject({
      type: "grant",
      method: "web_form_unticked_box",
    });
    const all = await h.admin("POST", "/v1/consents/query", { phone: phoneNo(7) });
    expect(all.json().consents).toHaveLength(2);
    const past = await h.admin("POST", "/v1/consents/query", {
      phone: phoneNo(7),
      at: h.clock.now() - 86_400_000,
    });
    expect(past.json().consents).toEqual([]);
    expect(
      (await h.admin("POST", "/v1/consents/query", { phone: phoneNo(7), at: "not a time" })).statusCode,
    ).toBe(400);
  });

  it("sets and lifts do-not-disturb (admin); it overrides consent", async () => {
    await h.grant(phoneNo(8), w.A.id, "marketing.retail");
    const set = await h.admin("POST", "/v1/dnd", { phone: phoneNo(8), scope: "all" });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ phone: "139****0008", scope: "all", dnd: true });
    expect(await codes(phoneNo(8))).toContain("DND");
    const lift = await h.admin("POST", "/v1/dnd/remove", { phone: phoneNo(8), scope: "all" });
    expect(lift.json().dnd).toBe(false);
    expect(await codes(phoneNo(8))).not.toContain("DND");
    const bad = await h.admin("POST", "/v1/dnd", { phone: phoneNo(8), scope: "lottery" });
    expect([bad.statusCode, bad.json().error.code]).toEqual([422, "CATEGORY_UNKNOWN"]);
  });

  it("feeds suppressions since a cursor: own withdrawals and every DND change, nothing of other tenants", async () => {
    await h.grant(phoneNo(9), w.C.id, "marketing.retail");
    await h.as(w.C.apiKey)("POST", "/v1/consents/withdraw", { phone: phoneNo(9), channel: "app" });
    const a = await h.as(w.A.apiKey)("GET", "/v1/suppressions");
    expect(a.statusCode).toBe(200);
    const items = a.json().items as Array<{
      type: string;
      enterpriseId: string | null;
      phone: string;
      cursor: string;
    }>;
    expect(
      items.some(
        (i) => i.type === "withdrawn" && i.enterpriseId === w.A.id && i.phone === `+86${phoneNo(5)}`,
      ),
    ).toBe(true);
    expect(items.some((i) => i.enterpriseId === w.C.id)).toBe(false);
    expect(items.some((i) => i.type === "dnd")).toBe(true);
    const page = await h.as(w.A.apiKey)("GET", "/v1/suppressions?limit=1");
    expect(page.json().items).toHaveLength(1);
    const next = await h.as(w.A.apiKey)("GET", `/v1/suppressions?cursor=${page.json().nextCursor}&limit=1`);
    expect(next.json().items[0].cursor).not.toBe(page.json().items[0].cursor);
    expect((await h.as(w.A.apiKey)("GET", "/v1/suppressions?cursor=abc")).statusCode).toBe(400);
    expect((await h.as(w.A.apiKey)("GET", "/v1/suppressions?limit=-1")).statusCode).toBe(400);
    for (const limit of ["0", "10001"])
      expect((await h.as(w.A.apiKey)("GET", `/v1/suppressions?limit=${limit}`)).json().error.code).toBe(
        "VALIDATION_FAILED",
      );
  });
});
