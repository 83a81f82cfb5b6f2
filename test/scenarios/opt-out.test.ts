import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, phoneNo, startHarness, type World } from "../../src/test-support/http-harness.js";
import {
  consentStatus,
  expectRefused,
  marketingFromA,
  type SendBody,
  sendAccepted,
  storeGet,
} from "../support/scenario.js";

let h: Harness;
let w: World;
const phone = phoneNo(21);
const e164 = `+86${phone}`;

interface InboundResult {
  action: string;
  keyword?: string;
  enterpriseIds?: string[];
  withdrawn?: number;
  confirmationId?: string | null;
}

beforeEach(async () => {
  h = await startHarness();
  w = await h.world();
});

afterEach(async () => {
  await h.close();
});

const fromB = (extra: Partial<SendBody> = {}): SendBody => ({
  senderId: w.B.id,
  signature: w.sigB,
  port: w.portB,
  phone,
  text: w.textB,
  category: "marketing.retail",
  ...extra,
});

async function reply(to: string, text: string, caller = h.admin, from = phone): Promise<InboundResult> {
  const r = await caller("POST", "/v1/inbound", { from, to, text });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<InboundResult>();
}

async function confirmationsTo(num: string): Promise<number> {
  return (
    await storeGet<{ n: number }>(
      h.dataDir,
      "SELECT count(*) AS n FROM messages WHERE phone = ? AND category = 'system.opt_out_confirmation'",
      num,
    )
  ).n;
}

describe("opt-out keywords", () => {
  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.grant(phone, w.A.id, "marketing.finance");
    await h.grant(phone, w.B.id, "marketing.retail");
    await sendAccepted(h.as(w.A.apiKey), marketingFromA(w, phone));
  });

  it.each(["TD", "退订", "ｔｄ", "【好物商城】TD", "STOP!", " td ", "Unsubscribe"])(
    "%s withdraws every marketing consent of the sender, queues one confirmation and stops the next message",
    async (text) => {
      const r = await reply(w.portA, text);
      expect(r.action).toBe("opt_out");
      expect(r.enterpriseIds).toEqual([w.A.id]);
      expect(r.withdrawn).toBeGreaterThanOrEqual(2);
      expect(await consentStatus(h, phone, w.A.id, "marketing.retail")).toBe("withdrawn");
      expect(await consentStatus(h, phone, w.A.id, "marketing.finance")).toBe("withdrawn");
      expect(await consentStatus(h, phone, w.B.id, "marketing.retail")).toBe("granted");

      expect(r.confirmationId).toMatch(/\S/);
      const c = await h.admin("GET", `/v1/messages/${r.confirmationId}`);
      expect(c.statusCode, c.body).toBe(200);
      const cm = c.json<{
        status: string;
        category: string;
        text: string;
        phone: string;
        senderId: string;
      }>();
      expect(cm.category).toBe("system.opt_out_confirmation");
      expect(cm.status).toBe("accepted");
      expect(cm.text.startsWith("【好物商城】")).toBe(true);
      expect(cm.senderId).toBe(w.A.id);
      expect(cm.phone).not.toContain(phone);
      expect(await confirmationsTo(e164)).toBe(1);

      await expectRefused(h, h.as(w.A.apiKey), marketingFromA(w, phone), "CONSENT_WITHDRAWN");
      await expectRefused(
        h,
        h.as(w.A.apiKey),
        marketingFromA(w, phone, { at: Date.parse("2025-06-11T10:00:00+08:00") }),
        "CONSENT_WITHDRAWN",
      );
    },
  );

  it("a second TD is recorded again but not answered again within a day; after a day it is", async () => {
    const first = await reply(w.portA, "TD");
    expect(first.confirmationId).toMatch(/\S/);
    h.clock.advance(3600_000);
    const second = await reply(w.portA, "退订");
    expect(second).toMatchObject({ action: "opt_out", enterpriseIds: [w.A.id], confirmationId: null });
    expect(second.withdrawn).toBeGreaterThanOrEqual(2);
    expect(await confirmationsTo(e164)).toBe(1);
    h.clock.advance(86_400_000);
    expect((await reply(w.portA, "TD")).confirmationId).toMatch(/\S/);
    expect(await confirmationsTo(e164)).toBe(2);
  });

  it.each(["STOPWATCH多少钱", "不要退订", "TDTD", "谢谢", ""])("%s does nothing", async (text) => {
    const r = await reply(w.portA, text);
    expect(r.action).toBe("nothing");
    expect(await consentStatus(h, phone, w.A.id, "marketing.retail")).toBe("granted");
    expect(await consentStatus(h, phone, w.A.id, "marketing.finance")).toBe("granted");
    expect(await confirmationsTo(e164)).toBe(0);
  });
});

