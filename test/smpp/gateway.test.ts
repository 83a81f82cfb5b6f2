import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reasonToSmppStatus } from "../../src/adapters/smpp/command-status.js";
import { decodeText, encodeUcs2, parseReceipt, type SmPdu } from "../../src/adapters/smpp/pdu/index.js";
import { ADMIN } from "../../src/app/context.js";
import { decideMessage } from "../../src/app/messaging/decide-message.js";
import { changeSignatureStatus } from "../../src/app/registry/signatures.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { eventually, type SmppWorld, sendAccepted, smppWorld } from "../../src/test-support/smpp-harness.js";

const PHONE = "13812345678";

function receiptOf(p: SmPdu) {
  return parseReceipt(decodeText(p.dataCoding, p.shortMessage));
}

describe("SMPP gateway: submit_sm through the policy to the carrier, receipts back", () => {
  let w: SmppWorld;
  beforeEach(async () => {
    w = await smppWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it("an allowed message reaches the carrier and its receipt comes back to the sender", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    expect(esme.bindStatus).toBe(0);
    const resp = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text });
    expect(resp.status).toBe(0);
    const id = resp.command === "submit_sm_resp" ? resp.messageId : "";
    expect(id).toMatch(/^msg_/);
    const got = await eventually(() => w.sim.messages.find((m) => m.destination.endsWith(PHONE)));
    expect(got.text).toBe(w.setup.text);
    expect(got.dataCoding).toBe(8);
    const dlr = await esme.waitFor((p) => (p.esmClass & 0x04) !== 0);
    expect(dlr.tlvs.receiptedMessageId).toBe(id);
    expect(dlr.tlvs.messageState).toBe(2);
    expect(receiptOf(dlr)?.stat).toBe("DELIVRD");
    expect(receiptOf(dlr)?.id).toBe(id);
    const m = await w.services.ctx.store.messages.get(id);
    expect(m?.status).toBe("delivered");
  });

  it("honours registered_delivery: none asked, none sent; failures only, no receipt for a delivery", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    await grant(w.services, "13812345679", w.setup.platformId);
    const esme = await w.esme();
    const ids: string[] = [];
    for (const [phone, registeredDelivery] of [
      [PHONE, 0],
      ["13812345679", 2],
    ] as const) {
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: `86${phone}`,
        text: w.setup.text,
        registeredDelivery,
      });
      expect(r.status).toBe(0);
      ids.push(r.command === "submit_sm_resp" ? r.messageId : "");
    }
    // a refusal asked for no receipt either: none comes, though the refused message is recorded with one
    const refused = await esme.submit({
      sourceAddr: w.setup.port,
      destAddr: "8613812345670",
      text: w.setup.text,
      registeredDelivery: 0,
    });
    expect(refused.status).toBe(reasonToSmppStatus("CONSENT_MISSING"));
    for (const id of ids)
      await eventually(async () => (await w.services.ctx.store.messages.get(id))?.status === "delivered");
    await new Promise((r) => setTimeout(r, 500));
    expect(esme.inbox.filter((p) => ids.includes(p.tlvs.receiptedMessageId ?? ""))).toEqual([]);
    expect(esme.inbox.filter((p) => receiptOf(p)?.stat === "REJECTD")).toEqual([]);
  });

  it("validity_period and schedule_delivery_time: kept to, and refused when malformed or past", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    const base = { sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text };
    expect((await esme.submit({ ...base, validityPeriod: "200101000000000+" })).status).toBe(0x62);
    expect((await esme.submit({ ...base, validityPeriod: "2601" })).status).toBe(0x62);
    expect((await esme.submit({ ...base, scheduleDeliveryTime: "99991" })).status).toBe(0x61);
    // waits an hour, and may wait at most two
    const r = await esme.submit({
      ...base,
      scheduleDeliveryTime: "000000010000000R",
      validityPeriod: "000000020000000R",
    });
    expect(r.status).toBe(0);
    const id = r.command === "submit_sm_resp" ? r.messageId : "";
    const now = w.clock.now();
    const m = await w.services.ctx.store.messages.get(id);
    expect(m?.notBefore).toBe(now + 3600_000);
    expect(m?.validUntil).toBe(now + 7200_000);
    await new Promise((res) => setTimeout(res, 400));
    expect(w.sim.messages).toHaveLength(0);
    w.clock.advance(3600_000);
    await eventually(() => w.sim.messages.length === 1, 5000);
  });

  it("a message without consent is refused with its documented permanent status and recorded", async () => {
    const esme = await w.esme();
    const resp = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text });
    expect(resp.status).toBe(reasonToSmppStatus("CONSENT_MISSING"));
    expect(resp.status).toBeGreaterThanOrEqual(0x400);
    expect(resp.command === "submit_sm_resp" && resp.messageId).toBe("");
    const listed = await w.services.ctx.store.messages.listBySenders([w.setup.platformId], "", 10);
    expect(listed.map((m) => [m.status, m.reasons[0]?.code])).toEqual([["refused", "CONSENT_MISSING"]]);
    // the sender learns the refused message's id by a REJECTD receipt on its receiver side
    const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === listed[0]?.id);
    expect(receiptOf(dlr)?.stat).toBe("REJECTD");
    expect(receiptOf(dlr)?.err).toBe("40E");
    await new Promise((r) => setTimeout(r, 100));
    expect(w.sim.messages).toHaveLength(0);
  });

  it("an invalid recipient answers ESME_RINVDSTADR; an unknown port the port refusal", async () => {
    const esme = await w.esme();
    const bad = await esme.submit({
      sourceAddr: w.setup.port,
      destTon: 0,
      destAddr: "12",
      text: w.setup.text,
    });
    expect(bad.status).toBe(0x0b);
    await grant(w.services, PHONE, w.setup.platformId);
    const port = await esme.submit({ sourceAddr: "1069999999", destAddr: `86${PHONE}`, text: w.setup.text });
    expect(port.status).toBe(reasonToSmppStatus("PORT_NOT_ALLOCATED"));
  });

  it("a text naming no 【signature】 is SIGNATURE_MISSING_IN_TEXT; a revoked one's text SIGNATURE_INACTIVE", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    const base = { sourceAddr: w.setup.port, destAddr: `86${PHONE}` };
    const none = await esme.submit({ ...base, text: "双11大促，全场五折。回TD退订" });
    expect(none.status).toBe(reasonToSmppStatus("SIGNATURE_MISSING_IN_TEXT"));
    await changeSignatureStatus(w.services.ctx, ADMIN, w.setup.signatureId, "revoke", "trial");
    const revoked = await esme.submit({ ...base, text: w.setup.text });
    expect(revoked.status).toBe(reasonToSmppStatus("SIGNATURE_INACTIVE"));
  });

  it("service_type picks the category; unknown or empty without a default is ESME_RINVSERTYP", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    const base = { sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text };
    expect((await esme.submit({ ...base, serviceType: "MKTR" })).status).toBe(0);
    expect((await esme.submit({ ...base, serviceType: "XYZ" })).status).toBe(0x15);
    // marketing.finance is outside the signature's scope
    expect((await esme.submit({ ...base, serviceType: "MKTF" })).status).toBe(
      reasonToSmppStatus("SIGNATURE_SCOPE"),
    );
  });

  it("a long Chinese message in UDH parts: each part acknowledged, decided whole, sent whole", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    const text = `${w.setup.text.replace("回TD退订", "")}${"全场满减，".repeat(30)}回TD退订`;
    const bytes = encodeUcs2(text);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 134) chunks.push(bytes.subarray(i, i + 134));
    const ids: string[] = [];
    for (const [i, c] of chunks.entries()) {
      const udh = Buffer.from([5, 0, 3, 0x42, chunks.length, i + 1]);
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: `86${PHONE}`,
        esmClass: 0x40,
        dataCoding: 8,
        shortMessage: Buffer.concat([udh, c]),
      });
      expect(r.status).toBe(0);
      if (r.command === "submit_sm_resp") ids.push(r.messageId);
    }
    expect(new Set(ids).size).toBe(chunks.length);
    const whole = await eventually(() => w.sim.assembled.find((a) => a.text === text));
    expect(whole.parts).toBeGreaterThan(1);
    for (const id of ids) await esme.waitFor((p) => p.tlvs.receiptedMessageId === id);
  });

  it("a refused long message: the last part carries the refusal, earlier parts get REJECTD receipts", async () => {
    const esme = await w.esme();
    const text = `${w.setup.text}${"促销".repeat(60)}`;
    const bytes = encodeUcs2(text);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 134) chunks.push(bytes.subarray(i, i + 134));
    const answers: Array<{ status: number; id: string }> = [];
    for (const [i, c] of chunks.entries()) {
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: `86${PHONE}`,
        dataCoding: 8,
        shortMessage: c,
        tlvs: { sarMsgRefNum: 7, sarTotalSegments: chunks.length, sarSegmentSeqnum: i + 1 },
      });
      answers.push({ status: r.status, id: r.command === "submit_sm_resp" ? r.messageId : "" });
    }
    const last = answers.at(-1);
    expect(last?.status).toBe(reasonToSmppStatus("CONSENT_MISSING"));
    for (const a of answers.slice(0, -1)) {
      expect(a.status).toBe(0);
      const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === a.id);
      expect(receiptOf(dlr)?.stat).toBe("REJECTD");
      expect(receiptOf(dlr)?.err).toBe(reasonToSmppStatus("CONSENT_MISSING").toString(16).toUpperCase());
    }
  });

  it("message_payload carries a long text in one submit_sm", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    const text = `${w.setup.text}${"好".repeat(200)}`;
    const r = await esme.submit({
      sourceAddr: w.setup.port,
      destAddr: `86${PHONE}`,
      dataCoding: 8,
      shortMessage: Buffer.alloc(0),
      tlvs: { messagePayload: encodeUcs2(text) },
    });
    // the opt-out instruction is in the middle: still carried
    expect(r.status).toBe(0);
    await eventually(() => w.sim.assembled.find((a) => a.text === text));
    // it went to the carrier in several parts, but the sender holds one id: one receipt, under that id
    const id = r.command === "submit_sm_resp" ? r.messageId : "";
    expect((await w.services.ctx.store.messages.get(id))?.parts).toBeGreaterThan(1);
    const dlr = await esme.waitFor((p) => p.esmClass === 0x04);
    expect(dlr.tlvs.receiptedMessageId).toBe(id);
    await new Promise((res) => setTimeout(res, 300));
    expect(esme.inbox.filter((p) => p.esmClass === 0x04).map((p) => p.tlvs.receiptedMessageId)).toEqual([id]);
  });

  it("a message sent over HTTP is told of by webhook, never by receipt to the sender's SMPP binds", async () => {
    const rx = await w.esme("receiver");
    const viaHttp = await sendAccepted(w, PHONE);
    await eventually(async () => (await w.services.ctx.store.messages.get(viaHttp))?.status === "delivered");
    // queued for the webhook feed, not pending for the binds
    const notices = await w.services.ctx.store.delivery.noticesAfter([w.setup.platformId], "0", 100);
    expect(notices.some((n) => n.messageId === viaHttp)).toBe(true);
    expect(await w.services.ctx.store.delivery.pendingSmpp(w.setup.platformId, 100)).toEqual([]);
    // a submit_sm afterwards (another recipient: one marketing text a day each) gets its receipt, and only its own
    const other = "13812349999";
    await grant(w.services, other, w.setup.platformId);
    const tx = await w.esme("transmitter");
    const r = await tx.submit({ sourceAddr: w.setup.port, destAddr: `86${other}`, text: w.setup.text });
    expect(r.status).toBe(0);
    const id = r.command === "submit_sm_resp" ? r.messageId : "";
    await rx.waitFor((p) => p.tlvs.receiptedMessageId === id);
    expect(rx.inbox.map((p) => p.tlvs.receiptedMessageId)).toEqual([id]);
  });

  it("a reply TD from the carrier withdraws consent and reaches the sender's receiver bind", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme("receiver");
    await w.sim.injectMo({ from: `86${PHONE}`, to: w.setup.port, text: "TD" });
    const mo = await esme.waitFor((p) => p.esmClass === 0);
    expect(decodeText(mo.dataCoding, mo.shortMessage)).toBe("TD");
    expect(mo.destAddr).toBe(w.setup.port);
    const d = await decideMessage(w.services.ctx, ADMIN, {
      senderId: w.setup.platformId,
      signature: w.setup.signature,
      port: w.setup.port,
      phone: PHONE,
      category: "marketing.retail",
      text: w.setup.text,
    });
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons[0]?.code).toBe("CONSENT_WITHDRAWN");
  });

  it("receipts wait while no receiver is bound and arrive when one binds", async () => {
    await grant(w.services, PHONE, w.setup.platformId);
    const tx = await w.esme("transmitter");
    const r = await tx.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text });
    const id = r.command === "submit_sm_resp" ? r.messageId : "";
    await eventually(async () => (await w.services.ctx.store.messages.get(id))?.status === "delivered");
    expect(tx.inbox).toHaveLength(0);
    const rx = await w.esme("receiver");
    const dlr = await rx.waitFor((p) => p.tlvs.receiptedMessageId === id);
    expect(receiptOf(dlr)?.stat).toBe("DELIVRD");
  });

  it("a receiver bind cannot submit; binds past maxBinds and bad passwords are refused", async () => {
    const rx = await w.esme("receiver");
    const r = await rx.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text });
    expect(r.status).toBe(0x04);
    const bad = await w.esme("transmitter", { systemId: w.account.systemId, password: "wrong123" });
    expect(bad.bindStatus).toBe(0x0e);
    const unknown = await w.esme("transmitter", { systemId: "nosuchid", password: "wrong123" });
    expect(unknown.bindStatus).toBe(0x0f);
    // default maxBinds is 4: one receiver is up, three more fit
    for (let i = 0; i < 3; i++) expect((await w.esme("transmitter")).bindStatus).toBe(0);
    expect((await w.esme("transmitter")).bindStatus).toBe(0x0d);
  });

  it("an account over its tps is throttled with ESME_RTHROTTLED", async () => {
    const { updateSmppAccount } = await import("../../src/app/smpp/accounts.js");
    await updateSmppAccount(w.services.ctx, ADMIN, w.account.id, { tps: 5 });
    const esme = await w.esme();
    const rs = await Promise.all(
      Array.from({ length: 20 }, () =>
        esme.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text }),
      ),
    );
    expect(rs.filter((r) => r.status === 0x58).length).toBeGreaterThanOrEqual(10);
  });
});

