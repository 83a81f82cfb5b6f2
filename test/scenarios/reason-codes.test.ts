import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { REASON_CODES } from "../../src/domain/policy/reason-codes.js";
import { type Harness, phoneNo, startHarness, type World } from "../../src/test-support/http-harness.js";
import {
  decide,
  expectAllowed,
  expectRefused,
  extraSender,
  marketingFromA,
  sendAccepted,
  shanghai,
  submit,
} from "../support/scenario.js";

let h: Harness;
let w: World;
const phone = phoneNo(1);

beforeEach(async () => {
  h = await startHarness();
  w = await h.world();
});

afterEach(async () => {
  await h.close();
});

describe("baseline", () => {
  it("a fully valid marketing message from A with consent is allowed and accepted", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await expectAllowed(h.admin, marketingFromA(w, phone));
    await sendAccepted(h.as(w.A.apiKey), marketingFromA(w, phone));
  });
});

describe("SENDER_UNKNOWN", () => {
  it("the admin sending as an enterprise id that does not exist is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { senderId: "ent_does_not_exist" }),
      "SENDER_UNKNOWN",
    );
  });
});

describe("SENDER_SUSPENDED", () => {
  it("a suspended sender is refused, and allowed again once restored", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const s = await h.admin("POST", `/v1/enterprises/${w.A.id}/suspend`, { reason: "投诉过多 / complaints" });
    expect(s.statusCode, s.body).toBe(200);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "SENDER_SUSPENDED");
    const r = await h.admin("POST", `/v1/enterprises/${w.A.id}/restore`, { reason: "整改完成" });
    expect(r.statusCode, r.body).toBe(200);
    await expectAllowed(h.admin, marketingFromA(w, phone));
  });

  it("a merchant of a suspended platform is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const s = await h.admin("POST", `/v1/enterprises/${w.P.id}/suspend`, { reason: "platform suspended" });
    expect(s.statusCode, s.body).toBe(200);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "SENDER_SUSPENDED");
  });
});

describe("SIGNATURE_UNKNOWN", () => {
  it("a signature id or text nobody registered is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { signature: "sig_nobody" }),
      "SIGNATURE_UNKNOWN",
    );
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { signature: "【无名小店】", text: "【无名小店】新品上市，回TD退订" }),
      "SIGNATURE_UNKNOWN",
    );
  });
});

describe("SIGNATURE_INACTIVE", () => {
  it("a pending (not yet activated) signature is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const r = await h.admin("POST", "/v1/signatures", {
      ownerId: w.A.id,
      text: "好物新店",
      scope: ["marketing.retail"],
    });
    expect(r.statusCode, r.body).toBe(201);
    const sig = r.json<{ id: string; status: string }>();
    expect(sig.status).toBe("pending");
    await h.allocate(w.portId, w.A.id, [sig.id], "09");
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, {
        signature: sig.id,
        port: "106901234509",
        text: "【好物新店】开业大吉，回TD退订",
      }),
      "SIGNATURE_INACTIVE",
    );
  });

  it("a revoked signature is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const r = await h.admin("POST", `/v1/signatures/${w.sigA}/revoke`, { reason: "撤销" });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json<{ status: string }>().status).toBe("revoked");
    await expectRefused(h, h.admin, marketingFromA(w, phone), "SIGNATURE_INACTIVE");
  });
});

describe("SIGNATURE_SUSPENDED", () => {
  it("a suspended signature is refused and allowed again once restored", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const r = await h.admin("POST", `/v1/signatures/${w.sigA}/suspend`, { reason: "核查中" });
    expect(r.statusCode, r.body).toBe(200);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "SIGNATURE_SUSPENDED");
    expect(
      (await h.admin("POST", `/v1/signatures/${w.sigA}/restore`, { reason: "核查完毕" })).statusCode,
    ).toBe(200);
    await expectAllowed(h.admin, marketingFromA(w, phone));
  });
});

