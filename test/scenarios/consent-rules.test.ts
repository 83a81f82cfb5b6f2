import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, phoneNo, startHarness, type World } from "../../src/test-support/http-harness.js";
import {
  consentStatus,
  consentsOf,
  decide,
  expectAllowed,
  expectRefused,
  marketingFromA,
} from "../support/scenario.js";

let h: Harness;
let w: World;
const phone = phoneNo(11);
const HOUR = 3600_000;
const DAY = 24 * HOUR;

beforeEach(async () => {
  h = await startHarness();
  w = await h.world();
});

afterEach(async () => {
  await h.close();
});

/** A consent body for `POST /v1/consents`. */
function consent(extra: Record<string, unknown> = {}) {
  return {
    phone,
    enterpriseId: w.A.id,
    category: "marketing.retail",
    method: "web_form_unticked_box",
    capturedAt: h.clock.now() - 60_000,
    source: "https://shop.example/signup",
    noticeText: "我同意接收好物商城的营销短信",
    ...extra,
  };
}

describe("affirmative consent only", () => {
  it.each(["default", "pre_ticked", "terms_bundled", "implied_by_purchase"])(
    "method %s is refused with 422 CONSENT_NOT_AFFIRMATIVE and nothing is recorded",
    async (method) => {
      const r = await h.admin("POST", "/v1/consents", consent({ method }));
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json<{ error: { code: string } }>().error.code).toBe("CONSENT_NOT_AFFIRMATIVE");
      expect(await consentsOf(h, phone)).toEqual([]);
      await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_MISSING");
    },
  );

  it("an enterprise key posting a non-affirmative consent for itself is refused the same way", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/consents", consent({ method: "pre_ticked" }));
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json<{ error: { code: string } }>().error.code).toBe("CONSENT_NOT_AFFIRMATIVE");
    expect(await consentsOf(h, phone)).toEqual([]);
  });

  it("a capturedAt in the future is refused and nothing is recorded", async () => {
    const r = await h.admin("POST", "/v1/consents", consent({ capturedAt: h.clock.now() + HOUR }));
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json<{ error: { code: string } }>().error.code).toBe("CONSENT_CAPTURED_IN_FUTURE");
    expect(await consentsOf(h, phone)).toEqual([]);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_MISSING");
  });

  it("an affirmative web form consent is recorded and allows sending", async () => {
    const r = await h.admin("POST", "/v1/consents", consent());
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json<{ status: string }>().status).toBe("granted");
    await expectAllowed(h.admin, marketingFromA(w, phone));
  });
});

describe("consent belongs to one enterprise", () => {
  it("the platform's consent does not cover its merchant", async () => {
    await h.grant(phone, w.P.id, "marketing.retail");
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_MISSING");
  });

  it("merchant A's consent does not cover merchant B", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const fromB = {
      senderId: w.B.id,
      signature: w.sigB,
      port: w.portB,
      phone,
      text: w.textB,
      category: "marketing.retail",
    };
    await expectRefused(h, h.as(w.B.apiKey), fromB, "CONSENT_MISSING");
    await expectAllowed(h.as(w.A.apiKey), marketingFromA(w, phone));
  });

  it("a consent for one category does not cover another", async () => {
    const sigF = await h.activeSignature(w.A.id, "好物金融", ["marketing.finance"]);
    await h.allocate(w.portId, w.A.id, [sigF], "03");
    await h.grant(phone, w.A.id, "marketing.retail");
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, {
        signature: sigF,
        port: "106901234503",
        text: "【好物金融】理财新品，回TD退订",
        category: "marketing.finance",
      }),
      "CONSENT_MISSING",
    );
  });
});

