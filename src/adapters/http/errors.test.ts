import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError, type DomainErrorCode } from "../../domain/shared/domain-error.js";
import { StoreConflictError } from "../../domain/shared/store-errors.js";
import { type Harness, startHarness, type World } from "../../test-support/http-harness.js";
import { classifyError, codeToHttpStatus } from "./errors.js";

const STATUS: Record<DomainErrorCode, number> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  CONFLICT: 409,
  CREDIT_CODE_INVALID: 422,
  PARENT_INVALID: 422,
  SIGNATURE_TEXT_INVALID: 422,
  CATEGORY_UNKNOWN: 422,
  PORT_NUMBER_INVALID: 422,
  RECIPIENT_INVALID: 422,
  CONSENT_NOT_AFFIRMATIVE: 422,
  CONSENT_CAPTURED_IN_FUTURE: 422,
  CONSENT_PREDATES_WITHDRAWAL: 409,
  OPT_IN_REQUEST_TOO_SOON: 429,
  POLICY_NOT_TIGHTER: 422,
  INVALID_STATE: 409,
  TEST_CLOCK_DISABLED: 400,
  IDEMPOTENCY_MISMATCH: 409,
  SERVICE_DEGRADED: 503,
  RATE_LIMITED: 429,
};

describe("codeToHttpStatus / classifyError", () => {
  it.each(Object.entries(STATUS))("%s → %i", (code, status) => {
    expect(codeToHttpStatus(code as DomainErrorCode)).toBe(status);
    expect(classifyError(new DomainError(code as DomainErrorCode, "m"))).toEqual([status, code, "m"]);
  });

  it("maps an unreachable PostgreSQL or Redis to 503 SERVICE_DEGRADED, never 500", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const shutdown = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    for (const e of [refused, shutdown, new Error("Connection terminated unexpectedly")])
      expect(classifyError(e)[0]).toBe(503);
    expect(classifyError(Object.assign(new Error("syntax"), { code: "42601" }))[0]).toBe(500);
  });

  it("maps store conflicts to 409 CONFLICT and anything unknown to a bare 500", () => {
    expect(classifyError(new StoreConflictError("signature text"))[0]).toBe(409);
    expect(classifyError(new StoreConflictError("signature text"))[1]).toBe("CONFLICT");
    expect(classifyError(new Error("secret detail 13812345678"))).toEqual([
      500,
      "INTERNAL_ERROR",
      "internal error",
    ]);
    expect(classifyError("a string")).toEqual([500, "INTERNAL_ERROR", "internal error"]);
  });
});

