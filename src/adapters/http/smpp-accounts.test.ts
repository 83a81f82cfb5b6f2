import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateBind } from "../../app/smpp/accounts.js";
import { type Harness, startHarness, type World } from "../../test-support/http-harness.js";

const URL = "/v1/smpp/accounts";

interface Created {
  id: string;
  systemId: string;
  password: string;
  [k: string]: unknown;
}

describe("SMPP accounts over HTTP", () => {
  let h: Harness;
  let w: World;
  let accA: Created;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
    const r = await h.admin("POST", URL, { enterpriseId: w.A.id });
    expect(r.statusCode).toBe(201);
    accA = r.json<Created>();
  });
  afterAll(() => h.close());

  const bind = (systemId: string, password: string) =>
    authenticateBind(h.services.ctx, { systemId, password, ip: "192.0.2.10", now: h.clock.now() });

  describe("happy", () => {
    it("opens an account with defaults, the password shown once", () => {
      expect(accA).toEqual({
        id: expect.stringMatching(/^sma_/),
        enterpriseId: w.A.id,
        systemId: expect.stringMatching(/^an[a-z2-7]{10}$/),
        password: expect.stringMatching(/^[A-Za-z0-9]{8}$/),
        maxBinds: 4,
        tps: 100,
        defaultCategory: null,
        allowedIps: [],
        status: "active",
        lockedUntil: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it("takes every setting, and the password binds", async () => {
      const body = {
        enterpriseId: w.B.id,
        maxBinds: 2,
        tps: 50,
        defaultCategory: "marketing.retail",
        allowedIps: [" 192.0.2.0/24 ", "2001:db8::/32", "::ffff:198.51.100.7"],
      };
      const r = await h.admin("POST", URL, body);
      expect(r.statusCode).toBe(201);
      const a = r.json<Created>();
      expect(a).toMatchObject({
        ...body,
        allowedIps: ["192.0.2.0/24", "2001:db8::/32", "::ffff:198.51.100.7"],
      });
      expect(await bind(a.systemId, a.password)).toMatchObject({ ok: true, account: { id: a.id } });
    });

    it("reads accounts back without password or hash; a platform sees its merchants'", async () => {
      for (const caller of [h.admin, h.as(w.A.apiKey), h.as(w.P.apiKey)]) {
        const one = await caller("GET", `${URL}/${accA.id}`);
        expect(one.statusCode).toBe(200);
        const { password: _, ...view } = accA;
        expect(one.json()).toEqual(view);
        const list = await caller("GET", URL);
        expect(list.json().items.map((a: Created) => a.id)).toContain(accA.id);
        for (const r of [one, list]) {
          expect(r.body).not.toContain(accA.password);
          expect(r.body).not.toMatch(/scrypt|passwordHash|"password"/);
        }
      }
    });

    it("changes settings with PATCH (admin), clearing the default category with null", async () => {
      const r = await h.admin("POST", URL, { enterpriseId: w.C.id, defaultCategory: "notification" });
      const id = r.json<Created>().id;
      const p = await h.admin("PATCH", `${URL}/${id}`, {
        tps: 7,
        allowedIps: ["10.0.0.1"],
        defaultCategory: null,
      });
      expect(p.statusCode).toBe(200);
      expect(p.json()).toMatchObject({
        id,
        tps: 7,
        maxBinds: 4,
        allowedIps: ["10.0.0.1"],
        defaultCategory: null,
      });
      expect((await h.admin("GET", `${URL}/${id}`)).json()).toMatchObject({ tps: 7, defaultCategory: null });
    });

    it("resets the password: the new one binds, the old one no longer does", async () => {
      const r = await h.admin("POST", URL, { enterpriseId: w.A.id });
      const a = r.json<Created>();
      const reset = await h.admin("POST", `${URL}/${a.id}/password`);
      expect(reset.statusCode).toBe(200);
      const fresh = reset.json<{ systemId: string; password: string }>();
      expect(fresh).toEqual({ systemId: a.systemId, password: expect.stringMatching(/^[A-Za-z0-9]{8}$/) });
      expect(fresh.password).not.toBe(a.password);
      expect((await bind(a.systemId, fresh.password)).ok).toBe(true);
      expect(await bind(a.systemId, a.password)).toEqual({ ok: false, reason: "BAD_PASSWORD" });
    });

    it("disables and enables an account", async () => {
      const a = (await h.admin("POST", URL, { enterpriseId: w.B.id })).json<Created>();
      const off = await h.admin("POST", `${URL}/${a.id}/disable`);
      expect([off.statusCode, off.json().status]).toEqual([200, "disabled"]);
      expect(await bind(a.systemId, a.password)).toEqual({ ok: false, reason: "DISABLED" });
      const on = await h.admin("POST", `${URL}/${a.id}/enable`, {});
      expect([on.statusCode, on.json().status]).toEqual([200, "active"]);
      expect((await bind(a.systemId, a.password)).ok).toBe(true);
    });
  });

  describe("errors", () => {
    it.each([
      [{ maxBinds: 0 }, 400, "VALIDATION_FAILED"],
      [{ maxBinds: 101 }, 400, "VALIDATION_FAILED"],
      [{ maxBinds: "4" }, 400, "VALIDATION_FAILED"],
      [{ maxBinds: 1.5 }, 400, "VALIDATION_FAILED"],
      [{ tps: 0 }, 400, "VALIDATION_FAILED"],
      [{ tps: 100001 }, 400, "VALIDATION_FAILED"],
      [{ allowedIps: ["300.1.1.1"] }, 400, "VALIDATION_FAILED"],
      [{ allowedIps: ["10.0.0.0/33"] }, 400, "VALIDATION_FAILED"],
      [{ allowedIps: "10.0.0.1" }, 400, "VALIDATION_FAILED"],
      [{ defaultCategory: "marketing.unheard_of" }, 422, "CATEGORY_UNKNOWN"],
      [{ defaultCategory: "" }, 400, "VALIDATION_FAILED"],
      [{ password: "mine1234" }, 400, "UNKNOWN_FIELD"],
      [{ systemId: "chosen" }, 400, "UNKNOWN_FIELD"],
    ])("refuses %j on create (%i %s)", async (extra, status, code) => {
      const r = await h.admin("POST", URL, { enterpriseId: w.A.id, ...extra });
      expect([r.statusCode, r.json().error.code]).toEqual([status, code]);
    });

    it("names the bad field", async () => {
      const r = await h.admin("POST", URL, { enterpriseId: w.A.id, allowedIps: ["10.0.0.1", "nope"] });
      expect(r.json().error.message).toMatch(/allowedIps/);
      const t = await h.admin("POST", URL, { enterpriseId: w.A.id, tps: 0 });
      expect(t.json().error.message).toMatch(/tps/);
    });

    it("refuses a missing, unknown or suspended enterprise", async () => {
      const missing = await h.admin("POST", URL, {});
      expect([missing.statusCode, missing.json().error.code]).toEqual([400, "MISSING_FIELD"]);
      const unknown = await h.admin("POST", URL, { enterpriseId: "ent_missing" });
      expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, "NOT_FOUND"]);
      const e = await h.registerPlatform();
      await h.admin("POST", `/v1/enterprises/${e.id}/suspend`, { reason: "complaints" });
      const suspended = await h.admin("POST", URL, { enterpriseId: e.id });
      expect([suspended.statusCode, suspended.json().error.code]).toEqual([409, "INVALID_STATE"]);
    });

    it("refuses an empty or unknown PATCH, and answers 404 for an unknown account", async () => {
      const empty = await h.admin("PATCH", `${URL}/${accA.id}`, {});
      expect([empty.statusCode, empty.json().error.code]).toEqual([400, "VALIDATION_FAILED"]);
      const status = await h.admin("PATCH", `${URL}/${accA.id}`, { status: "disabled" });
      expect([status.statusCode, status.json().error.code]).toEqual([400, "UNKNOWN_FIELD"]);
      const enterprise = await h.admin("PATCH", `${URL}/${accA.id}`, { enterpriseId: w.B.id });
      expect(enterprise.json().error.code).toBe("UNKNOWN_FIELD");
      for (const [method, path, body] of [
        ["GET", "", undefined],
        ["PATCH", "", { tps: 5 }],
        ["POST", "/password", undefined],
        ["POST", "/disable", undefined],
        ["POST", "/enable", undefined],
      ] as const) {
        const r = await h.admin(method, `${URL}/sma_missing${path}`, body);
        expect([r.statusCode, r.json().error.code]).toEqual([404, "NOT_FOUND"]);
      }
    });
  });

  describe("security", () => {
    it("needs a token (401)", async () => {
      for (const [method, path] of [
        ["GET", ""],
        ["POST", ""],
        ["GET", `/${accA.id}`],
        ["POST", `/${accA.id}/password`],
      ] as const) {
        const r = await h.anon(method, `${URL}${path}`, method === "POST" ? {} : undefined);
        expect([r.statusCode, r.json().error.code]).toEqual([401, "UNAUTHORIZED"]);
      }
    });

    it("keeps management to the admin (403), even on the enterprise's own account", async () => {
      for (const key of [w.A.apiKey, w.P.apiKey]) {
        const calls = [
          ["POST", URL, { enterpriseId: w.A.id }],
          ["PATCH", `${URL}/${accA.id}`, { tps: 1 }],
          ["POST", `${URL}/${accA.id}/password`, undefined],
          ["POST", `${URL}/${accA.id}/disable`, undefined],
          ["POST", `${URL}/${accA.id}/enable`, undefined],
        ] as const;
        for (const [method, url, body] of calls) {
          const r = await h.as(key)(method, url, body);
          expect([r.statusCode, r.json().error.code]).toEqual([403, "FORBIDDEN"]);
        }
      }
      const still = (await h.admin("GET", `${URL}/${accA.id}`)).json();
      expect(still).toMatchObject({ tps: 100, status: "active" });
      expect((await bind(accA.systemId, accA.password)).ok).toBe(true);
    });

    it("hides another tenant's account (404) and leaves it out of listings", async () => {
      for (const key of [w.B.apiKey, w.Q.apiKey, w.C.apiKey, w.V.apiKey]) {
        const r = await h.as(key)("GET", `${URL}/${accA.id}`);
        expect([r.statusCode, r.json().error.code]).toEqual([404, "NOT_FOUND"]);
        const list = await h.as(key)("GET", URL);
        expect(list.statusCode).toBe(200);
        expect(list.json().items.map((a: Created) => a.id)).not.toContain(accA.id);
        expect(list.body).not.toContain(accA.systemId);
      }
    });
  });
});
