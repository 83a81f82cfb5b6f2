import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, phoneNo, startHarness, type World } from "../../src/test-support/http-harness.js";
import { expectRefused, marketingFromA } from "../support/scenario.js";

/**
 * SMS goes to mobiles: a fixed-line number (Chinese in any usual form, or one libphonenumber-js types
 * FIXED_LINE abroad) is RECIPIENT_INVALID wherever a recipient is named, and is never echoed back.
 */
const LANDLINES = ["01012345678", "+861012345678", "02087654321", "+86 20 8765 4321", "+44 20 7183 8750"];

let h: Harness;
let w: World;

beforeAll(async () => {
  h = await startHarness();
  w = await h.world();
});
afterAll(async () => {
  await h.close();
});

function expectNotEchoed(body: string): void {
  for (const digits of ["1012345678", "2087654321", "2071838750"]) expect(body).not.toContain(digits);
}

describe("fixed-line recipients", () => {
  it.each(LANDLINES)(
    "POST /v1/decisions and /v1/messages refuse %s as RECIPIENT_INVALID",
    async (landline) => {
      await expectRefused(h, h.admin, marketingFromA(w, landline), "RECIPIENT_INVALID");
    },
  );

  it("a notification to a landline is refused too (no consent needed, still no mobile)", async () => {
    const { idempotencyKey: _none, ...body } = marketingFromA(w, "01012345678", {
      category: "notification",
      text: "【好物商城】您的订单已发货",
    });
    const r = await h.admin("POST", "/v1/decisions", body);
    expect(r.json().reasons.map((x: { code: string }) => x.code)).toContain("RECIPIENT_INVALID");
  });

  it("consents, withdrawals and DND refuse a landline (422 RECIPIENT_INVALID), not echoed", async () => {
    const consent = await h.as(w.A.apiKey)("POST", "/v1/consents", {
      phone: "01012345678",
      enterpriseId: w.A.id,
      category: "marketing.retail",
      method: "web_form_unticked_box",
      capturedAt: new Date(h.clock.now() - 60_000).toISOString(),
      source: "https://shop.example/signup",
      noticeText: "我同意接收营销短信",
    });
    const withdraw = await h.as(w.A.apiKey)("POST", "/v1/consents/withdraw", {
      phone: "+862087654321",
      channel: "call_centre",
    });
    const dnd = await h.admin("POST", "/v1/dnd", { phone: "02087654321", scope: "all" });
    for (const r of [consent, withdraw, dnd]) {
      expect([r.statusCode, r.json().error.code]).toEqual([422, "RECIPIENT_INVALID"]);
      expectNotEchoed(r.body);
    }
  });

  it("a campaign counts landlines as RECIPIENT_INVALID and sends to the mobiles", async () => {
    await h.grant(phoneNo(1), w.A.id, "marketing.retail");
    const r = await h.as(w.A.apiKey)("POST", "/v1/campaigns", {
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      text: w.textA,
      category: "marketing.retail",
      phones: [phoneNo(1), "01012345678", "+862087654321"],
    });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json()).toMatchObject({ total: 3, accepted: 1, refusedByCode: { RECIPIENT_INVALID: 2 } });
  });

  it("a reply from a landline is refused (422 RECIPIENT_INVALID, not echoed) and changes nothing", async () => {
    const r = await h.admin("POST", "/v1/inbound", { from: "+861012345678", to: w.portA, text: "TD" });
    expect([r.statusCode, r.json().error.code]).toEqual([422, "RECIPIENT_INVALID"]);
    expectNotEchoed(r.body);
  });
});