describe("merchant sending under the platform's signature", () => {
  let sigP: string;
  const platformText = "【好物平台】品牌日特惠，回TD退订";

  beforeEach(async () => {
    sigP = await h.activeSignature(w.P.id, "好物平台", ["marketing.retail"]);
    const now = h.clock.now();
    const a = await h.admin("POST", `/v1/signatures/${sigP}/authorizations`, {
      enterpriseId: w.A.id,
      validFrom: now - 3600_000,
      validTo: now + 365 * 86_400_000,
    });
    expect(a.statusCode, a.body).toBe(201);
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.grant(phone, w.P.id, "marketing.retail");
    await h.grant(phone, w.B.id, "marketing.retail");
  });

  it("on the merchant's own extension: both the merchant and the signature owner are withdrawn", async () => {
    await h.allocate(w.portId, w.A.id, [sigP], "06");
    await sendAccepted(
      h.as(w.A.apiKey),
      marketingFromA(w, phone, { signature: sigP, port: "106901234506", text: platformText }),
    );
    const r = await reply("106901234506", "TD");
    expect(r.action).toBe("opt_out");
    expect([...(r.enterpriseIds ?? [])].sort()).toEqual([w.A.id, w.P.id].sort());
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.P.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.B.id)).toBe("granted");
    expect(await confirmationsTo(e164)).toBe(1);
  });

  it("on the platform's extension: both the merchant that sent and the signature owner are withdrawn", async () => {
    await h.allocate(w.portId, w.P.id, [sigP], "05");
    await sendAccepted(
      h.as(w.A.apiKey),
      marketingFromA(w, phone, { signature: sigP, port: "106901234505", text: platformText }),
    );
    const r = await reply("106901234505", "TD");
    expect(r.action).toBe("opt_out");
    expect(await consentStatus(h, phone, w.P.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.B.id)).toBe("granted");
    await expectRefused(
      h,
      h.as(w.A.apiKey),
      marketingFromA(w, phone, { signature: sigP, port: "106901234505", text: platformText }),
      "CONSENT_WITHDRAWN",
    );
  });
});

describe("which enterprises a reply stops", () => {
  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.grant(phone, w.B.id, "marketing.retail");
  });

  it("a reply to port plus extension stops only that allocation's enterprise", async () => {
    await sendAccepted(h.admin, marketingFromA(w, phone));
    await sendAccepted(h.admin, fromB());
    const r = await reply(w.portB, "TD");
    expect(r.enterpriseIds).toEqual([w.B.id]);
    expect(await consentStatus(h, phone, w.B.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.A.id)).toBe("granted");
    const c = await h.admin("GET", `/v1/messages/${r.confirmationId}`);
    expect(c.json<{ text: string }>().text.startsWith("【优选超市】")).toBe(true);
  });

  it("a reply to the bare port after a message stops the enterprise that sent it last", async () => {
    await sendAccepted(h.admin, marketingFromA(w, phone));
    const r = await reply("1069012345", "TD");
    expect(r.enterpriseIds).toEqual([w.A.id]);
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.B.id)).toBe("granted");
  });

  it("the ambiguous case (no message, no extension) stops every enterprise bound to the port", async () => {
    const r = await reply("1069012345", "退订");
    expect(r.action).toBe("opt_out");
    expect([...(r.enterpriseIds ?? [])].sort()).toEqual([w.A.id, w.B.id].sort());
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");
    expect(await consentStatus(h, phone, w.B.id)).toBe("withdrawn");
    await expectRefused(h, h.admin, marketingFromA(w, phone), "CONSENT_WITHDRAWN");
    await expectRefused(h, h.admin, fromB(), "CONSENT_WITHDRAWN");
  });

  it("an enterprise on another port is never stopped", async () => {
    const sigC = await h.activeSignature(w.C.id, "远方书店", ["marketing.retail"]);
    const other = await h.port(w.V.id, "1069066666");
    await h.allocate(other, w.C.id, [sigC]);
    await h.grant(phone, w.C.id, "marketing.retail");
    await reply("1069012345", "TD");
    expect(await consentStatus(h, phone, w.C.id)).toBe("granted");
  });
});

