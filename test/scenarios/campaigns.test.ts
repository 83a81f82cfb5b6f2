import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, phoneNo, startHarness, type World } from "../../src/test-support/http-harness.js";
import {
  expectRefused,
  extraSender,
  marketingFromA,
  sendAccepted,
  storeGet,
  submit,
} from "../support/scenario.js";

let h: Harness;
let w: World;
const HOUR = 3600_000;

interface CampaignJson {
  id: string;
  status: string;
  total: number;
  decided: number;
  accepted: number;
  refused: number;
  refusedByCode: Record<string, number>;
  scheduledAt: string | null;
}

beforeEach(async () => {
  h = await startHarness();
  w = await h.world();
});

afterEach(async () => {
  await h.close();
});

function campaignBody(phones: string[], extra: Record<string, unknown> = {}) {
  return {
    senderId: w.A.id,
    signature: w.sigA,
    port: w.portA,
    text: w.textA,
    category: "marketing.retail",
    phones,
    ...extra,
  };
}

async function getCampaign(id: string, apiKey = w.A.apiKey): Promise<CampaignJson> {
  const r = await h.as(apiKey)("GET", `/v1/campaigns/${id}`);
  expect(r.statusCode, r.body).toBe(200);
  return r.json<CampaignJson>();
}

async function waitFor(id: string, status: string, ms = 5000): Promise<CampaignJson> {
  const until = Date.now() + ms;
  for (;;) {
    const c = await getCampaign(id);
    if (c.status === status) return c;
    if (Date.now() > until) throw new Error(`campaign ${id} stayed ${c.status}, expected ${status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("a campaign with a mix of recipients", () => {
  const consenting = [phoneNo(31), phoneNo(32)];
  const notConsenting = phoneNo(33);
  const dnd = phoneNo(34);
  const invalid = ["12345", "abc"];

  beforeEach(async () => {
    for (const p of [...consenting, dnd]) await h.grant(p, w.A.id, "marketing.retail");
    const r = await h.admin("POST", "/v1/dnd", { phone: dnd, scope: "all" });
    expect(r.statusCode, r.body).toBe(200);
  });

  it("answers with counts by code and lists one masked row per recipient", async () => {
    const phones = [
      consenting[0] as string,
      invalid[0] as string,
      notConsenting,
      dnd,
      consenting[1] as string,
      invalid[1] as string,
    ];
    const r = await h.as(w.A.apiKey)("POST", "/v1/campaigns", campaignBody(phones));
    expect(r.statusCode, r.body).toBe(202);
    const c = r.json<CampaignJson>();
    expect(c.status).toBe("completed");
    expect(c.total).toBe(6);
    expect(c.decided).toBe(6);
    expect(c.accepted).toBe(2);
    expect(c.refused).toBe(4);
    expect(c.refusedByCode).toEqual({ RECIPIENT_INVALID: 2, CONSENT_MISSING: 1, DND: 1 });
    expect(await getCampaign(c.id)).toMatchObject({
      status: "completed",
      accepted: 2,
      refusedByCode: c.refusedByCode,
    });

    const csv = await h.as(w.A.apiKey)("GET", `/v1/campaigns/${c.id}/results.csv`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers["content-type"]).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split("\n");
    expect(lines[0]).toBe("phone,messageId,status,codes");
    const rows = lines.slice(1).map((l) => l.split(","));
    expect(rows).toHaveLength(6);
    for (const p of [...consenting, notConsenting, dnd]) expect(csv.body).not.toContain(p.slice(3));
    for (const bad of invalid) expect(csv.body).not.toContain(bad);
    const byPhone = new Map(rows.map((r) => [r[0], r]));
    const masked = (p: string) => `${p.slice(0, 3)}****${p.slice(-4)}`;
    for (const p of consenting) expect(byPhone.get(masked(p))?.[2]).toBe("accepted");
    expect(byPhone.get(masked(notConsenting))?.slice(2)).toEqual(["refused", "CONSENT_MISSING"]);
    expect(byPhone.get(masked(dnd))?.slice(2)).toEqual(["refused", "DND"]);
    expect(rows.filter((r) => r[3] === "RECIPIENT_INVALID")).toHaveLength(2);

    // every row names a recorded message of the campaign
    for (const row of rows) {
      const m = await h.as(w.A.apiKey)("GET", `/v1/messages/${row[1]}`);
      expect(m.statusCode, m.body).toBe(200);
      expect(m.json<{ campaignId: string; status: string }>()).toMatchObject({
        campaignId: c.id,
        status: row[2],
      });
    }
  });

  it("counts against the frequency cap: a consenting recipient cannot be sent to again the same day", async () => {
    const r = await h.admin("POST", "/v1/campaigns", campaignBody([consenting[0] as string]));
    expect(r.json<CampaignJson>().accepted).toBe(1);
    await expectRefused(h, h.admin, marketingFromA(w, consenting[0] as string), "FREQUENCY_CAP");
  });

  it("is accepted as a CSV body too", async () => {
    const q = new URLSearchParams({
      senderId: w.A.id,
      signature: w.sigA,
      port: w.portA,
      text: w.textA,
      category: "marketing.retail",
    });
    const r = await h.inject({
      method: "POST",
      url: `/v1/campaigns?${q}`,
      headers: { "content-type": "text/csv" },
      payload: `name,phone\n张三,${consenting[0]}\n李四,${notConsenting}\n`,
    });
    expect(r.statusCode, r.body).toBe(202);
    expect(r.json<CampaignJson>()).toMatchObject({
      total: 2,
      accepted: 1,
      refusedByCode: { CONSENT_MISSING: 1 },
    });
  });

  it("is visible to its sender and platform, not to another merchant", async () => {
    const c = (
      await h.as(w.A.apiKey)("POST", "/v1/campaigns", campaignBody([notConsenting]))
    ).json<CampaignJson>();
    expect((await h.as(w.P.apiKey)("GET", `/v1/campaigns/${c.id}`)).statusCode).toBe(200);
    expect((await h.as(w.B.apiKey)("GET", `/v1/campaigns/${c.id}`)).statusCode).toBe(404);
    expect((await h.as(w.B.apiKey)("GET", `/v1/campaigns/${c.id}/results.csv`)).statusCode).toBe(404);
  });
});

describe("idempotency", () => {
  const phone = phoneNo(41);

  it("the same idempotencyKey twice returns the same message and creates one", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const body = marketingFromA(w, phone, { idempotencyKey: "order-2025-0001" });
    const first = await submit(h.as(w.A.apiKey), body);
    expect(first.statusCode, first.response.body).toBe(202);
    const second = await submit(h.as(w.A.apiKey), body);
    expect(second.statusCode, second.response.body).toBe(202);
    expect(second.id).toBe(first.id);
    expect(second.response.headers["idempotent-replayed"]).toBe("true");
    const n = (
      await storeGet<{ n: number }>(
        h.dataDir,
        "SELECT count(*) AS n FROM messages WHERE sender_id = ? AND idempotency_key = ?",
        w.A.id,
        "order-2025-0001",
      )
    ).n;
    expect(n).toBe(1);
    const all = (
      await storeGet<{ n: number }>(
        h.dataDir,
        "SELECT count(*) AS n FROM messages WHERE phone = ?",
        `+86${phone}`,
      )
    ).n;
    expect(all).toBe(1);
  });

  it("a replayed message counts once against the per-recipient cap", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    const body = marketingFromA(w, phone, { idempotencyKey: "k-1" });
    await sendAccepted(h.admin, body);
    await sendAccepted(h.admin, body);
    await sendAccepted(h.admin, body);
    // four more senders fill the cap of 5 per recipient per day only if the replays counted once
    const others = [];
    for (let i = 0; i < 5; i++) others.push(await extraSender(h, w, i, [phone]));
    for (const s of others.slice(0, 4)) await sendAccepted(h.admin, s.body(phone));
    const fifth = others[4];
    if (!fifth) throw new Error("unreachable");
    await expectRefused(h, h.admin, fifth.body(phone), "FREQUENCY_CAP");
  });

  it("a refused message replays its refusal", async () => {
    const body = marketingFromA(w, phone, { idempotencyKey: "k-refused" });
    const first = await submit(h.admin, body);
    expect(first.statusCode).toBe(422);
    await h.grant(phone, w.A.id, "marketing.retail");
    const again = await submit(h.admin, body);
    expect(again.statusCode).toBe(422);
    expect(again.id).toBe(first.id);
    expect(again.codes).toEqual(["CONSENT_MISSING"]);
  });

  it("the same key for a different message is a conflict", async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await sendAccepted(h.admin, marketingFromA(w, phone, { idempotencyKey: "k-2" }));
    const r = await h.admin(
      "POST",
      "/v1/messages",
      marketingFromA(w, phoneNo(42), { idempotencyKey: "k-2" }),
    );
    expect(r.statusCode, r.body).toBe(409);
    expect(r.json<{ error: { code: string } }>().error.code).toBe("IDEMPOTENCY_MISMATCH");
  });
});

describe("scheduled campaigns", () => {
  const phone = phoneNo(51);

  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
  });

  it("do nothing until due, then run", async () => {
    h.services.runner.start();
    const due = h.clock.now() + HOUR;
    const r = await h.as(w.A.apiKey)(
      "POST",
      "/v1/campaigns",
      campaignBody([phone, phoneNo(52)], { scheduledAt: due }),
    );
    expect(r.statusCode, r.body).toBe(202);
    const c = r.json<CampaignJson>();
    expect(c.status).toBe("scheduled");
    expect(c.decided).toBe(0);
    expect(c.scheduledAt).toBe(new Date(due).toISOString());
    h.services.runner.wake();
    await sleep(700);
    expect(await getCampaign(c.id)).toMatchObject({ status: "scheduled", decided: 0, accepted: 0 });
    const csv = await h.as(w.A.apiKey)("GET", `/v1/campaigns/${c.id}/results.csv`);
    expect(csv.body.trim().split("\n")).toHaveLength(1);

    h.clock.advance(HOUR + 60_000);
    h.services.runner.wake();
    const done = await waitFor(c.id, "completed");
    expect(done).toMatchObject({ decided: 2, accepted: 1, refusedByCode: { CONSENT_MISSING: 1 } });
  });

  it("pause and resume before it is due do not make it run early", async () => {
    h.services.runner.start();
    const c = (
      await h.as(w.A.apiKey)(
        "POST",
        "/v1/campaigns",
        campaignBody([phone], { scheduledAt: h.clock.now() + HOUR }),
      )
    ).json<CampaignJson>();
    expect((await h.as(w.A.apiKey)("POST", `/v1/campaigns/${c.id}/pause`)).statusCode).toBe(200);
    const resumed = await h.as(w.A.apiKey)("POST", `/v1/campaigns/${c.id}/resume`);
    expect(resumed.statusCode, resumed.body).toBe(200);
    h.services.runner.wake();
    await sleep(700);
    const now = await getCampaign(c.id);
    expect(now.decided).toBe(0);
    expect(now.status).not.toBe("completed");
  });

  it("pause / resume / cancel follow the allowed transitions; others answer 409", async () => {
    const act = (id: string, action: string) => h.as(w.A.apiKey)("POST", `/v1/campaigns/${id}/${action}`);
    const c = (
      await h.as(w.A.apiKey)(
        "POST",
        "/v1/campaigns",
        campaignBody([phone], { scheduledAt: h.clock.now() + HOUR }),
      )
    ).json<CampaignJson>();
    expect(c.status).toBe("scheduled");

    const badResume = await act(c.id, "resume");
    expect(badResume.statusCode, badResume.body).toBe(409);
    expect(badResume.json<{ error: { code: string } }>().error.code).toBe("INVALID_STATE");

    const paused = await act(c.id, "pause");
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json<CampaignJson>().status).toBe("paused");
    expect((await act(c.id, "pause")).statusCode).toBe(409);

    const resumed = await act(c.id, "resume");
    expect(resumed.statusCode, resumed.body).toBe(200);
    expect(["running", "scheduled"]).toContain(resumed.json<CampaignJson>().status);

    const cancelled = await act(c.id, "cancel");
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json<CampaignJson>().status).toBe("cancelled");
    for (const action of ["cancel", "resume", "pause"]) {
      const r = await act(c.id, action);
      expect(r.statusCode, `${action}: ${r.body}`).toBe(409);
    }
    expect(await getCampaign(c.id)).toMatchObject({ status: "cancelled", decided: 0 });
  });

  it("a cancelled scheduled campaign never runs", async () => {
    h.services.runner.start();
    const c = (
      await h.as(w.A.apiKey)(
        "POST",
        "/v1/campaigns",
        campaignBody([phone], { scheduledAt: h.clock.now() + HOUR }),
      )
    ).json<CampaignJson>();
    expect((await h.as(w.A.apiKey)("POST", `/v1/campaigns/${c.id}/cancel`)).statusCode).toBe(200);
    h.clock.advance(2 * HOUR);
    h.services.runner.wake();
    await sleep(700);
    expect(await getCampaign(c.id)).toMatchObject({ status: "cancelled", decided: 0, accepted: 0 });
  });

  it("a completed campaign cannot be paused or cancelled", async () => {
    const c = (await h.as(w.A.apiKey)("POST", "/v1/campaigns", campaignBody([phone]))).json<CampaignJson>();
    expect(c.status).toBe("completed");
    for (const [action, done] of [
      ["pause", "paused"],
      ["cancel", "cancelled"],
      ["resume", "resumed"],
    ]) {
      const r = await h.as(w.A.apiKey)("POST", `/v1/campaigns/${c.id}/${action}`);
      expect(r.statusCode, `${action}: ${r.body}`).toBe(409);
      expect(r.json<{ error: { message: string } }>().error.message).toBe(
        `a completed campaign cannot be ${done}`,
      );
    }
  });
});