describe("SIGNATURE_NOT_AUTHORIZED", () => {
  const bUsingA = () => marketingFromA(w, phone, { senderId: w.B.id });

  beforeEach(async () => {
    await h.grant(phone, w.B.id, "marketing.retail");
  });

  it("merchant B may not use merchant A's signature without an authorization", async () => {
    await expectRefused(h, h.as(w.B.apiKey), bUsingA(), "SIGNATURE_NOT_AUTHORIZED");
  });

  it("with a valid authorization B passes; once it is revoked B is refused again", async () => {
    const now = h.clock.now();
    const a = await h.as(w.A.apiKey)("POST", `/v1/signatures/${w.sigA}/authorizations`, {
      enterpriseId: w.B.id,
      validFrom: now - 3600_000,
      validTo: now + 30 * 86_400_000,
    });
    expect(a.statusCode, a.body).toBe(201);
    const d = await decide(h.as(w.B.apiKey), bUsingA());
    expect(d.codes).not.toContain("SIGNATURE_NOT_AUTHORIZED");
    expect(d.codes).toEqual([]);

    const rv = await h.as(w.A.apiKey)("POST", `/v1/authorizations/${a.json<{ id: string }>().id}/revoke`);
    expect(rv.statusCode, rv.body).toBe(200);
    expect(rv.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
    await expectRefused(h, h.as(w.B.apiKey), bUsingA(), "SIGNATURE_NOT_AUTHORIZED");
  });

  it("an authorization is honoured only within [validFrom, validTo)", async () => {
    const now = h.clock.now();
    const a = await h.admin("POST", `/v1/signatures/${w.sigA}/authorizations`, {
      enterpriseId: w.B.id,
      validFrom: now + 86_400_000,
      validTo: now + 3 * 86_400_000,
    });
    expect(a.statusCode, a.body).toBe(201);
    // not yet valid
    await expectRefused(h, h.as(w.B.apiKey), bUsingA(), "SIGNATURE_NOT_AUTHORIZED");
    // inside the window (10:00 two days later)
    const inside = await decide(h.as(w.B.apiKey), { ...bUsingA(), at: now + 2 * 86_400_000 });
    expect(inside.codes).toEqual([]);
    // validTo itself is outside the window, and so is any later time
    await expectRefused(
      h,
      h.as(w.B.apiKey),
      { ...bUsingA(), at: now + 3 * 86_400_000 },
      "SIGNATURE_NOT_AUTHORIZED",
    );
    await expectRefused(
      h,
      h.as(w.B.apiKey),
      { ...bUsingA(), at: now + 4 * 86_400_000 },
      "SIGNATURE_NOT_AUTHORIZED",
    );
  });
});

describe("SIGNATURE_SCOPE", () => {
  it("a signature is refused for a category outside its registered scope", async () => {
    await h.grant(phone, w.A.id, "marketing.finance");
    // sigA covers marketing.retail and notification, not marketing.finance nor verification
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { category: "marketing.finance" }),
      "SIGNATURE_SCOPE",
    );
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { category: "verification", text: "【好物商城】您的验证码是246810" }),
      "SIGNATURE_SCOPE",
    );
  });
});

describe("SIGNATURE_MISSING_IN_TEXT", () => {
  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
  });

  it("a text without any signature is refused", async () => {
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { text: "新品上市，回TD退订" }),
      "SIGNATURE_MISSING_IN_TEXT",
    );
  });

  it("a text carrying a different 【signature】 is refused", async () => {
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { text: "【优选超市】新品上市，回TD退订" }),
      "SIGNATURE_MISSING_IN_TEXT",
    );
  });

  it("a text carrying two signatures is refused", async () => {
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { text: "【好物商城】新品上市【优选超市】，回TD退订" }),
      "SIGNATURE_MISSING_IN_TEXT",
    );
  });

  it("a signature in the middle of the text is refused", async () => {
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { text: "新品上市【好物商城】，回TD退订" }),
      "SIGNATURE_MISSING_IN_TEXT",
    );
  });

  it("the signature at the end of the text is accepted", async () => {
    await expectAllowed(h.admin, marketingFromA(w, phone, { text: "新品上市，回TD退订【好物商城】" }));
  });
});