describe("SMPP gateway: receipts matched whatever the upstream's id form", () => {
  for (const form of ["decimal", "lowerhex"] as const) {
    it(`receipt ids in ${form} match hex submit_sm_resp ids`, async () => {
      const w = await smppWorld({ sim: { receiptIdForm: form, receiptTlvs: false, idFormat: "hex" } });
      try {
        await grant(w.services, PHONE, w.setup.platformId);
        const esme = await w.esme();
        const r = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text });
        const id = r.command === "submit_sm_resp" ? r.messageId : "";
        await eventually(async () => (await w.services.ctx.store.messages.get(id))?.status === "delivered");
      } finally {
        await w.close();
      }
    });
  }

  it("an undeliverable receipt fails the message and the sender sees UNDELIV", async () => {
    const w = await smppWorld({ sim: { failDestinations: ["5678"] } });
    try {
      await grant(w.services, PHONE, w.setup.platformId);
      const esme = await w.esme();
      const r = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONE}`, text: w.setup.text });
      const id = r.command === "submit_sm_resp" ? r.messageId : "";
      const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === id);
      expect(receiptOf(dlr)?.stat).toBe("UNDELIV");
      expect((await w.services.ctx.store.messages.get(id))?.status).toBe("failed");
    } finally {
      await w.close();
    }
  });
});