describe("withdrawal", () => {
  it("wins over an older grant; a grant captured before it is refused, a fresh one after it works", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    h.clock.advance(60_000);
    const withdrawnAt = h.clock.now();
    const wd = await h.admin("POST", "/v1/consents/withdraw", {
      phone,
      enterpriseId: w.A.id,
      channel: "call_centre",
    });
    expect(wd.statusCode, wd.body).toBe(200);
    expect(wd.json<{ withdrawn: number }>().withdrawn).toBeGreaterThan(0);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_WITHDRAWN");

    h.clock.advance(60_000);
    const stale = await h.admin("POST", "/v1/consents", consent({ capturedAt: withdrawnAt - 30_000 }));
    expect(stale.statusCode, stale.body).toBe(409);
    expect(stale.json<{ error: { code: string } }>().error.code).toBe("CONSENT_PREDATES_WITHDRAWAL");
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_WITHDRAWN");

    const fresh = await h.admin("POST", "/v1/consents", consent({ capturedAt: h.clock.now() - 1000 }));
    expect(fresh.statusCode, fresh.body).toBe(201);
    expect(await consentStatus(h, phone, w.A.id)).toBe("granted");
    await expectAllowed(h.admin, marketingFromA(w, phone));
  });

  it("by an enterprise key without enterpriseId withdraws its own consent", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.grant(phone, w.B.id, "marketing.retail");
    const wd = await h.as(w.A.apiKey)("POST", "/v1/consents/withdraw", { phone, channel: "app" });
    expect(wd.statusCode, wd.body).toBe(200);
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.B.id)).toBe("granted");
  });
});

describe("double opt-in by SMS", () => {
  const request = () =>
    consent({ method: "sms_double_opt_in", capturedAt: h.clock.now(), source: "sms:1069012345" });

  it("is pending until the recipient replies Y, then allowed", async () => {
    const r = await h.admin("POST", "/v1/consents", request());
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json<{ status: string }>().status).toBe("pending");
    expect(await consentStatus(h, phone, w.A.id)).toBe("pending");
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_PENDING");

    h.clock.advance(10 * 60_000);
    const y = await h.admin("POST", "/v1/inbound", { from: phone, to: w.portA, text: "Y" });
    expect(y.statusCode, y.body).toBe(200);
    const yr = y.json<{ action: string; enterpriseIds: string[]; confirmed: number }>();
    expect(yr.action).toBe("opt_in_confirmed");
    expect(yr.enterpriseIds).toEqual([w.A.id]);
    expect(yr.confirmed).toBe(1);
    expect(await consentStatus(h, phone, w.A.id)).toBe("granted");
    await expectAllowed(h.admin, marketingFromA(w, phone));
  });

  it("an unconfirmed request lapses after 24 h; a late Y does nothing; a new request within 30 days is 429", async () => {
    const r = await h.admin("POST", "/v1/consents", request());
    expect(r.statusCode, r.body).toBe(201);
    h.clock.advance(DAY + 60_000); // 10:01 the next day
    const d = await decide(h.admin, marketingFromA(w, phone));
    expect(d.allowed).toBe(false);
    expect(d.codes[0]).toMatch(/^CONSENT_/);
    expect(d.codes).not.toContain("CONSENT_PENDING");
    expect(await consentStatus(h, phone, w.A.id)).toBe("refused");

    const late = await h.admin("POST", "/v1/inbound", { from: phone, to: w.portA, text: "Y" });
    expect(late.statusCode, late.body).toBe(200);
    expect(late.json<{ action: string }>().action).toBe("nothing");
    expect((await decide(h.admin, marketingFromA(w, phone))).allowed).toBe(false);

    const again = await h.admin("POST", "/v1/consents", request());
    expect(again.statusCode, again.body).toBe(429);
    expect(again.json<{ error: { code: string } }>().error.code).toBe("OPT_IN_REQUEST_TOO_SOON");

    h.clock.advance(28 * DAY); // 29 days after the first request
    const still = await h.admin("POST", "/v1/consents", request());
    expect(still.statusCode, still.body).toBe(429);

    h.clock.advance(2 * DAY); // 31 days after the first request
    const later = await h.admin("POST", "/v1/consents", request());
    expect(later.statusCode, later.body).toBe(201);
    expect(later.json<{ status: string }>().status).toBe("pending");
  });

  it("a Y from another number confirms nothing", async () => {
    await h.admin("POST", "/v1/consents", request());
    const y = await h.admin("POST", "/v1/inbound", { from: phoneNo(99), to: w.portA, text: "Y" });
    expect(y.statusCode, y.body).toBe(200);
    expect(y.json<{ action: string }>().action).toBe("nothing");
    expect(await consentStatus(h, phone, w.A.id)).toBe("pending");
  });
});