describe("PORT_NOT_ALLOCATED", () => {
  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
  });

  it("an unknown sending number is refused", async () => {
    await expectRefused(h, h.admin, marketingFromA(w, phone, { port: "1069999999" }), "PORT_NOT_ALLOCATED");
  });

  it("a number allocated to someone else is refused", async () => {
    await expectRefused(h, h.admin, marketingFromA(w, phone, { port: w.portB }), "PORT_NOT_ALLOCATED");
  });

  describe("longest prefix", () => {
    beforeEach(async () => {
      const portId = await h.port(w.V.id, "1069054321");
      await h.allocate(portId, w.A.id, [w.sigA]);
      await h.allocate(portId, w.B.id, [w.sigB], "01");
    });

    it("A sending on B's extension 01 of A's port is refused", async () => {
      await expectRefused(
        h,
        h.admin,
        marketingFromA(w, phone, { port: "106905432101" }),
        "PORT_NOT_ALLOCATED",
      );
    });

    it("A sending on its own port number passes", async () => {
      await expectAllowed(h.admin, marketingFromA(w, phone, { port: "1069054321" }));
    });

    it("A sending on an unregistered extension of its own number passes", async () => {
      await expectAllowed(h.admin, marketingFromA(w, phone, { port: "10690543219" }));
    });

    it("B on its extension passes", async () => {
      await h.grant(phone, w.B.id, "marketing.retail");
      await expectAllowed(h.admin, {
        senderId: w.B.id,
        signature: w.sigB,
        port: "106905432101",
        phone,
        text: w.textB,
        category: "marketing.retail",
      });
    });
  });
});

describe("PORT_SIGNATURE_MISMATCH", () => {
  it("a signature not bound to the allocation is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const other = await h.activeSignature(w.A.id, "好物二店", ["marketing.retail"]);
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { signature: other, text: "【好物二店】新品上市，回TD退订" }),
      "PORT_SIGNATURE_MISMATCH",
    );
  });
});

describe("PORT_CATEGORY", () => {
  it("a port registered for notifications only may not carry marketing", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const portId = await h.port(w.V.id, "1069077777", ["notification"]);
    await h.allocate(portId, w.A.id, [w.sigA]);
    await expectRefused(h, h.admin, marketingFromA(w, phone, { port: "1069077777" }), "PORT_CATEGORY");
    await expectAllowed(
      h.admin,
      marketingFromA(w, phone, {
        port: "1069077777",
        category: "notification",
        text: "【好物商城】您的订单已发货",
      }),
    );
  });
});

describe("RECIPIENT_INVALID", () => {
  it.each(["12345", "1390000000", "139000000012", "abc13900000001", "+86 139 0000 000x"])(
    "refuses the number %s",
    async (bad) => {
      await expectRefused(h, h.admin, marketingFromA(w, bad), "RECIPIENT_INVALID");
    },
  );
});

describe("DND", () => {
  it("DND with scope all refuses every marketing message despite consent", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const r = await h.admin("POST", "/v1/dnd", { phone, scope: "all" });
    expect(r.statusCode, r.body).toBe(200);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "DND");
  });

  it("DND for marketing.finance refuses finance and leaves retail alone", async () => {
    const sigF = await h.activeSignature(w.A.id, "好物金融", ["marketing.retail", "marketing.finance"]);
    await h.allocate(w.portId, w.A.id, [sigF], "03");
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.grant(phone, w.A.id, "marketing.finance");
    const r = await h.admin("POST", "/v1/dnd", { phone, scope: "marketing.finance" });
    expect(r.statusCode, r.body).toBe(200);
    const base = marketingFromA(w, phone, {
      signature: sigF,
      port: "106901234503",
      text: "【好物金融】理财新品，回TD退订",
    });
    await expectRefused(h, h.admin, { ...base, category: "marketing.finance" }, "DND");
    await expectAllowed(h.admin, { ...base, category: "marketing.retail" });
  });
});