describe("the error envelope over HTTP", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  const send = () => ({
    senderId: w.A.id,
    signature: w.sigA,
    port: w.portA,
    phone: "13812345678",
    text: w.textA,
    category: "marketing.retail",
  });

  function expectEnvelope(
    r: { statusCode: number; body: string; headers: Record<string, unknown> },
    status: number,
    code: string,
  ) {
    expect(r.statusCode).toBe(status);
    const body = JSON.parse(r.body) as { error: { code: string; message: string; requestId: string } };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error.code).toBe(code);
    expect(body.error.requestId).toMatch(/^req_[0-9a-z]{20}$/);
    expect(body.error.requestId).toBe(r.headers["x-request-id"]);
    expect(r.body).not.toMatch(/stack|\bat .*\.(js|ts):\d+/);
    return body.error;
  }

  it("rejects an unknown body field (not stripped) and names it", async () => {
    const e = expectEnvelope(
      await h.as(w.A.apiKey)("POST", "/v1/messages", { ...send(), colour: "red" }),
      400,
      "UNKNOWN_FIELD",
    );
    expect(e.message).toContain("colour");
  });

  it("names a nested unknown field", async () => {
    const r = await h.admin("PUT", `/v1/enterprises/${w.A.id}/policy`, {
      marketingHours: { start: "09:00", end: "20:00", tz: "x" },
    });
    expect(expectEnvelope(r, 400, "UNKNOWN_FIELD").message).toContain("marketingHours.tz");
  });

  it("rejects an unknown query parameter", async () => {
    expect(
      expectEnvelope(await h.admin("GET", "/v1/suppressions?colour=red"), 400, "UNKNOWN_FIELD").message,
    ).toBe("unknown query parameter: colour");
  });

  it("names the format wanted without quoting a regular expression", async () => {
    const e = expectEnvelope(await h.admin("GET", "/v1/suppressions?limit=abc"), 400, "VALIDATION_FAILED");
    expect(e.message).toBe("query parameter limit is not in the expected format");
  });

  it("names the rule a value of an allowed form broke, or the forms allowed", async () => {
    const consent = (capturedAt: unknown) =>
      h.as(w.A.apiKey)("POST", "/v1/consents", {
        phone: "13812345678",
        enterpriseId: w.A.id,
        category: "marketing.retail",
        method: "web_form_unticked_box",
        capturedAt,
        source: "https://shop.example/join",
        noticeText: "同意接收营销短信",
      });
    const negative = expectEnvelope(await consent(-1), 400, "VALIDATION_FAILED").message;
    expect(negative).toMatch(/^capturedAt must be >= 0$/);
    const wrong = expectEnvelope(await consent(true), 400, "VALIDATION_FAILED").message;
    expect(wrong).toMatch(/^capturedAt must be (string or (number|integer)|(number|integer) or string)$/);
  });

  it("names a missing field", async () => {
    const { phone: _, ...rest } = send();
    expect(
      expectEnvelope(await h.as(w.A.apiKey)("POST", "/v1/messages", rest), 400, "MISSING_FIELD").message,
    ).toContain("phone");
  });

  it("treats an absent body as missing fields", async () => {
    const r = await h.admin("POST", `/v1/enterprises/${w.A.id}/suspend`);
    expect(expectEnvelope(r, 400, "MISSING_FIELD").message).toContain("reason");
  });

  it("answers VALIDATION_FAILED for a wrongly typed field (no coercion)", async () => {
    expectEnvelope(
      await h.as(w.A.apiKey)("POST", "/v1/messages", { ...send(), phone: 13812345678 }),
      400,
      "VALIDATION_FAILED",
    );
  });

  it("answers INVALID_JSON for malformed JSON", async () => {
    const r = await h.inject({
      method: "POST",
      url: "/v1/decisions",
      payload: '{"senderId": ',
      headers: { "content-type": "application/json" },
    });
    expectEnvelope(r, 400, "INVALID_JSON");
  });

  it("refuses prototype poisoning as INVALID_JSON", async () => {
    const r = await h.inject({
      method: "POST",
      url: "/v1/decisions",
      payload: '{"__proto__": {"x": 1}}',
      headers: { "content-type": "application/json" },
    });
    expect(expectEnvelope(r, 400, "INVALID_JSON").message).toContain("__proto__");
  });

  it("answers 413 BODY_TOO_LARGE over 1 MiB", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/messages", { ...send(), text: "x".repeat(1_100_000) });
    expectEnvelope(r, 413, "BODY_TOO_LARGE");
  });

  it.each(["text/plain", "application/xml", "text/csv", "application/x-www-form-urlencoded"])(
    "answers 415 for %s outside the campaign route",
    async (type) => {
      const r = await h.inject({
        method: "POST",
        url: "/v1/decisions",
        payload: "a=b",
        headers: { "content-type": type },
      });
      expectEnvelope(r, 415, "UNSUPPORTED_MEDIA_TYPE");
    },
  );

  it("answers 404 ROUTE_NOT_FOUND for an unknown route, with or without a token", async () => {
    expectEnvelope(await h.admin("GET", "/v1/nothing-here"), 404, "ROUTE_NOT_FOUND");
    expectEnvelope(await h.anon("DELETE", "/v1/messages"), 404, "ROUTE_NOT_FOUND");
  });

  it("wraps a malformed URL in the envelope without echoing it", async () => {
    const r = await h.admin("GET", "/v1/messages/%E0%A4%A");
    expectEnvelope(r, 400, "BAD_REQUEST");
    expect(r.body).not.toContain("%E0");
  });

  it("hides an unexpected failure behind 500 INTERNAL_ERROR", async () => {
    const store = h.services.ctx.store.messages;
    const original = store.get.bind(store);
    store.get = async () => {
      throw new Error("disk on fire at /var/lib/anning 13812345678");
    };
    try {
      const e = expectEnvelope(await h.admin("GET", "/v1/messages/msg_x"), 500, "INTERNAL_ERROR");
      expect(e.message).toBe("internal error");
    } finally {
      store.get = original;
    }
  });

  it("never echoes a phone number or message text in an error", async () => {
    const r = await h.admin("POST", "/v1/consents", {
      phone: "1381234567x",
      enterpriseId: w.A.id,
      category: "marketing.retail",
      method: "web_form_unticked_box",
      capturedAt: h.clock.now(),
      source: "s",
      noticeText: "n",
    });
    expectEnvelope(r, 422, "RECIPIENT_INVALID");
    expect(r.body).not.toContain("1381234567");
    const r2 = await h.as(w.A.apiKey)("POST", "/v1/messages", { ...send(), category: "nope.secret" });
    expectEnvelope(r2, 422, "CATEGORY_UNKNOWN");
    expect(r2.body).not.toContain("13812345678");
    expect(r2.body).not.toContain(w.textA);
  });

  it("gives every response a fresh, time-sortable request id", async () => {
    const a = (await h.anon("GET", "/healthz")).headers["x-request-id"] as string;
    const b = (await h.anon("GET", "/healthz")).headers["x-request-id"] as string;
    expect(a).toMatch(/^req_[0-9a-z]{20}$/);
    expect(a < b).toBe(true);
  });

  it("ignores a caller-supplied request id", async () => {
    const r = await h.inject({
      method: "GET",
      url: "/healthz",
      headers: { "request-id": "mine", "x-request-id": "mine" },
    });
    expect(r.headers["x-request-id"]).not.toBe("mine");
  });
});
