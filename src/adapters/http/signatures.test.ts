import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type World } from "../../test-support/http-harness.js";

describe("signatures and authorizations", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  it("registers a signature for the caller (pending), normalising 【】", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/signatures", {
      ownerId: w.A.id,
      text: "【好物会员】",
      scope: ["marketing.retail"],
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      ownerId: w.A.id,
      text: "好物会员",
      scope: ["marketing.retail"],
      status: "pending",
    });
    expect(r.json().id).toMatch(/^sig_/);
  });

  it("lets a platform register for its merchant, not another tenant", async () => {
    const ok = await h.as(w.P.apiKey)("POST", "/v1/signatures", {
      ownerId: w.B.id,
      text: "优选会员",
      scope: ["notification"],
    });
    expect(ok.statusCode).toBe(201);
    const no = await h.as(w.A.apiKey)("POST", "/v1/signatures", {
      ownerId: w.B.id,
      text: "冒名签名",
      scope: ["notification"],
    });
    expect(no.statusCode).toBe(404);
  });

  it("refuses a duplicate (409 CONFLICT), bad text (422), unknown category (422), empty scope (400)", async () => {
    const dup = await h.as(w.C.apiKey)("POST", "/v1/signatures", {
      ownerId: w.C.id,
      text: "好物商城",
      scope: ["notification"],
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe("CONFLICT");
    const bad = await h.as(w.C.apiKey)("POST", "/v1/signatures", {
      ownerId: w.C.id,
      text: "x",
      scope: ["notification"],
    });
    expect(bad.json().error.code).toBe("SIGNATURE_TEXT_INVALID");
    expect(bad.statusCode).toBe(422);
    const cat = await h.as(w.C.apiKey)("POST", "/v1/signatures", {
      ownerId: w.C.id,
      text: "好好",
      scope: ["gambling"],
    });
    expect(cat.statusCode).toBe(422);
    expect(cat.json().error.code).toBe("CATEGORY_UNKNOWN");
    const empty = await h.as(w.C.apiKey)("POST", "/v1/signatures", {
      ownerId: w.C.id,
      text: "好好",
      scope: [],
    });
    expect(empty.statusCode).toBe(400);
  });

  it("refuses a look-alike of a live signature (409) and invisible characters (422)", async () => {
    const reg = (text: string) =>
      h.as(w.C.apiKey)("POST", "/v1/signatures", { ownerId: w.C.id, text, scope: ["notification"] });
    const first = await reg("ABC商城");
    expect(first.statusCode, first.body).toBe(201);
    for (const alike of ["ＡＢＣ商城", "abc商城", "ABC 商城"]) {
      const r = await reg(alike);
      expect([alike, r.statusCode, r.json().error.code]).toEqual([alike, 409, "CONFLICT"]);
    }
    for (const hidden of ["好物\uFEFF商城", "好物\u200B商城", "好物\u202E商城", "好物\uD800商城"]) {
      const r = await reg(hidden);
      expect([r.statusCode, r.json().error.code]).toEqual([422, "SIGNATURE_TEXT_INVALID"]);
    }
    // once the first is revoked, the name is free again
    const id = first.json().id as string;
    expect((await h.admin("POST", `/v1/signatures/${id}/revoke`, { reason: "gone" })).statusCode).toBe(200);
    expect((await reg("ＡＢＣ商城")).statusCode).toBe(201);
  });

  it("shows a signature to its owner, the owner's platform and the admin; 404 to others", async () => {
    expect((await h.as(w.A.apiKey)("GET", `/v1/signatures/${w.sigA}`)).json().text).toBe("好物商城");
    expect((await h.as(w.P.apiKey)("GET", `/v1/signatures/${w.sigA}`)).statusCode).toBe(200);
    expect((await h.admin("GET", `/v1/signatures/${w.sigA}`)).statusCode).toBe(200);
    for (const key of [w.B.apiKey, w.Q.apiKey, w.C.apiKey, w.V.apiKey])
      expect((await h.as(key)("GET", `/v1/signatures/${w.sigA}`)).statusCode).toBe(404);
    expect((await h.admin("GET", "/v1/signatures/sig_missing")).statusCode).toBe(404);
  });

  it("moves a signature through its life (admin) and refuses impossible moves with 409", async () => {
    const id = (
      await h.admin("POST", "/v1/signatures", { ownerId: w.C.id, text: "生命周期", scope: ["notification"] })
    ).json().id;
    const act = await h.inject({
      method: "POST",
      url: `/v1/signatures/${id}/activate`,
      payload: "",
      headers: { "content-type": "application/json" },
    });
    expect(act.statusCode).toBe(200);
    expect(act.json().status).toBe("active");
    const again = await h.admin("POST", `/v1/signatures/${id}/activate`, { reason: "twice" });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("INVALID_STATE");
    const sus = await h.admin("POST", `/v1/signatures/${id}/suspend`, { reason: "complaint" });
    expect(sus.json()).toMatchObject({ status: "suspended", statusReason: "complaint" });
    expect((await h.admin("POST", `/v1/signatures/${id}/restore`, { reason: "ok" })).json().status).toBe(
      "active",
    );
    expect((await h.admin("POST", `/v1/signatures/${id}/revoke`, { reason: "gone" })).json().status).toBe(
      "revoked",
    );
    expect((await h.admin("POST", `/v1/signatures/${id}/restore`, { reason: "no" })).statusCode).toBe(409);
    expect((await h.admin("POST", "/v1/signatures/sig_missing/activate", {})).statusCode).toBe(404);
  });

  it("needs a reason to suspend, restore or revoke; activate takes an optional one", async () => {
    for (const action of ["suspend", "restore", "revoke"]) {
      const r = await h.admin("POST", `/v1/signatures/${w.sigA}/${action}`);
      expect(r.json().error.code).toBe("MISSING_FIELD");
    }
    const r = await h.admin("POST", `/v1/signatures/${w.sigA}/activate`, { reason: "x", note: "y" });
    expect(r.json().error.code).toBe("UNKNOWN_FIELD");
  });

  it("authorizes another enterprise to use a signature; then it may see it", async () => {
    const now = h.clock.now();
    const r = await h.as(w.A.apiKey)("POST", `/v1/signatures/${w.sigA}/authorizations`, {
      enterpriseId: w.C.id,
      validFrom: new Date(now - 1000).toISOString(),
      validTo: now + 86_400_000,
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ signatureId: w.sigA, enterpriseId: w.C.id, revokedAt: null });
    expect(r.json().id).toMatch(/^aut_/);
    expect((await h.as(w.C.apiKey)("GET", `/v1/signatures/${w.sigA}`)).statusCode).toBe(200);
    const rev = await h.as(w.A.apiKey)("POST", `/v1/authorizations/${r.json().id}/revoke`);
    expect(rev.statusCode).toBe(200);
    expect(rev.json().revokedAt).toBe(new Date(now).toISOString());
    const twice = await h.as(w.A.apiKey)("POST", `/v1/authorizations/${r.json().id}/revoke`);
    expect(twice.statusCode).toBe(409);
  });

  it("refuses bad authorizations: reversed window (400), someone else's signature (404)", async () => {
    const now = h.clock.now();
    const rev = await h.as(w.A.apiKey)("POST", `/v1/signatures/${w.sigA}/authorizations`, {
      enterpriseId: w.B.id,
      validFrom: now,
      validTo: now - 1,
    });
    expect(rev.statusCode).toBe(400);
    const other = await h.as(w.B.apiKey)("POST", `/v1/signatures/${w.sigA}/authorizations`, {
      enterpriseId: w.B.id,
      validFrom: now,
      validTo: now + 1000,
    });
    expect(other.statusCode).toBe(404);
    const badTime = await h.as(w.A.apiKey)("POST", `/v1/signatures/${w.sigA}/authorizations`, {
      enterpriseId: w.B.id,
      validFrom: "yesterday",
      validTo: now + 1000,
    });
    expect(badTime.statusCode).toBe(400);
  });

  it("only the owner (or its platform, or the admin) revokes an authorization", async () => {
    const now = h.clock.now();
    const a = await h.admin("POST", `/v1/signatures/${w.sigB}/authorizations`, {
      enterpriseId: w.A.id,
      validFrom: now,
      validTo: now + 1000,
    });
    expect(a.statusCode).toBe(201);
    expect((await h.as(w.A.apiKey)("POST", `/v1/authorizations/${a.json().id}/revoke`)).statusCode).toBe(404);
    expect((await h.as(w.Q.apiKey)("POST", `/v1/authorizations/${a.json().id}/revoke`)).statusCode).toBe(404);
    expect((await h.as(w.P.apiKey)("POST", `/v1/authorizations/${a.json().id}/revoke`)).statusCode).toBe(200);
    expect((await h.admin("POST", "/v1/authorizations/aut_missing/revoke")).statusCode).toBe(404);
  });
});