describe("consent codes", () => {
  it("CONSENT_MISSING without any consent", async () => {
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_MISSING");
  });

  it("CONSENT_WITHDRAWN after a withdrawal", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const r = await h.admin("POST", "/v1/consents/withdraw", { phone, enterpriseId: w.A.id, channel: "app" });
    expect(r.statusCode, r.body).toBe(200);
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_WITHDRAWN");
  });

  it("CONSENT_EXPIRED once expiresAt has passed", async () => {
    const now = h.clock.now();
    const r = await h.admin("POST", "/v1/consents", {
      phone,
      enterpriseId: w.A.id,
      category: "marketing.retail",
      method: "app_toggle",
      capturedAt: now - 60_000,
      expiresAt: now + 3600_000,
      source: "app://settings",
      noticeText: "接收营销短信",
    });
    expect(r.statusCode, r.body).toBe(201);
    await expectAllowed(h.admin, marketingFromA(w, phone));
    h.clock.advance(2 * 3600_000); // 12:00
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_EXPIRED");
  });

  it("CONSENT_PENDING while a double opt-in is unconfirmed", async () => {
    const r = await h.admin("POST", "/v1/consents", {
      phone,
      enterpriseId: w.A.id,
      category: "marketing.retail",
      method: "sms_double_opt_in",
      capturedAt: h.clock.now(),
      source: "sms",
      noticeText: "回复Y确认接收营销短信",
    });
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json<{ status: string }>().status).toBe("pending");
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_PENDING");
  });
});

describe("QUIET_HOURS", () => {
  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
  });

  it("refuses at 21:00 Shanghai time", async () => {
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { at: shanghai("2025-06-10T21:00") }),
      "QUIET_HOURS",
    );
  });

  it("refuses at 07:59 Shanghai time", async () => {
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { at: shanghai("2025-06-11T07:59") }),
      "QUIET_HOURS",
    );
  });

  it("refuses at 23:30 given as an ISO time with another offset", async () => {
    await expectRefused(h, h.admin, marketingFromA(w, phone, { at: "2025-06-10T15:30:00Z" }), "QUIET_HOURS");
  });

  it("allows at 08:00 and at 20:59", async () => {
    await expectAllowed(h.admin, marketingFromA(w, phone, { at: shanghai("2025-06-11T08:00") }));
    await expectAllowed(h.admin, marketingFromA(w, phone, { at: shanghai("2025-06-10T20:59") }));
    const m = await submit(h.admin, marketingFromA(w, phone, { at: shanghai("2025-06-11T08:00") }));
    expect(m.statusCode, m.response.body).toBe(202);
  });
});

describe("FREQUENCY_CAP", () => {
  it("a second marketing message to the same recipient from the same sender the same day is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await sendAccepted(h.as(w.A.apiKey), marketingFromA(w, phone));
    await expectRefused(h, h.as(w.A.apiKey), marketingFromA(w, phone), "FREQUENCY_CAP");
    // another recipient is not affected
    const other = phoneNo(2);
    await h.grant(other, w.A.id, "marketing.retail");
    await expectAllowed(h.admin, marketingFromA(w, other));
  });

  it("a sixth marketing message across five other senders the same day is refused", async () => {
    const senders = [];
    for (let i = 0; i < 6; i++) senders.push(await extraSender(h, w, i, [phone]));
    for (const s of senders.slice(0, 5)) await sendAccepted(h.admin, s.body(phone));
    const sixth = senders[5];
    if (!sixth) throw new Error("unreachable");
    await expectRefused(h, h.admin, sixth.body(phone), "FREQUENCY_CAP");
  });

  it("a new day resets the caps", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await sendAccepted(h.admin, marketingFromA(w, phone));
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { at: shanghai("2025-06-10T20:00") }),
      "FREQUENCY_CAP",
    );
    h.clock.set(shanghai("2025-06-11T08:00"));
    await expectAllowed(h.admin, marketingFromA(w, phone));
    await sendAccepted(h.admin, marketingFromA(w, phone));
  });

  it("verification codes: a second code within a minute is refused, after a minute it passes", async () => {
    const sigV = await h.activeSignature(w.A.id, "好物验证", ["verification"]);
    await h.allocate(w.portId, w.A.id, [sigV], "04");
    const code = (n: number) => ({
      senderId: w.A.id,
      signature: sigV,
      port: "106901234504",
      phone,
      text: `【好物验证】您的验证码是${n}，5分钟内有效`,
      category: "verification",
    });
    await sendAccepted(h.admin, code(111111));
    h.clock.advance(30_000);
    await expectRefused(h, h.admin, code(222222), "FREQUENCY_CAP");
    h.clock.advance(31_000);
    await sendAccepted(h.admin, code(333333));
  });
});

