import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reasonToSmppStatus } from "../../src/adapters/smpp/command-status.js";
import {
  decodeText,
  encodeUcs2,
  MESSAGE_STATE,
  type Pdu,
  parseReceipt,
  STATUS,
} from "../../src/adapters/smpp/pdu/index.js";
import { ADMIN } from "../../src/app/context.js";
import { createSmppAccount } from "../../src/app/smpp/accounts.js";
import { grant, sendingSetup } from "../../src/test-support/app-fixtures.js";
import {
  type Esme,
  eventually,
  type SmppWorld,
  sendAccepted,
  smppWorld,
} from "../../src/test-support/smpp-harness.js";

const PHONE = "13812345601";
/** schedule_delivery_time one hour from now (the manual clock does not move: it stays in the outbox). */
const IN_AN_HOUR = "000000010000000R";

const query = (esme: Esme, messageId: string) =>
  esme.session.request({ command: "query_sm", messageId, sourceTon: 0, sourceNpi: 0, sourceAddr: "" });

const cancel = (esme: Esme, messageId: string) =>
  esme.session.request({
    command: "cancel_sm",
    serviceType: "",
    messageId,
    sourceTon: 0,
    sourceNpi: 0,
    sourceAddr: "",
    destTon: 0,
    destNpi: 0,
    destAddr: "",
  });

function idOf(r: Pdu): string {
  return r.command === "submit_sm_resp" && r.status === 0 ? r.messageId : "";
}

