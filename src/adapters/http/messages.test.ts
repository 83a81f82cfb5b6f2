import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitMessage } from "../../app/messaging/submit-message.js";
import { DEFAULT_POLICY } from "../../domain/policy/policy.js";
import { type Harness, phoneNo, startHarness, type World } from "../../test-support/http-harness.js";

describe("decisions and messages", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  const sendA = (phone: string, extra: Record<string, unknown> = {}) => ({
    senderId: w.A.id,
    signature: w.sigA,
    port: w.portA,
    phone,
    text: w.textA,
    category: "marketing.retail",
    ...extra,
  });
  const codesOf = (body: { reasons: Array<{ code: string }> }) => body.reasons.map((r) => r.code);

  it("decides without recording: allowed with consent, refused with every reason otherwise", async () => {
    await h.grant(phoneNo(1), w.A.id, "marketing.retail");
    const ok = await h.as(w.A.apiKey)("POST", "/v1/decisions", sendA(phoneNo(1)));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ allowed: true, reasons: [], at: new Date(h.clock.now()).toISOString() });
    const no = await h.as(w.A.apiKey)(
      "POST",
      "/v1/decisions",
      sendA(phoneNo(2), { text: "【好物商城】新品上市" }),
    );
    expect(no.json().allowed).toBe(false);
    expect(codesOf(no.json())).toEqual(["CONSENT_MISSING", "OPT_OUT_TEXT_MISSING"]);
    expect(no.json().reasons[0].message).toMatch(/consent/);
    const again = await h.as(w.A.apiKey)("POST", "/v1/decisions", sendA(phoneNo(1)));
    expect(again.json().allowed).toBe(true);
  });

  it("decides as of another time (a dry run), e.g. in quiet hours", async () => {
    const night = Date.parse("2025-06-10T23:30:00+08:00");
    const r = await h.as(w.A.apiKey)("POST", "/v1/decisions", sendA(phoneNo(1), { at: night }));
    expect(codesOf(r.json())).toContain("QUIET_HOURS");
  });

  it("forbids deciding as another tenant (403) and refuses a foreign signature (SIGNATURE_NOT_AUTHORIZED)", async () => {
    const asB = await h.as(w.A.apiKey)("POST", "/v1/decisions", { ...sendA(phoneNo(1)), senderId: w.B.id });
    expect([asB.statusCode, asB.json().error.code]).toEqual([403, "FORBIDDEN"]);
    const sigB = await h.as(w.A.apiKey)(
      "POST",
      "/v1/decisions",
      sendA(phoneNo(1), { signature: w.sigB, text: w.textB }),
    );
    expect(codesOf(sigB.json())).toContain("SIGNATURE_NOT_AUTHORIZED");
  });

  it("accepts a message (202) and records it; a refusal is recorded too (422, every reason)", async () => {
    const ok = await h.as(w.A.apiKey)("POST", "/v1/messages", sendA(phoneNo(1)));
    expect(ok.statusCode).toBe(202);
    expect(ok.json()).toEqual({ id: expect.stringMatching(/^msg_/), status: "accepted" });
    const no = await h.as(w.A.apiKey)("POST", "/v1/messages", sendA(phoneNo(3)));
    expect(no.statusCode).toBe(422);
    expect(no.json()).toMatchObject({ status: "refused", reasons: [{ code: "CONSENT_MISSING" }] });
    const got = await h.as(w.A.apiKey)("GET", `/v1/messages/${no.json().id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({
      id: no.json().id,
      status: "refused",
      phone: "139****0003",
      senderId: w.A.id,
    });
    expect(got.body).not.toContain(phoneNo(3));
  });

  it("answers a repeated idempotency key with the first outcome and status; a different message is 409", async () => {
    await h.grant(phoneNo(4), w.A.id, "marketing.retail");
    const first = await h.as(w.A.apiKey)(
      "POST",
      "/v1/messages",
      sendA(phoneNo(4), { idempotencyKey: "order-4" }),
    );
    const again = await h.as(w.A.apiKey)(
      "POST",
      "/v1/messages",
      sendA(phoneNo(4), { idempotencyKey: "order-4" }),
    );
    expect([first.statusCode, again.statusCode]).toEqual([202, 202]);
    expect(again.json().id).toBe(first.json().id);
    const refusedFirst = await h.as(w.A.apiKey)(
      "POST",
      "/v1/messages",
      sendA(phoneNo(5), { idempotencyKey: "order-5" }),
    );
    const refusedAgain = await h.as(w.A.apiKey)(
      "POST",
      "/v1/messages",
      sendA(phoneNo(5), { idempotencyKey: "order-5" }),
    );
    expect([refusedFirst.statusCode, refusedAgain.statusCode]).toEqual([422, 422]);
    expect(refusedAgain.json()).toEqual(refusedFirst.json());
    const other = await h.as(w.A.apiKey)(
      "POST",
      "/v1/messages",
      sendA(phoneNo(6), { idempotencyKey: "order-4" }),
    );
    expect([other.statusCode, other.json().error.code]).toEqual([409, "IDEMPOTENCY_MISMATCH"]);
  });

  it("forbids sending as another tenant (403) and records a send with a foreign signature as refused", async () => {
    const asB = await h.as(w.A.apiKey)("POST", "/v1/messages", {
      ...sendA(phoneNo(1)),
      senderId: w.B.id,
      signature: w.sigB,
      port: w.portB,
    });
    expect([asB.statusCode, asB.json().error.code]).toEqual([403, "FORBIDDEN"]);
    const asC = await h.as(w.P.apiKey)("POST", "/v1/messages", { ...sendA(phoneNo(1)), senderId: w.C.id });
    expect(asC.statusCode).toBe(403);
    const foreign = await h.as(w.A.apiKey)(
      "POST",
      "/v1/messages",
      sendA(phoneNo(1), { signature: w.sigB, text: w.textB }),
    );
    expect(foreign.statusCode).toBe(422);
    expect(codesOf(foreign.json())).toContain("SIGNATURE_NOT_AUTHORIZED");
  });

  it("lets a platform send as its merchant and read the message", async () => {
    await h.grant(phoneNo(7), w.A.id, "marketing.retail");
    const r = await h.as(w.P.apiKey)("POST", "/v1/messages", sendA(phoneNo(7)));
    expect(r.statusCode).toBe(202);
    expect((await h.as(w.P.apiKey)("GET", `/v1/messages/${r.json().id}`)).statusCode).toBe(200);
    expect((await h.as(w.A.apiKey)("GET", `/v1/messages/${r.json().id}`)).statusCode).toBe(200);
  });

  it("hides a message from other tenants (404)", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/messages", sendA(phoneNo(8)));
    for (const key of [w.B.apiKey, w.Q.apiKey, w.C.apiKey, w.V.apiKey])
      expect((await h.as(key)("GET", `/v1/messages/${r.json().id}`)).statusCode).toBe(404);
    expect((await h.admin("GET", "/v1/messages/msg_missing")).statusCode).toBe(404);
  });

  it("finds a long SMPP message by its part ids, as it finds it by its id, and no part it does not have", async () => {
    await h.grant(phoneNo(10), w.A.id, "marketing.retail");
    const actor = { kind: "enterprise", enterpriseId: w.A.id } as const;
    // as the SMPP server records a long message the sender split in 2 (acknowledged as <id>-1, <id>-2)
    const long = await submitMessage(h.services.ctx, actor, {
      ...sendA(phoneNo(10)),
      parts: 2,
      smppParts: 2,
    });
    // one submit_sm (its id only), and one sent over HTTP (no SMPP ids at all)
    const single = await submitMessage(h.services.ctx, actor, { ...sendA(phoneNo(10)), smppParts: 1 });
    const http = (await h.as(w.A.apiKey)("POST", "/v1/messages", sendA(phoneNo(10)))).json().id as string;
    const get = (key: string, id: string) => h.as(key)("GET", `/v1/messages/${id}`);
    const whole = await get(w.A.apiKey, long.id);
    expect(whole.statusCode).toBe(200);
    for (const part of [`${long.id}-1`, `${long.id}-2`])
      for (const key of [w.A.apiKey, w.P.apiKey]) {
        const r = await get(key, part);
        expect([part, r.statusCode]).toEqual([part, 200]);
        expect(r.json()).toEqual(whole.json());
      }
    expect((await h.admin("GET", `/v1/messages/${long.id}-2`)).json().id).toBe(long.id);
    // another tenant finds it by no id
    for (const key of [w.B.apiKey, w.Q.apiKey])
      for (const id of [long.id, `${long.id}-1`]) expect((await get(key, id)).statusCode).toBe(404);
    // a part the message does not have, or an id no sender was given
    for (const id of [
      `${long.id}-0`,
      `${long.id}-3`,
      `${long.id}-9`,
      `${long.id}-01`,
      `${long.id}-`,
      `${long.id}-1-1`,
      `${single.id}-1`,
      `${http}-1`,
      "msg_missing-1",
    ])
      expect([id, (await h.admin("GET", `/v1/messages/${id}`)).statusCode]).toEqual([id, 404]);
    expect((await get(w.A.apiKey, single.id)).statusCode).toBe(200);
  });

  it("honours `at` on a send when the test clock is on", async () => {
    await h.grant(phoneNo(9), w.A.id, "marketing.retail");
    const evening = Date.parse("2025-06-10T20:00:00+08:00");
    const r = await h.as(w.A.apiKey)("POST", "/v1/messages", sendA(phoneNo(9), { at: evening }));
    expect(r.statusCode).toBe(202);
    const m = await h.as(w.A.apiKey)("GET", `/v1/messages/${r.json().id}`);
    expect(m.json().createdAt).toBe(new Date(evening).toISOString());
  });
});

describe("`at` without the test clock", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness({ env: { ANNING_TEST_CLOCK: "0" } });
    w = await h.world();
  });
  afterAll(() => h.close());

  it("refuses `at` on a send (400 TEST_CLOCK_DISABLED) but still allows a dry-run decision at a past time", async () => {
    const body = {
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      phone: phoneNo(1),
      text: w.textA,
      category: "marketing.retail",
    };
    const r = await h.as(w.A.apiKey)("POST", "/v1/messages", { ...body, at: h.clock.now() });
    expect([r.statusCode, r.json().error.code]).toEqual([400, "TEST_CLOCK_DISABLED"]);
    const d = await h.as(w.A.apiKey)("POST", "/v1/decisions", { ...body, at: h.clock.now() - 3_600_000 });
    expect(d.statusCode).toBe(200);
    const plain = await h.as(w.A.apiKey)("POST", "/v1/messages", body);
    expect(plain.statusCode).toBe(422);
  });
});

describe("per-sender rate limit", () => {
  let h: Harness;
  let w: World;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "anning-rate-"));
    const file = join(dir, "policy.json");
    writeFileSync(file, JSON.stringify({ ...DEFAULT_POLICY, senderRatePerSecond: 2 }));
    h = await startHarness({ env: { ANNING_POLICY_FILE: file } });
    w = await h.world();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 429 RATE_LIMITED with Retry-After over the limit, records nothing, and lets the next second through", async () => {
    const body = (n: number) => ({
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      phone: phoneNo(n),
      text: w.textA,
      category: "notification",
    });
    const send = h.as(w.A.apiKey);
    expect((await send("POST", "/v1/messages", body(1))).statusCode).toBe(202);
    expect((await send("POST", "/v1/messages", body(2))).statusCode).toBe(202);
    const over = await send("POST", "/v1/messages", { ...body(3), idempotencyKey: "over-1" });
    expect([over.statusCode, over.json().error.code, over.headers["retry-after"]]).toEqual([
      429,
      "RATE_LIMITED",
      "1",
    ]);
    // another sender has its own budget
    const b = await h.as(w.B.apiKey)("POST", "/v1/messages", {
      senderId: w.B.id,
      signature: w.sigB,
      port: w.portB,
      phone: phoneNo(4),
      text: w.textB,
      category: "marketing.retail",
    });
    expect(b.statusCode).not.toBe(429);
    h.clock.advance(1000);
    // nothing was recorded for the refused call: its idempotency key is still free
    const again = await send("POST", "/v1/messages", { ...body(3), idempotencyKey: "over-1" });
    expect([again.statusCode, again.headers["idempotent-replayed"]]).toEqual([202, undefined]);
  });
});

describe("message listing", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());
  const sendA = (phone: string) => ({
    senderId: w.A.id,
    signature: w.sigA,
    port: w.portA,
    phone,
    text: w.textA,
    category: "marketing.retail",
  });

  it("lists the caller's messages by cursor, numbers masked; a platform sees its merchants', no one another's", async () => {
    await h.grant(phoneNo(71), w.A.id, "marketing.retail");
    const sent = await h.as(w.A.apiKey)("POST", "/v1/messages", sendA(phoneNo(71)));
    const refused = await h.as(w.A.apiKey)("POST", "/v1/messages", sendA(phoneNo(72)));
    expect([sent.statusCode, refused.statusCode]).toEqual([202, 422]);
    const ids = [sent.json().id, refused.json().id];
    const page = await h.as(w.A.apiKey)("GET", "/v1/messages?limit=1000");
    expect(page.statusCode).toBe(200);
    const items: Array<{ id: string; phone: string; status: string; senderId: string }> = page.json().items;
    expect(items.map((m) => m.id)).toEqual(expect.arrayContaining(ids));
    expect(items.every((m) => m.senderId === w.A.id)).toBe(true);
    expect(items.find((m) => m.id === ids[1])?.status).toBe("refused");
    expect(page.body).not.toContain(phoneNo(71));
    // the cursor: nothing after the last one
    const next = await h.as(w.A.apiKey)("GET", `/v1/messages?cursor=${page.json().nextCursor}`);
    expect(next.json().items).toEqual([]);
    const platform = await h.as(w.P.apiKey)("GET", "/v1/messages?limit=1000");
    expect(platform.json().items.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(ids));
    const other = await h.as(w.C.apiKey)("GET", "/v1/messages?limit=1000");
    expect(other.json().items.map((m: { id: string }) => m.id)).not.toContain(ids[0]);
    expect((await h.as(w.A.apiKey)("GET", "/v1/messages?cursor=bad")).statusCode).toBe(400);
    expect((await h.as(w.A.apiKey)("GET", "/v1/messages?limit=x")).statusCode).toBe(400);
    // a page size out of 1–1000 is refused, not quietly changed
    for (const limit of ["0", "1001", "9999"]) {
      const r = await h.as(w.A.apiKey)("GET", `/v1/messages?limit=${limit}`);
      expect([r.statusCode, r.json().error.code]).toEqual([400, "VALIDATION_FAILED"]);
      expect(r.json().error.message).toContain("limit");
    }
  });
});
