import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type Harness,
  type HttpMethod,
  startHarness,
  type World,
} from "../../test-support/http-harness.js";

/** Every authenticated route (ids need not exist: authentication comes first). */
const PROTECTED: Array<[HttpMethod, string]> = [
  ["POST", "/v1/enterprises"],
  ["GET", "/v1/enterprises"],
  ["GET", "/v1/enterprises/ent_x"],
  ["POST", "/v1/enterprises/ent_x/suspend"],
  ["POST", "/v1/enterprises/ent_x/restore"],
  ["POST", "/v1/enterprises/ent_x/keys"],
  ["DELETE", "/v1/enterprises/ent_x/keys/key_x"],
  ["PUT", "/v1/enterprises/ent_x/policy"],
  ["GET", "/v1/policy"],
  ["POST", "/v1/signatures"],
  ["GET", "/v1/signatures/sig_x"],
  ["POST", "/v1/signatures/sig_x/activate"],
  ["POST", "/v1/signatures/sig_x/suspend"],
  ["POST", "/v1/signatures/sig_x/restore"],
  ["POST", "/v1/signatures/sig_x/revoke"],
  ["POST", "/v1/signatures/sig_x/authorizations"],
  ["POST", "/v1/authorizations/aut_x/revoke"],
  ["POST", "/v1/ports"],
  ["POST", "/v1/ports/prt_x/allocations"],
  ["POST", "/v1/consents"],
  ["POST", "/v1/consents/withdraw"],
  ["POST", "/v1/consents/query"],
  ["POST", "/v1/dnd"],
  ["POST", "/v1/dnd/remove"],
  ["GET", "/v1/suppressions"],
  ["POST", "/v1/decisions"],
  ["POST", "/v1/messages"],
  ["GET", "/v1/messages/msg_x"],
  ["POST", "/v1/campaigns"],
  ["GET", "/v1/campaigns/cpg_x"],
  ["POST", "/v1/campaigns/cpg_x/pause"],
  ["POST", "/v1/campaigns/cpg_x/resume"],
  ["POST", "/v1/campaigns/cpg_x/cancel"],
  ["GET", "/v1/campaigns/cpg_x/results.csv"],
  ["POST", "/v1/inbound"],
  ["GET", "/v1/ledger/verify"],
  ["GET", "/metrics"],
];

describe("authentication", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  it.each(PROTECTED)("%s %s without a token → 401", async (method, url) => {
    const r = await h.anon(method, url, method === "GET" || method === "DELETE" ? undefined : {});
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe("UNAUTHORIZED");
    expect(r.headers["www-authenticate"]).toBe("Bearer");
  });

  it.each(PROTECTED)("%s %s with an unknown token → 401", async (method, url) => {
    const r = await h.as("ak_not-a-real-key")(method, url);
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe("UNAUTHORIZED");
  });

  it.each([
    "Basic dGVzdDp0ZXN0",
    `bearer${ADMIN_TOKEN}`,
    `Bearer ${ADMIN_TOKEN}x`,
    `Bearer ${ADMIN_TOKEN.slice(0, -1)}`,
    "Bearer",
    "",
  ])("rejects the Authorization header %j", async (header) => {
    const r = await h.inject({ method: "GET", url: "/v1/enterprises", headers: { authorization: header } });
    expect(r.statusCode).toBe(401);
  });

  it("accepts the admin token with any case of the scheme", async () => {
    const r = await h.inject({
      method: "GET",
      url: "/v1/enterprises",
      headers: { authorization: `bearer ${ADMIN_TOKEN}` },
    });
    expect(r.statusCode).toBe(200);
  });

  it("refuses a revoked key at once (401), while the enterprise's other key still works", async () => {
    const fresh = await h.as(w.A.apiKey)("POST", `/v1/enterprises/${w.A.id}/keys`);
    expect(fresh.statusCode).toBe(201);
    const { apiKey, keyId } = fresh.json<{ apiKey: string; keyId: string }>();
    expect((await h.as(apiKey)("GET", `/v1/enterprises/${w.A.id}`)).statusCode).toBe(200);
    expect((await h.as(w.A.apiKey)("DELETE", `/v1/enterprises/${w.A.id}/keys/${keyId}`)).statusCode).toBe(
      204,
    );
    const r = await h.as(apiKey)("GET", `/v1/enterprises/${w.A.id}`);
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe("UNAUTHORIZED");
    expect((await h.as(w.A.apiKey)("GET", `/v1/enterprises/${w.A.id}`)).statusCode).toBe(200);
  });

  it.each<[HttpMethod, string, unknown]>([
    ["POST", "/v1/enterprises/{A}/suspend", { reason: "r" }],
    ["POST", "/v1/enterprises/{A}/restore", { reason: "r" }],
    ["PUT", "/v1/enterprises/{A}/policy", { perSenderPerDay: 0 }],
    ["POST", "/v1/signatures/{sigA}/activate", undefined],
    ["POST", "/v1/signatures/{sigA}/suspend", { reason: "r" }],
    ["POST", "/v1/signatures/{sigA}/restore", { reason: "r" }],
    ["POST", "/v1/signatures/{sigA}/revoke", { reason: "r" }],
    ["POST", "/v1/dnd", { phone: "13812345678", scope: "all" }],
    ["POST", "/v1/dnd/remove", { phone: "13812345678", scope: "all" }],
    ["GET", "/v1/ledger/verify", undefined],
    ["GET", "/metrics", undefined],
  ])("%s %s is admin only (403 for an enterprise key, even the owner's)", async (method, url, body) => {
    const path = url.replace("{A}", w.A.id).replace("{sigA}", w.sigA);
    for (const key of [w.A.apiKey, w.P.apiKey]) {
      const r = await h.as(key)(method, path, body);
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe("FORBIDDEN");
    }
  });

  it("only the admin registers platforms and providers", async () => {
    for (const kind of ["platform", "provider"]) {
      const r = await h.as(w.P.apiKey)("POST", "/v1/enterprises", {
        kind,
        name: "x",
        creditCode: "91310000000000001Y",
      });
      expect(r.statusCode).toBe(403);
    }
  });

  it.each(["/healthz", "/openapi.json", "/docs"])("%s is public", async (url) => {
    expect((await h.anon("GET", url)).statusCode).toBe(200);
  });
});