describe("OPT_OUT_TEXT_MISSING", () => {
  it("marketing text without an opt-out instruction is refused", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await expectRefused(
      h,
      h.admin,
      marketingFromA(w, phone, { text: "【好物商城】新品上市，欢迎选购" }),
      "OPT_OUT_TEXT_MISSING",
    );
  });
});

describe("several failing rules", () => {
  it("are all reported in the documented order of precedence", async () => {
    await h.admin("POST", `/v1/enterprises/${w.A.id}/suspend`, { reason: "suspended" });
    const body = marketingFromA(w, phone, { text: "新品上市，欢迎选购", at: shanghai("2025-06-10T22:00") });
    const expected = [
      "SENDER_SUSPENDED",
      "SIGNATURE_MISSING_IN_TEXT",
      "CONSENT_MISSING",
      "OPT_OUT_TEXT_MISSING",
      "QUIET_HOURS",
    ];
    const d = await decide(h.admin, body);
    expect(d.codes).toEqual(expected);
    const m = await submit(h.admin, body);
    expect(m.statusCode).toBe(422);
    expect(m.codes).toEqual(expected);
    const g = await h.admin("GET", `/v1/messages/${m.id}`);
    expect(g.json<{ reasons: Array<{ code: string }> }>().reasons.map((r) => r.code)).toEqual(expected);
  });

  it("orders registry, recipient and consent codes together", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.admin("POST", "/v1/consents/withdraw", { phone, enterpriseId: w.A.id, channel: "app" });
    await h.admin("POST", "/v1/dnd", { phone, scope: "all" });
    const body = marketingFromA(w, phone, { port: w.portB, category: "marketing.retail" });
    const d = await decide(h.admin, body);
    expect(d.codes).toEqual(["PORT_NOT_ALLOCATED", "DND", "CONSENT_WITHDRAWN"]);
    const idx = d.codes.map((c) => REASON_CODES.indexOf(c as (typeof REASON_CODES)[number]));
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
  });
});

describe("notification and verification", () => {
  const notice = (extra = {}) =>
    marketingFromA(w, phone, { category: "notification", text: "【好物商城】您的订单已发货", ...extra });

  it("skip consent, DND, opt-out text and quiet hours", async () => {
    await h.admin("POST", "/v1/dnd", { phone, scope: "all" });
    await expectAllowed(h.admin, notice({ at: shanghai("2025-06-10T23:30") }));
    await sendAccepted(h.admin, notice({ at: shanghai("2025-06-10T23:30") }));

    const sigV = await h.activeSignature(w.A.id, "好物验证", ["verification"]);
    await h.allocate(w.portId, w.A.id, [sigV], "04");
    await expectAllowed(h.admin, {
      senderId: w.A.id,
      signature: sigV,
      port: "106901234504",
      phone,
      text: "【好物验证】验证码135790",
      category: "verification",
      at: shanghai("2025-06-11T03:00"),
    });
  });

  it("still meet the signature and port rules", async () => {
    await expectRefused(h, h.admin, notice({ text: "您的订单已发货" }), "SIGNATURE_MISSING_IN_TEXT");
    await expectRefused(h, h.admin, notice({ port: w.portB }), "PORT_NOT_ALLOCATED");
    await expectRefused(h, h.admin, notice({ senderId: w.B.id }), "SIGNATURE_NOT_AUTHORIZED");
    await h.admin("POST", `/v1/signatures/${w.sigA}/suspend`, { reason: "核查" });
    await expectRefused(h, h.admin, notice({ at: shanghai("2025-06-10T23:30") }), "SIGNATURE_SUSPENDED");
  });
});
