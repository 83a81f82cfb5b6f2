import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Harness,
  phoneNo,
  startHarness,
  validCreditCode,
  type World,
} from "../../test-support/http-harness.js";

describe("enterprises", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  it("registers a platform (admin) and shows its first key once", async () => {
    const r = await h.admin("POST", "/v1/enterprises", {
      kind: "platform",
      name: " 好物平台 ",
      creditCode: validCreditCode(900001),
    });
    expect(r.statusCode).toBe(201);
    const e = r.json();
    expect(e).toMatchObject({
      kind: "platform",
      name: "好物平台",
      creditCode: validCreditCode(900001),
      parentId: null,
      status: "active",
    });
    expect(e.id).toMatch(/^ent_/);
    expect(e.keyId).toMatch(/^key_/);
    expect(e.apiKey).toMatch(/^ak_/);
    expect((await h.as(e.apiKey)("GET", `/v1/enterprises/${e.id}`)).statusCode).toBe(200);
  });

  it("lets a platform register its own merchant", async () => {
    const r = await h.as(w.P.apiKey)("POST", "/v1/enterprises", {
      kind: "merchant",
      name: "小店",
      creditCode: validCreditCode(900002),
      parentId: w.P.id,
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().parentId).toBe(w.P.id);
  });

  it("refuses a merchant under another platform (422 PARENT_INVALID)", async () => {
    const body = { kind: "merchant", name: "x", creditCode: validCreditCode(900003), parentId: w.Q.id };
    const r = await h.as(w.P.apiKey)("POST", "/v1/enterprises", body);
    expect(r.statusCode).toBe(422);
    expect(r.json().error.code).toBe("PARENT_INVALID");
  });

  it("refuses a merchant key registering anything (403)", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/enterprises", {
      kind: "provider",
      name: "x",
      creditCode: validCreditCode(900004),
    });
    expect(r.statusCode).toBe(403);
  });

  it("refuses a bad credit code (422 CREDIT_CODE_INVALID) and an unknown kind (400)", async () => {
    const bad = validCreditCode(900005).slice(0, 17) + (validCreditCode(900005).endsWith("0") ? "1" : "0");
    const r = await h.admin("POST", "/v1/enterprises", { kind: "platform", name: "x", creditCode: bad });
    expect(r.statusCode).toBe(422);
    expect(r.json().error.code).toBe("CREDIT_CODE_INVALID");
    const r2 = await h.admin("POST", "/v1/enterprises", {
      kind: "bank",
      name: "x",
      creditCode: validCreditCode(1),
    });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().error.code).toBe("VALIDATION_FAILED");
  });

  it("registers a legal entity once per kind, and a merchant once per platform (409 CONFLICT)", async () => {
    const code = validCreditCode(900010);
    const reg = (kind: string, parentId?: string, key?: string) =>
      (key ? h.as(key) : h.admin)("POST", "/v1/enterprises", {
        kind,
        name: `${kind}-900010`,
        creditCode: code,
        ...(parentId ? { parentId } : {}),
      });
    expect((await reg("platform")).statusCode).toBe(201);
    const again = await reg("platform");
    expect([again.statusCode, again.json().error.code]).toEqual([409, "CONFLICT"]);
    expect((await reg("provider")).statusCode).toBe(201); // the same company carrying SMS too
    expect((await reg("merchant", w.P.id, w.P.apiKey)).statusCode).toBe(201);
    expect((await reg("merchant", w.P.id, w.P.apiKey)).statusCode).toBe(409);
    expect((await reg("merchant", w.Q.id, w.Q.apiKey)).statusCode).toBe(201); // sells on another platform
  });

  it("refuses names holding control or invisible characters", async () => {
    for (const name of ["好物\u0000平台", "好物\u202E台平", "好物\u200B平台", "好物\uD800平台"]) {
      const r = await h.admin("POST", "/v1/enterprises", {
        kind: "platform",
        name,
        creditCode: validCreditCode(900011),
      });
      expect([r.statusCode, r.json().error.code]).toEqual([400, "VALIDATION_FAILED"]);
      expect(r.json().error.message).toMatch(/^name may not hold/);
    }
  });

  it("lists what the caller may see", async () => {
    const ids = async (key: string | null) => {
      const r =
        key === null ? await h.admin("GET", "/v1/enterprises") : await h.as(key)("GET", "/v1/enterprises");
      expect(r.statusCode).toBe(200);
      return r.json<{ items: Array<{ id: string }> }>().items.map((e) => e.id);
    };
    const all = await ids(null);
    for (const e of [w.P, w.A, w.B, w.Q, w.C, w.V]) expect(all).toContain(e.id);
    const ofP = await ids(w.P.apiKey);
    expect(ofP).toEqual(expect.arrayContaining([w.P.id, w.A.id, w.B.id]));
    expect(ofP).not.toContain(w.Q.id);
    expect(ofP).not.toContain(w.C.id);
    expect(await ids(w.A.apiKey)).toEqual([w.A.id]);
  });

  it("shows one enterprise to itself, its platform and the admin; 404 to anyone else", async () => {
    expect((await h.as(w.A.apiKey)("GET", `/v1/enterprises/${w.A.id}`)).json().id).toBe(w.A.id);
    expect((await h.as(w.P.apiKey)("GET", `/v1/enterprises/${w.A.id}`)).statusCode).toBe(200);
    expect((await h.admin("GET", `/v1/enterprises/${w.A.id}`)).statusCode).toBe(200);
    for (const [key, id] of [
      [w.A.apiKey, w.B.id],
      [w.A.apiKey, w.P.id],
      [w.Q.apiKey, w.A.id],
      [w.C.apiKey, w.A.id],
    ] as const) {
      const r = await h.as(key)("GET", `/v1/enterprises/${id}`);
      expect(r.statusCode).toBe(404);
      expect(r.json().error.code).toBe("NOT_FOUND");
    }
    expect((await h.admin("GET", "/v1/enterprises/ent_missing")).statusCode).toBe(404);
  });

  it("suspends and restores an enterprise (admin); a suspended sender is refused", async () => {
    const s = await h.admin("POST", `/v1/enterprises/${w.B.id}/suspend`, { reason: "complaints" });
    expect(s.statusCode).toBe(200);
    expect(s.json()).toMatchObject({ id: w.B.id, status: "suspended", statusReason: "complaints" });
    const send = {
      senderId: w.B.id,
      signature: w.sigB,
      port: w.portB,
      phone: phoneNo(1),
      text: w.textB,
      category: "marketing.retail",
    };
    const d = await h.as(w.B.apiKey)("POST", "/v1/decisions", send);
    expect(d.json().reasons.map((x: { code: string }) => x.code)).toContain("SENDER_SUSPENDED");
    const again = await h.admin("POST", `/v1/enterprises/${w.B.id}/suspend`, { reason: "twice" });
    expect([again.statusCode, again.json().error.code]).toEqual([409, "INVALID_STATE"]);
    const back = await h.admin("POST", `/v1/enterprises/${w.B.id}/restore`, { reason: "resolved" });
    expect(back.statusCode).toBe(200);
    expect(back.json().status).toBe("active");
    const twice = await h.admin("POST", `/v1/enterprises/${w.B.id}/restore`, { reason: "resolved" });
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, "INVALID_STATE"]);
    expect((await h.admin("GET", `/v1/enterprises/${w.B.id}`)).json().statusReason).toBe("resolved");
  });

  it("answers 404 when suspending an unknown enterprise and MISSING_FIELD without a reason", async () => {
    expect((await h.admin("POST", "/v1/enterprises/ent_missing/suspend", { reason: "r" })).statusCode).toBe(
      404,
    );
    const r = await h.admin("POST", `/v1/enterprises/${w.A.id}/suspend`, {});
    expect(r.json().error.code).toBe("MISSING_FIELD");
  });

  it("issues keys for itself or its merchants, not for others", async () => {
    const r = await h.as(w.P.apiKey)("POST", `/v1/enterprises/${w.A.id}/keys`);
    expect(r.statusCode).toBe(201);
    expect(Object.keys(r.json()).sort()).toEqual(["apiKey", "keyId"]);
    expect((await h.as(w.A.apiKey)("POST", `/v1/enterprises/${w.B.id}/keys`)).statusCode).toBe(404);
    expect((await h.as(w.A.apiKey)("POST", `/v1/enterprises/${w.P.id}/keys`)).statusCode).toBe(404);
    expect((await h.admin("POST", "/v1/enterprises/ent_missing/keys")).statusCode).toBe(404);
    const extra = await h.as(w.A.apiKey)("POST", `/v1/enterprises/${w.A.id}/keys`, { label: "x" });
    expect(extra.json().error.code).toBe("UNKNOWN_FIELD");
  });

  it("revokes keys: 204, then 404 for an unknown key or another enterprise's key", async () => {
    const k = (await h.admin("POST", `/v1/enterprises/${w.B.id}/keys`)).json<{
      keyId: string;
      apiKey: string;
    }>();
    expect((await h.as(w.A.apiKey)("DELETE", `/v1/enterprises/${w.B.id}/keys/${k.keyId}`)).statusCode).toBe(
      404,
    );
    expect((await h.as(w.A.apiKey)("DELETE", `/v1/enterprises/${w.A.id}/keys/${k.keyId}`)).statusCode).toBe(
      404,
    );
    const del = await h.as(w.B.apiKey)("DELETE", `/v1/enterprises/${w.B.id}/keys/${k.keyId}`);
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe("");
    expect((await h.as(k.apiKey)("GET", "/v1/enterprises")).statusCode).toBe(401);
    expect((await h.admin("DELETE", `/v1/enterprises/${w.B.id}/keys/key_missing`)).statusCode).toBe(404);
  });
});