describe("do-not-disturb", () => {
  it("overrides consent until it is lifted", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const set = await h.admin("POST", "/v1/dnd", { phone, scope: "all" });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json<{ dnd: boolean; phone: string }>().dnd).toBe(true);
    expect(set.json<{ phone: string }>().phone).not.toContain(phone);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "DND");
    const q = await h.admin("POST", "/v1/consents/query", { phone });
    expect(q.json<{ dnd: string[] }>().dnd).toEqual(["all"]);

    const lift = await h.admin("POST", "/v1/dnd/remove", { phone, scope: "all" });
    expect(lift.statusCode, lift.body).toBe(200);
    expect(lift.json<{ dnd: boolean }>().dnd).toBe(false);
    await expectAllowed(h.admin, marketingFromA(w, phone));
  });

  it("cannot be set or lifted with an enterprise key (403)", async () => {
    for (const path of ["/v1/dnd", "/v1/dnd/remove"]) {
      const r = await h.as(w.A.apiKey)("POST", path, { phone, scope: "all" });
      expect(r.statusCode, r.body).toBe(403);
      expect(r.json<{ error: { code: string } }>().error.code).toBe("FORBIDDEN");
    }
    const q = await h.admin("POST", "/v1/consents/query", { phone });
    expect(q.json<{ dnd: string[] }>().dnd).toEqual([]);
  });
});

describe("audits as of a past time", () => {
  it("query and decision with a past `at` see the state of that time", async () => {
    const t1 = h.clock.now();
    await h.grant(phone, w.A.id, "marketing.retail"); // recorded at T1 (10:00)
    h.clock.advance(2 * HOUR);
    const t2 = h.clock.now(); // 12:00
    const wd = await h.admin("POST", "/v1/consents/withdraw", {
      phone,
      enterpriseId: w.A.id,
      channel: "app",
    });
    expect(wd.statusCode, wd.body).toBe(200);
    h.clock.advance(HOUR); // 13:00

    const between = t1 + HOUR;
    expect(await consentStatus(h, phone, w.A.id, "marketing.retail", between)).toBe("granted");
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.A.id, "marketing.retail", t1 - HOUR)).toBeUndefined();
    const q = await h.admin("POST", "/v1/consents/query", { phone, at: new Date(between).toISOString() });
    expect(q.json<{ at: string }>().at).toBe(new Date(between).toISOString());

    const past = await decide(h.admin, marketingFromA(w, phone, { at: between }));
    expect(past.codes).toEqual([]);
    expect(past.allowed).toBe(true);
    const before = await decide(h.admin, marketingFromA(w, phone, { at: t1 - 30 * 60_000 }));
    expect(before.codes).toEqual(["CONSENT_MISSING"]);
    const now = await decide(h.admin, marketingFromA(w, phone));
    expect(now.codes).toEqual(["CONSENT_WITHDRAWN"]);
    expect(t2).toBeGreaterThan(between);
  });
});

describe("evidence strength", () => {
  it("api_attested is accepted but marked weakEvidence; a web form is not", async () => {
    const r = await h.admin("POST", "/v1/consents", consent({ method: "api_attested" }));
    expect(r.statusCode, r.body).toBe(201);
    await h.grant(phone, w.B.id, "marketing.retail");
    await expectAllowed(h.admin, marketingFromA(w, phone));
    const all = await consentsOf(h, phone);
    const a = all.find((c) => c.enterpriseId === w.A.id);
    const b = all.find((c) => c.enterpriseId === w.B.id);
    expect(a?.method).toBe("api_attested");
    expect(a?.weakEvidence).toBe(true);
    expect(b?.method).toBe("web_form_unticked_box");
    expect(b?.weakEvidence).toBe(false);
  });
});
