import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, type World } from "../../test-support/http-harness.js";

describe("ports and allocations", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  it("registers a port (admin), stripping separators, with every known category by default", async () => {
    const r = await h.admin("POST", "/v1/ports", { providerId: w.V.id, number: "106 9000-1111" });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({ providerId: w.V.id, number: "10690001111" });
    expect(r.json().categories).toEqual(expect.arrayContaining(["marketing.retail", "notification"]));
    expect(r.json().id).toMatch(/^prt_/);
  });

  it("lets a provider register its own port, with chosen categories", async () => {
    const r = await h.as(w.V.apiKey)("POST", "/v1/ports", {
      providerId: w.V.id,
      number: "1069000222",
      categories: ["notification"],
    });
    expect(r.statusCode).toBe(201);
    expect(r.json().categories).toEqual(["notification"]);
  });

  it("refuses a merchant key (404), a bad number (422), a duplicate (409), a non-provider (400)", async () => {
    expect(
      (await h.as(w.A.apiKey)("POST", "/v1/ports", { providerId: w.V.id, number: "1069000333" })).statusCode,
    ).toBe(404);
    const bad = await h.admin("POST", "/v1/ports", { providerId: w.V.id, number: "95555" });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe("PORT_NUMBER_INVALID");
    const dup = await h.admin("POST", "/v1/ports", { providerId: w.V.id, number: "1069012345" });
    expect(dup.statusCode).toBe(409);
    const merchant = await h.admin("POST", "/v1/ports", { providerId: w.A.id, number: "1069000444" });
    expect(merchant.statusCode).toBe(400);
    const unknown = await h.admin("POST", "/v1/ports", {
      providerId: w.V.id,
      number: "1069000555",
      categories: ["casino"],
    });
    expect(unknown.json().error.code).toBe("CATEGORY_UNKNOWN");
  });

  it("allocates a port with an extension and binds signatures (admin or the port's provider)", async () => {
    const r = await h.as(w.V.apiKey)("POST", `/v1/ports/${w.portId}/allocations`, {
      enterpriseId: w.A.id,
      signatureIds: [w.sigA],
      extension: "77",
    });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      portId: w.portId,
      enterpriseId: w.A.id,
      extension: "77",
      signatureIds: [w.sigA],
    });
    expect(r.json().id).toMatch(/^alc_/);
  });

  it("refuses allocations by others (404), of unknown ports (404), with foreign signatures or bad extensions (400)", async () => {
    const body = { enterpriseId: w.A.id, signatureIds: [w.sigA], extension: "78" };
    expect((await h.as(w.A.apiKey)("POST", `/v1/ports/${w.portId}/allocations`, body)).statusCode).toBe(404);
    expect((await h.as(w.P.apiKey)("POST", `/v1/ports/${w.portId}/allocations`, body)).statusCode).toBe(404);
    expect((await h.admin("POST", "/v1/ports/prt_missing/allocations", body)).statusCode).toBe(404);
    const foreign = await h.admin("POST", `/v1/ports/${w.portId}/allocations`, {
      ...body,
      signatureIds: [w.sigB],
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.code).toBe("VALIDATION_FAILED");
    const ext = await h.admin("POST", `/v1/ports/${w.portId}/allocations`, { ...body, extension: "7a" });
    expect(ext.statusCode).toBe(400);
    const dup = await h.admin("POST", `/v1/ports/${w.portId}/allocations`, { ...body, extension: "01" });
    expect(dup.statusCode).toBe(409);
  });

  it("gives an extension to one enterprise only (its replies go to it alone); the bare port may be shared", async () => {
    // A holds extension 01; B may not have it too, with or without signatures
    for (const signatureIds of [[w.sigB], []]) {
      const r = await h.admin("POST", `/v1/ports/${w.portId}/allocations`, {
        enterpriseId: w.B.id,
        signatureIds,
        extension: "01",
      });
      expect([r.statusCode, r.json().error.code]).toEqual([409, "CONFLICT"]);
    }
    for (const [ent, sig] of [
      [w.A.id, w.sigA],
      [w.B.id, w.sigB],
    ] as const) {
      const bare = await h.admin("POST", `/v1/ports/${w.portId}/allocations`, {
        enterpriseId: ent,
        signatureIds: [sig],
      });
      expect(bare.statusCode, bare.body).toBe(201);
    }
  });

  it("binds a signature of another owner only through an authorization still in force", async () => {
    const now = h.clock.now();
    const auth = async (validTo: number) => {
      const r = await h.as(w.A.apiKey)("POST", `/v1/signatures/${w.sigA}/authorizations`, {
        enterpriseId: w.C.id,
        validFrom: now - 86_400_000,
        validTo,
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().id as string;
    };
    const allocate = (extension: string) =>
      h.admin("POST", `/v1/ports/${w.portId}/allocations`, {
        enterpriseId: w.C.id,
        signatureIds: [w.sigA],
        extension,
      });
    const expired = await auth(now - 1000);
    expect((await allocate("91")).json().error.code).toBe("VALIDATION_FAILED");
    const live = await auth(now + 86_400_000);
    expect((await allocate("92")).statusCode).toBe(201);
    expect((await h.as(w.A.apiKey)("POST", `/v1/authorizations/${live}/revoke`)).statusCode).toBe(200);
    const afterRevoke = await allocate("93");
    expect([afterRevoke.statusCode, afterRevoke.json().error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(expired).toMatch(/^aut_/);
  });
});