describe("query_sm and cancel_sm over a real bind", () => {
  let w: SmppWorld;
  beforeEach(async () => {
    w = await smppWorld();
    await grant(w.services, PHONE, w.setup.platformId);
  });
  afterEach(async () => {
    await w.close();
  });

  /** A submit_sm held in the outbox (scheduled an hour ahead); its id. */
  async function scheduled(esme: Esme, phone = PHONE): Promise<string> {
    const r = await esme.submit({
      sourceAddr: w.setup.port,
      destAddr: `86${phone}`,
      text: w.setup.text,
      scheduleDeliveryTime: IN_AN_HOUR,
    });
    expect(r.status).toBe(0);
    return idOf(r);
  }

  it("query_sm answers ENROUTE while waiting, DELIVERED with its final date once delivered", async () => {
    const esme = await w.esme();
    const waiting = await scheduled(esme);
    expect(await query(esme, waiting)).toMatchObject({
      command: "query_sm_resp",
      status: 0,
      messageId: waiting,
      finalDate: "",
      messageState: MESSAGE_STATE.ENROUTE,
      errorCode: 0,
    });
    // another recipient: the frequency cap counted the first
    await grant(w.services, "13812345602", w.setup.platformId);
    const sent = idOf(
      await esme.submit({ sourceAddr: w.setup.port, destAddr: "8613812345602", text: w.setup.text }),
    );
    expect(sent).toMatch(/^msg_/);
    await esme.waitFor((p) => p.tlvs.receiptedMessageId === sent);
    const r = await query(esme, sent);
    expect(r).toMatchObject({
      status: 0,
      messageId: sent,
      messageState: MESSAGE_STATE.DELIVERED,
      errorCode: 0,
    });
    const m = await w.services.ctx.store.messages.get(sent);
    const at = new Date(m?.updatedAt ?? 0);
    const yymmddhhmmss = at.toISOString().replace(/[-:T]/g, "").slice(2, 14);
    expect(r.command === "query_sm_resp" ? r.finalDate : "").toBe(
      `${yymmddhhmmss}${Math.floor(at.getUTCMilliseconds() / 100)}00+`,
    );
  });

  it("query_sm finds a refused message by the id of its receipt (REJECTED) and each part id of a long one", async () => {
    const esme = await w.esme();
    const refused = await esme.submit({
      sourceAddr: w.setup.port,
      destAddr: "8613812345609",
      text: w.setup.text,
    });
    expect(refused.status).toBe(reasonToSmppStatus("CONSENT_MISSING"));
    const rejectd = await esme.waitFor(
      (p) => parseReceipt(decodeText(p.dataCoding, p.shortMessage))?.stat === "REJECTD",
    );
    const refusedId = rejectd.tlvs.receiptedMessageId ?? "";
    expect(await query(esme, refusedId)).toMatchObject({ status: 0, messageState: MESSAGE_STATE.REJECTED });

    const bytes = encodeUcs2(`${w.setup.text}${"上新".repeat(60)}`);
    const ids: string[] = [];
    for (const [i, c] of [bytes.subarray(0, 134), bytes.subarray(134)].entries()) {
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: `86${PHONE}`,
        esmClass: 0x40,
        dataCoding: 8,
        scheduleDeliveryTime: IN_AN_HOUR,
        shortMessage: Buffer.concat([Buffer.from([5, 0, 3, 0x2b, 2, i + 1]), c]),
      });
      ids.push(idOf(r));
    }
    const whole = ids[0]?.replace(/-1$/, "") ?? "";
    for (const id of [...ids, whole])
      expect(await query(esme, id)).toMatchObject({
        status: 0,
        messageId: id,
        messageState: MESSAGE_STATE.ENROUTE,
      });
    expect((await query(esme, `${whole}-3`)).status).toBe(STATUS.ESME_RQUERYFAIL);
  });

  it("a part acknowledged before the last has come is ENROUTE to query_sm, and cancel_sm cancels the message", async () => {
    const esme = await w.esme();
    const bytes = encodeUcs2(`${w.setup.text}${"上新".repeat(60)}`);
    const first = await esme.submit({
      sourceAddr: w.setup.port,
      destAddr: `86${PHONE}`,
      esmClass: 0x40,
      dataCoding: 8,
      shortMessage: Buffer.concat([Buffer.from([5, 0, 3, 0x2c, 2, 1]), bytes.subarray(0, 134)]),
    });
    const part1 = idOf(first);
    expect(part1).toMatch(/^msg_.+-1$/);
    expect(await query(esme, part1)).toMatchObject({
      status: 0,
      messageId: part1,
      finalDate: "",
      messageState: MESSAGE_STATE.ENROUTE,
    });
    // a part that has not come is no id anning gave; nor is another account's
    expect((await query(esme, part1.replace(/-1$/, "-2"))).status).toBe(STATUS.ESME_RQUERYFAIL);
    expect((await cancel(esme, part1.replace(/-1$/, "-2"))).status).toBe(STATUS.ESME_RCANCELFAIL);
    expect(await cancel(esme, part1)).toMatchObject({ command: "cancel_sm_resp", status: 0 });
    const m = await w.services.ctx.store.messages.get(part1.replace(/-1$/, ""));
    expect([m?.status, m?.history.at(-1)?.note]).toEqual([
      "cancelled",
      "cancelled by its sender before its last part came",
    ]);
    expect(await query(esme, part1)).toMatchObject({ status: 0, messageState: MESSAGE_STATE.DELETED });
    expect((await cancel(esme, part1)).status).toBe(STATUS.ESME_RCANCELFAIL);
  });

  it("query_sm and cancel_sm never find another enterprise's message, nor an unknown id", async () => {
    const other = await sendingSetup(w.services, 2);
    const created = await createSmppAccount(w.services.ctx, ADMIN, {
      enterpriseId: other.platformId,
      defaultCategory: "marketing.retail",
    });
    await grant(w.services, PHONE, other.platformId);
    const theirs = await w.esme("transceiver", {
      systemId: created.account.systemId,
      password: created.password,
    });
    const r = await theirs.submit({
      sourceAddr: other.port,
      destAddr: `86${PHONE}`,
      text: other.text,
      scheduleDeliveryTime: IN_AN_HOUR,
    });
    const theirId = idOf(r);
    expect(theirId).toMatch(/^msg_/);
    const mine = await w.esme();
    for (const id of [theirId, `${theirId}-1`, "msg_0000000000000", "", "nonsense"]) {
      const q = await query(mine, id);
      expect([id, q.command, q.status]).toEqual([id, "query_sm_resp", STATUS.ESME_RQUERYFAIL]);
      const c = await cancel(mine, id);
      expect([id, c.command, c.status]).toEqual([id, "cancel_sm_resp", STATUS.ESME_RCANCELFAIL]);
    }
    expect((await w.services.ctx.store.messages.get(theirId))?.status).toBe("accepted");
    // its own bind finds and cancels it
    expect(await query(theirs, theirId)).toMatchObject({ status: 0, messageState: MESSAGE_STATE.ENROUTE });
    expect((await cancel(theirs, theirId)).status).toBe(0);
  });

  it("cancel_sm cancels a message still in the outbox: cancelled, a DELETED receipt, then ESME_RCANCELFAIL", async () => {
    const esme = await w.esme();
    const id = await scheduled(esme);
    const c = await cancel(esme, id);
    expect([c.command, c.status]).toEqual(["cancel_sm_resp", 0]);
    const m = await w.services.ctx.store.messages.get(id);
    expect(m?.status).toBe("cancelled");
    expect(m?.history.at(-1)).toMatchObject({ status: "cancelled", note: "cancelled by its sender" });
    const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === id);
    expect(dlr.tlvs.messageState).toBe(MESSAGE_STATE.DELETED);
    expect(parseReceipt(decodeText(dlr.dataCoding, dlr.shortMessage))).toMatchObject({ id, stat: "DELETED" });
    const q = await query(esme, id);
    expect(q).toMatchObject({ status: 0, messageState: MESSAGE_STATE.DELETED });
    expect(q.command === "query_sm_resp" ? q.finalDate : "").toMatch(/^\d{13}00\+$/);
    expect((await cancel(esme, id)).status).toBe(STATUS.ESME_RCANCELFAIL);
    // never handed over, even once the time it was scheduled for has come
    w.clock.advance(2 * 3600_000);
    await new Promise((r) => setTimeout(r, 400));
    expect(w.sim.messages.length).toBe(0);
  });

  it("cancel_sm refuses a message already handed to the carrier, and the filtering form without an id", async () => {
    const esme = await w.esme();
    const sent = await sendAccepted(w, PHONE);
    await eventually(async () => (await w.services.ctx.store.messages.get(sent))?.status === "delivered");
    expect((await cancel(esme, sent)).status).toBe(STATUS.ESME_RCANCELFAIL);
    expect(await query(esme, sent)).toMatchObject({ status: 0, messageState: MESSAGE_STATE.DELIVERED });
    await grant(w.services, "13812345603", w.setup.platformId);
    const waiting = await scheduled(esme, "13812345603");
    const filtering = await esme.session.request({
      command: "cancel_sm",
      serviceType: "",
      messageId: "",
      sourceTon: 0,
      sourceNpi: 0,
      sourceAddr: w.setup.port,
      destTon: 1,
      destNpi: 1,
      destAddr: `86${PHONE}`,
    });
    expect(filtering.status).toBe(STATUS.ESME_RCANCELFAIL);
    expect((await w.services.ctx.store.messages.get(waiting))?.status).toBe("accepted");
  });

  it("a receiver bind may neither query nor cancel (ESME_RINVBNDSTS)", async () => {
    const tx = await w.esme("transmitter");
    const id = await scheduled(tx);
    const rx = await w.esme("receiver");
    expect((await query(rx, id)).status).toBe(STATUS.ESME_RINVBNDSTS);
    expect((await cancel(rx, id)).status).toBe(STATUS.ESME_RINVBNDSTS);
    expect(await query(tx, id)).toMatchObject({ status: 0, messageState: MESSAGE_STATE.ENROUTE });
    expect((await w.services.ctx.store.messages.get(id))?.status).toBe("accepted");
  });
});
