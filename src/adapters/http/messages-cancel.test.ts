import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMessageEvents } from "../../app/webhooks/message-events.js";
import { type Harness, phoneNo, startHarness, type World } from "../../test-support/http-harness.js";

describe("POST /v1/messages/:id/cancel", () => {
  let h: Harness;
  let w: World;
  beforeAll(async () => {
    h = await startHarness();
    w = await h.world();
  });
  afterAll(() => h.close());

  /** A message of A's accepted into the outbox (no dispatcher runs in this harness); its id. */
  async function accepted(n: number): Promise<string> {
    await h.grant(phoneNo(n), w.A.id, "marketing.retail");
    const r = await h.as(w.A.apiKey)("POST", "/v1/messages", {
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      phone: phoneNo(n),
      text: w.textA,
      category: "marketing.retail",
    });
    expect(r.statusCode, r.body).toBe(202);
    return r.json().id as string;
  }

  it("cancels an accepted message: final status cancelled, history, and a DELETED receipt for its sender", async () => {
    const id = await accepted(501);
    const r = await h.as(w.A.apiKey)("POST", `/v1/messages/${id}/cancel`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ id, status: "cancelled", phone: "139****0501" });
    expect(r.json().history.at(-1)).toMatchObject({ status: "cancelled", note: "cancelled by its sender" });
    expect(r.body).not.toContain(phoneNo(501));
    const got = await h.as(w.A.apiKey)("GET", `/v1/messages/${id}`);
    expect(got.json().status).toBe("cancelled");
    const events = await listMessageEvents(h.services.ctx, w.A.id, "0", 1000);
    expect(events.items.filter((e) => e.type === "receipt" && e.messageId === id)).toEqual([
      expect.objectContaining({ status: "cancelled", stat: "DELETED", err: "000", phone: "139****0501" }),
    ]);
    // the outbox no longer holds it
    const claimed = await h.services.ctx.store.messages.claimOutbox(1000, h.clock.now() + 86_400_000);
    expect(claimed.map((m) => m.id)).not.toContain(id);
  });

  it("gives back the day's frequency-cap unit: a corrected message to the same recipient may follow", async () => {
    const id = await accepted(520);
    const send = () =>
      h.as(w.A.apiKey)("POST", "/v1/messages", {
        senderId: w.A.id,
        signature: w.sigA,
        port: w.portA,
        phone: phoneNo(520),
        text: w.textA,
        category: "marketing.retail",
      });
    const capped = await send(); // one marketing message per sender and recipient a day, by default
    expect(capped.json().reasons.map((r: { code: string }) => r.code)).toEqual(["FREQUENCY_CAP"]);
    expect((await h.as(w.A.apiKey)("POST", `/v1/messages/${id}/cancel`)).statusCode).toBe(200);
    const corrected = await send();
    expect([corrected.statusCode, corrected.json().status]).toEqual([202, "accepted"]);
  });

  it("answers 409 INVALID_STATE for a message cancelled, handed over or refused already", async () => {
    const id = await accepted(502);
    expect((await h.as(w.A.apiKey)("POST", `/v1/messages/${id}/cancel`)).statusCode).toBe(200);
    const again = await h.as(w.A.apiKey)("POST", `/v1/messages/${id}/cancel`);
    expect([again.statusCode, again.json().error.code]).toEqual([409, "INVALID_STATE"]);

    const handed = await accepted(503);
    const claimed = await h.services.ctx.store.messages.claimOutbox(1000, h.clock.now() + 86_400_000);
    expect(claimed.map((m) => m.id)).toContain(handed);
    const late = await h.as(w.A.apiKey)("POST", `/v1/messages/${handed}/cancel`);
    expect([late.statusCode, late.json().error.code]).toEqual([409, "INVALID_STATE"]);
    expect((await h.services.ctx.store.messages.get(handed))?.status).toBe("dispatching");

    const refused = await h.as(w.A.apiKey)("POST", "/v1/messages", {
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      phone: phoneNo(504),
      text: w.textA,
      category: "marketing.retail",
    });
    expect(refused.statusCode).toBe(422);
    const no = await h.as(w.A.apiKey)("POST", `/v1/messages/${refused.json().id}/cancel`);
    expect([no.statusCode, no.json().error.code]).toEqual([409, "INVALID_STATE"]);
  });

  it("follows GET's rules: the platform and the admin may, another tenant gets 404 as for no message", async () => {
    const id = await accepted(505);
    const asB = await h.as(w.B.apiKey)("POST", `/v1/messages/${id}/cancel`);
    expect([asB.statusCode, asB.json().error.code]).toEqual([404, "NOT_FOUND"]);
    const asC = await h.as(w.C.apiKey)("POST", `/v1/messages/${id}/cancel`);
    expect(asC.statusCode).toBe(404);
    const asQ = await h.as(w.Q.apiKey)("POST", `/v1/messages/${id}/cancel`);
    expect(asQ.statusCode).toBe(404);
    const missing = await h.as(w.A.apiKey)("POST", "/v1/messages/msg_0000000000000nope/cancel");
    expect(missing.json().error.code).toBe("NOT_FOUND");
    expect(asB.json().error.message).toBe(missing.json().error.message);
    expect((await h.services.ctx.store.messages.get(id))?.status).toBe("accepted");

    const asP = await h.as(w.P.apiKey)("POST", `/v1/messages/${id}/cancel`);
    expect([asP.statusCode, asP.json().status]).toEqual([200, "cancelled"]);

    const other = await accepted(506);
    const byAdmin = await h.admin("POST", `/v1/messages/${other}/cancel`);
    expect(byAdmin.statusCode).toBe(200);
    expect(byAdmin.json().history.at(-1).note).toBe("cancelled by the operator");
  });

  it("refuses without a key (401), a body with fields (400) and a malformed id (400)", async () => {
    const id = await accepted(507);
    expect((await h.anon("POST", `/v1/messages/${id}/cancel`)).statusCode).toBe(401);
    expect((await h.as("wrong-key")("POST", `/v1/messages/${id}/cancel`)).statusCode).toBe(401);
    const body = await h.as(w.A.apiKey)("POST", `/v1/messages/${id}/cancel`, { status: "delivered" });
    expect([body.statusCode, body.json().error.code]).toEqual([400, "UNKNOWN_FIELD"]);
    const bad = await h.as(w.A.apiKey)("POST", `/v1/messages/${"x".repeat(65)}/cancel`);
    expect(bad.statusCode).toBe(400);
    expect((await h.services.ctx.store.messages.get(id))?.status).toBe("accepted");
  });
});
