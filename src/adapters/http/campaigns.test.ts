import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, phoneNo, startHarness, type World } from "../../test-support/http-harness.js";

const BOUNDARY = "----anningTestBoundary";

/** A multipart/form-data body from text fields and an optional CSV file part. */
function multipartBody(fields: Record<string, string>, csv?: string): string {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  if (csv !== undefined)
    parts.push(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="recipients.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`,
    );
  return `${parts.join("")}--${BOUNDARY}--\r\n`;
}

describe("campaigns", () => {
  let h: Harness;
  let w: World;
  let fields: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
    fields = {
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      text: w.textA,
      category: "marketing.retail",
    };
    for (const n of [1, 2, 3, 11, 12, 21]) await h.grant(phoneNo(n), w.A.id, "marketing.retail");
  });
  afterAll(() => h.close());

  const csvRequest = (csv: string, query: Record<string, string>, key = w.A.apiKey) =>
    h.inject({
      method: "POST",
      url: "/v1/campaigns",
      query,
      payload: csv,
      headers: { authorization: `Bearer ${key}`, "content-type": "text/csv; charset=utf-8" },
    });
  const multipartRequest = (body: string) =>
    h.inject({
      method: "POST",
      url: "/v1/campaigns",
      payload: body,
      headers: {
        authorization: `Bearer ${w.A.apiKey}`,
        "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
      },
    });

  it("creates a campaign from JSON and decides it at once (202 with counts)", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/campaigns", {
      ...fields,
      phones: [phoneNo(1), phoneNo(2), phoneNo(99), "bad"],
    });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({
      status: "completed",
      total: 4,
      accepted: 2,
      refusedByCode: { CONSENT_MISSING: 1, RECIPIENT_INVALID: 1 },
    });
    const got = await h.as(w.A.apiKey)("GET", `/v1/campaigns/${r.json().id}`);
    expect(got.json()).toMatchObject({ id: r.json().id, decided: 4, refused: 2 });
  });

  it("creates a campaign from a CSV body with the fields as query parameters", async () => {
    const r = await csvRequest(
      `name,Phone\nLi,${phoneNo(11)}\nWang,${phoneNo(12)}\n,\nZhao,${phoneNo(98)}\n`,
      fields,
    );
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ total: 3, accepted: 2, refusedByCode: { CONSENT_MISSING: 1 } });
  });

  it("creates a campaign from a multipart form with the CSV as a file, and serves masked results", async () => {
    const r = await multipartRequest(multipartBody(fields, `phone\n${phoneNo(21)}\n+86 139 0000 0097\n`));
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ total: 2, accepted: 1 });
    const csv = await h.as(w.A.apiKey)("GET", `/v1/campaigns/${r.json().id}/results.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split("\n");
    expect(lines[0]).toBe("phone,messageId,status,codes");
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^139\*\*\*\*0021,msg_\w+,accepted,$/),
      expect.stringMatching(/^139\*\*\*\*0097,msg_\w+,refused,CONSENT_MISSING$/),
    ]);
    expect(csv.body).not.toContain(phoneNo(21));
    expect(csv.body).not.toContain("13900000097");
  });

  it("raises the body limit of this route for large lists", async () => {
    const phones = Array.from({ length: 70_000 }, (_, i) => `1370${String(i).padStart(7, "0")}`);
    const r = await h.as(w.A.apiKey)("POST", "/v1/campaigns", { ...fields, phones });
    expect(r.statusCode).toBe(202);
    expect(r.json()).toMatchObject({ total: 70_000, status: "running" });
    await h.as(w.A.apiKey)("POST", `/v1/campaigns/${r.json().id}/cancel`);
  });

  it("refuses bad CSV campaigns: no phone column, a missing field, an unknown field", async () => {
    const noPhone = await csvRequest("name,mobile\nLi,13900000001\n", fields);
    expect([noPhone.statusCode, noPhone.json().error.code]).toEqual([400, "VALIDATION_FAILED"]);
    const { text: _, ...withoutText } = fields;
    const missing = await csvRequest(`phone\n${phoneNo(1)}\n`, withoutText);
    expect([missing.statusCode, missing.json().error.code]).toEqual([400, "MISSING_FIELD"]);
    expect(missing.json().error.message).toContain("text");
    const unknown = await csvRequest(`phone\n${phoneNo(1)}\n`, { ...fields, colour: "red" });
    expect(unknown.json().error.code).toBe("UNKNOWN_FIELD");
    const broken = await csvRequest('phone\n"139000', fields);
    expect(broken.json().error.code).toBe("VALIDATION_FAILED");
  });

  it("refuses bad multipart campaigns: no file, an unknown field", async () => {
    const noFile = await multipartRequest(multipartBody(fields));
    expect([noFile.statusCode, noFile.json().error.code]).toEqual([400, "MISSING_FIELD"]);
    const unknown = await multipartRequest(
      multipartBody({ ...fields, colour: "red" }, `phone\n${phoneNo(1)}\n`),
    );
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([400, "UNKNOWN_FIELD"]);
    const one = multipartBody(fields, `phone\n${phoneNo(1)}\n`);
    const file = one.slice(
      one.lastIndexOf(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"`),
      -`--${BOUNDARY}--\r\n`.length,
    );
    const twoFiles = await multipartRequest(
      `${one.slice(0, -`--${BOUNDARY}--\r\n`.length)}${file}--${BOUNDARY}--\r\n`,
    );
    expect([twoFiles.statusCode, twoFiles.json().error]).toMatchObject([
      400,
      { code: "VALIDATION_FAILED", message: "send exactly one CSV file" },
    ]);
  });

  it("refuses bad JSON campaigns: no phones, unknown field, query fields with JSON, another media type", async () => {
    expect((await h.as(w.A.apiKey)("POST", "/v1/campaigns", { ...fields, phones: [] })).statusCode).toBe(400);
    const unknown = await h.as(w.A.apiKey)("POST", "/v1/campaigns", {
      ...fields,
      phones: [phoneNo(1)],
      priority: 1,
    });
    expect(unknown.json().error.code).toBe("UNKNOWN_FIELD");
    const query = await h.as(w.A.apiKey)("POST", `/v1/campaigns?senderId=${w.A.id}`, {
      ...fields,
      phones: [phoneNo(1)],
    });
    expect(query.json().error.code).toBe("UNKNOWN_FIELD");
    const xml = await h.inject({
      method: "POST",
      url: "/v1/campaigns",
      payload: "<x/>",
      headers: { "content-type": "application/xml" },
    });
    expect(xml.statusCode).toBe(415);
  });

  it("forbids a campaign as another tenant (403) and hides campaigns from other tenants (404)", async () => {
    const asB = await h.as(w.A.apiKey)("POST", "/v1/campaigns", {
      ...fields,
      senderId: w.B.id,
      phones: [phoneNo(1)],
    });
    expect([asB.statusCode, asB.json().error.code]).toEqual([403, "FORBIDDEN"]);
    const csvAsB = await csvRequest(`phone\n${phoneNo(1)}\n`, { ...fields, senderId: w.B.id });
    expect(csvAsB.statusCode).toBe(403);
    const mine = await h.as(w.A.apiKey)("POST", "/v1/campaigns", { ...fields, phones: [phoneNo(3)] });
    const id = mine.json().id;
    for (const key of [w.B.apiKey, w.C.apiKey, w.Q.apiKey]) {
      expect((await h.as(key)("GET", `/v1/campaigns/${id}`)).statusCode).toBe(404);
      expect((await h.as(key)("GET", `/v1/campaigns/${id}/results.csv`)).statusCode).toBe(404);
      expect((await h.as(key)("POST", `/v1/campaigns/${id}/cancel`)).statusCode).toBe(404);
    }
    expect((await h.as(w.P.apiKey)("GET", `/v1/campaigns/${id}`)).statusCode).toBe(200);
    const results = await h.as(w.B.apiKey)("GET", `/v1/campaigns/${id}/results.csv`);
    expect(results.headers["content-type"]).toMatch(/^application\/json/);
  });

  it("pauses, resumes and cancels a scheduled campaign; impossible moves are 409", async () => {
    const later = new Date(h.clock.now() + 3_600_000).toISOString();
    const r = await h.as(w.A.apiKey)("POST", "/v1/campaigns", {
      ...fields,
      phones: [phoneNo(1)],
      scheduledAt: later,
    });
    expect(r.json()).toMatchObject({ status: "scheduled", scheduledAt: later, decided: 0 });
    const id = r.json().id;
    expect((await h.as(w.A.apiKey)("POST", `/v1/campaigns/${id}/pause`)).json().status).toBe("paused");
    expect((await h.as(w.A.apiKey)("POST", `/v1/campaigns/${id}/pause`)).statusCode).toBe(409);
    // resumed before its time, it waits for it again
    expect((await h.as(w.A.apiKey)("POST", `/v1/campaigns/${id}/resume`, {})).json().status).toBe(
      "scheduled",
    );
    expect((await h.as(w.A.apiKey)("POST", `/v1/campaigns/${id}/cancel`)).json().status).toBe("cancelled");
    const again = await h.as(w.A.apiKey)("POST", `/v1/campaigns/${id}/resume`);
    expect([again.statusCode, again.json().error.code]).toEqual([409, "INVALID_STATE"]);
    expect((await h.admin("GET", "/v1/campaigns/cpg_missing")).statusCode).toBe(404);
  });
});

describe("campaigns without the test clock", () => {
  it("refuses `at` (400 TEST_CLOCK_DISABLED)", async () => {
    const h = await startHarness({ env: { ANNING_TEST_CLOCK: "0" } });
    try {
      const w = await h.world();
      const body = {
        senderId: w.A.id,
        signature: w.sigA,
        port: w.portA,
        text: w.textA,
        category: "marketing.retail",
      };
      const r = await h.as(w.A.apiKey)("POST", "/v1/campaigns", {
        ...body,
        phones: [phoneNo(1)],
        at: h.clock.now(),
      });
      expect([r.statusCode, r.json().error.code]).toEqual([400, "TEST_CLOCK_DISABLED"]);
    } finally {
      await h.close();
    }
  });
});