describe("who may post a reply", () => {
  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
  });

  it("the port's provider may, another provider may not (404)", async () => {
    const V2 = await h.registerProvider();
    await h.port(V2.id, "1069088888");
    const stranger = await h.as(V2.apiKey)("POST", "/v1/inbound", { from: phone, to: w.portA, text: "TD" });
    expect(stranger.statusCode, stranger.body).toBe(404);
    expect(await consentStatus(h, phone, w.A.id)).toBe("granted");

    const own = await reply(w.portA, "TD", h.as(w.V.apiKey));
    expect(own.action).toBe("opt_out");
    expect(await consentStatus(h, phone, w.A.id)).toBe("withdrawn");

    const wrongWay = await h.as(w.V.apiKey)("POST", "/v1/inbound", {
      from: phone,
      to: "1069088888",
      text: "TD",
    });
    expect(wrongWay.statusCode, wrongWay.body).toBe(404);
  });

  it("a sender's key may not post replies", async () => {
    const r = await h.as(w.A.apiKey)("POST", "/v1/inbound", { from: phone, to: w.portA, text: "Y" });
    expect(r.statusCode, r.body).toBe(404);
  });
});

describe("suppression feed", () => {
  interface Item {
    cursor: string;
    type: string;
    phone: string | null;
    enterpriseId: string | null;
    category: string;
    channel: string | null;
  }

  async function page(apiKey: string, query = ""): Promise<{ items: Item[]; nextCursor: string }> {
    const r = await h.as(apiKey)("GET", `/v1/suppressions${query}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json<{ items: Item[]; nextCursor: string }>();
  }

  beforeEach(async () => {
    await h.grant(phone, w.A.id, "marketing.retail");
    await h.grant(phoneNo(22), w.A.id, "marketing.retail");
    await sendAccepted(h.admin, marketingFromA(w, phone));
    await reply(w.portA, "TD");
    await reply(w.portA, "TD", h.admin, phoneNo(22));
  });

  it("lists the withdrawals for the sender, and pages through them with the cursor", async () => {
    const all = await page(w.A.apiKey);
    const mine = all.items.filter((i) => i.type === "withdrawn");
    expect(mine.length).toBeGreaterThanOrEqual(4); // two recipients, every marketing category
    expect(mine.every((i) => i.enterpriseId === w.A.id)).toBe(true);
    expect(mine.every((i) => i.channel === "sms_reply")).toBe(true);
    expect(new Set(mine.map((i) => i.phone))).toEqual(new Set([e164, `+86${phoneNo(22)}`]));
    expect(mine.map((i) => i.category)).toContain("marketing.retail");

    const paged: Item[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 50; guard++) {
      const p = await page(w.A.apiKey, `?limit=1${cursor === undefined ? "" : `&cursor=${cursor}`}`);
      if (p.items.length === 0) {
        expect(p.nextCursor).toBe(cursor);
        break;
      }
      expect(p.items.length).toBe(1);
      paged.push(...p.items);
      cursor = p.nextCursor;
    }
    expect(paged.map((i) => i.cursor)).toEqual(all.items.map((i) => i.cursor));

    // the platform sees its merchant's withdrawals
    const platform = await page(w.P.apiKey);
    expect(platform.items.filter((i) => i.type === "withdrawn").length).toBe(mine.length);
  });

  it("does not list them for an unrelated enterprise", async () => {
    for (const key of [w.C.apiKey, w.B.apiKey, w.Q.apiKey]) {
      const p = await page(key);
      expect(p.items.filter((i) => i.type === "withdrawn")).toEqual([]);
      expect(JSON.stringify(p.items)).not.toContain(phone);
    }
  });
});
