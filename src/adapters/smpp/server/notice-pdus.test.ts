import { describe, expect, it } from "vitest";
import type { MoPayload, ReceiptPayload } from "../../../app/delivery/sender-notices.js";
import type { SenderNotice } from "../../../domain/delivery/delivery-store.port.js";
import { decodeText, encodeUcs2, parseReceipt, type SmBody } from "../pdu/index.js";
import { noticeToPdus } from "./notice-pdus.js";

const submittedAt = Date.UTC(2024, 10, 11, 2, 0);
const doneAt = Date.UTC(2024, 10, 11, 2, 1);

function receiptNotice(p: Partial<ReceiptPayload> = {}): SenderNotice {
  const payload: ReceiptPayload = {
    messageId: "msg_0mxb5k2p00000abcdefg",
    status: "delivered",
    stat: "DELIVRD",
    err: "000",
    phone: "+8613812345678",
    port: "1069000001",
    parts: 1,
    submittedAt,
    doneAt,
    text: "【好物商城】Sale_50% {today} é",
    ...p,
  };
  return {
    id: "ntc_1",
    enterpriseId: "ent_1",
    kind: "receipt",
    messageId: payload.messageId,
    payload: payload as unknown as Record<string, unknown>,
    createdAt: doneAt,
    smppDeliveredAt: null,
  };
}

function sm(pdu: unknown): SmBody {
  return pdu as SmBody;
}

describe("noticeToPdus: receipts", () => {
  it("sends the receipt text as data_coding 1 (IA5/ASCII), one byte per character", () => {
    const [pdu] = noticeToPdus(receiptNotice()).map(sm);
    const expected =
      "id:msg_0mxb5k2p00000abcdefg sub:001 dlvrd:001 submit date:2411111000 done date:2411111001 " +
      "stat:DELIVRD err:000 text:Sale_50% {today} ";
    expect(pdu?.esmClass).toBe(0x04);
    expect(pdu?.dataCoding).toBe(1);
    expect(pdu?.shortMessage).toEqual(Buffer.from(expected, "ascii"));
    // "_" is 0x5F (GSM 03.38 would make it 0x11), "{" is one byte (GSM: 0x1B 0x28)
    expect(pdu?.shortMessage.includes(0x11)).toBe(false);
    expect([...(pdu?.shortMessage ?? [])].every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
    // the same characters whichever way a client reads the bytes (ASCII, Latin-1, UTF-8)
    for (const enc of ["ascii", "latin1", "utf8"] as const)
      expect(pdu?.shortMessage.toString(enc)).toBe(expected);
    expect(pdu?.tlvs).toEqual({ receiptedMessageId: "msg_0mxb5k2p00000abcdefg", messageState: 2 });
  });

  it("is read back by anning's own receipt parser (a carrier's receipt in data_coding 1)", () => {
    const [pdu] = noticeToPdus(receiptNotice({ stat: "UNDELIV", status: "failed", err: "1" })).map(sm);
    expect(parseReceipt(decodeText(pdu?.dataCoding ?? -1, pdu?.shortMessage ?? Buffer.alloc(0)))).toEqual({
      id: "msg_0mxb5k2p00000abcdefg",
      sub: "001",
      dlvrd: "000",
      submitDate: "2411111000",
      doneDate: "2411111001",
      stat: "UNDELIV",
      err: "001",
      text: "Sale_50% {today} ",
    });
  });

  it("writes the dates on the clock of the time zone it is given (02:00 UTC: 10:00 in Shanghai)", () => {
    const dates = (pdu: unknown) => {
      const r = parseReceipt(sm(pdu).shortMessage.toString("ascii"));
      return [r?.submitDate, r?.doneDate];
    };
    expect(dates(noticeToPdus(receiptNotice())[0])).toEqual(["2411111000", "2411111001"]);
    expect(dates(noticeToPdus(receiptNotice(), () => true, "UTC")[0])).toEqual(["2411110200", "2411110201"]);
    expect(dates(noticeToPdus(receiptNotice(), () => true, "Europe/London")[0])).toEqual([
      "2411110200",
      "2411110201",
    ]);
  });

  it("gives each part id of a long message its own ASCII receipt; a carrier's odd err stays ASCII", () => {
    const pdus = noticeToPdus(receiptNotice({ parts: 3, onlyParts: [1, 3], err: "é_1" })).map(sm);
    expect(pdus.map((p) => [p.dataCoding, p.tlvs.receiptedMessageId])).toEqual([
      [1, "msg_0mxb5k2p00000abcdefg-1"],
      [1, "msg_0mxb5k2p00000abcdefg-3"],
    ]);
    for (const p of pdus) {
      expect([...p.shortMessage].every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
      expect(parseReceipt(p.shortMessage.toString("ascii"))?.id).toBe(p.tlvs.receiptedMessageId);
      expect(parseReceipt(p.shortMessage.toString("ascii"))?.err).toBe("?_1");
    }
  });
});

describe("noticeToPdus: replies", () => {
  it("keeps a reply's text in GSM 03.38 or UCS-2, as before", () => {
    const mo = (text: string): SenderNotice => ({
      id: "ntc_2",
      enterpriseId: "ent_1",
      kind: "mo",
      messageId: null,
      payload: { from: "+8613812345678", to: "1069000001", text, action: "", at: doneAt } satisfies MoPayload,
      createdAt: doneAt,
      smppDeliveredAt: null,
    });
    const [td] = noticeToPdus(mo("TD_")).map(sm);
    expect([td?.esmClass, td?.dataCoding, td?.shortMessage]).toEqual([0, 0, Buffer.from([0x54, 0x44, 0x11])]);
    const [cn] = noticeToPdus(mo("退订")).map(sm);
    expect([cn?.dataCoding, cn?.shortMessage]).toEqual([8, encodeUcs2("退订")]);
  });
});
