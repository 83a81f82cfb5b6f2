import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMPP_STATUS } from "../../src/adapters/smpp/command-status.js";
import { encodeUcs2, type Pdu } from "../../src/adapters/smpp/pdu/index.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { type Esme, eventually, type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

/**
 * UCS-2 (data_coding 8) text comes in octet pairs: a submit_sm whose text octets (short_message or
 * message_payload, after the UDH; each part of a long message on its own) are odd in number is refused
 * ESME_RINVMSGLEN (0x01) and not recorded, never sent with the odd octet dropped.
 */
describe("SMPP submit_sm: UCS-2 text with an odd number of octets", () => {
  let w: SmppWorld;
  let esme: Esme;
  const refusedTo = "13812350001";
  const udh16 = "13812350002";
  const splitPair = "13812350003";

  beforeAll(async () => {
    w = await smppWorld();
    for (const p of [refusedTo, udh16, splitPair]) await grant(w.services, p, w.setup.platformId);
    esme = await w.esme();
  });
  afterAll(async () => {
    await w?.close();
  });

  const status = (r: Pdu) => ({
    status: r.status,
    messageId: r.command === "submit_sm_resp" ? r.messageId : "?",
  });
  const odd = () => Buffer.concat([encodeUcs2(w.setup.text), Buffer.from([0x4e])]);

  it("refuses it in short_message, message_payload, a UDH part and a SAR part, and records nothing", async () => {
    const base = { sourceAddr: w.setup.port, destAddr: `86${refusedTo}`, dataCoding: 8 };
    const answers = [
      await esme.submit({ ...base, shortMessage: odd() }),
      await esme.submit({ ...base, shortMessage: Buffer.alloc(0), tlvs: { messagePayload: odd() } }),
      await esme.submit({
        ...base,
        esmClass: 0x40,
        shortMessage: Buffer.concat([Buffer.from([5, 0, 3, 9, 2, 1]), odd()]),
      }),
      await esme.submit({
        ...base,
        shortMessage: odd(),
        tlvs: { sarMsgRefNum: 3, sarTotalSegments: 2, sarSegmentSeqnum: 2 },
      }),
    ].map(status);
    const refused = { status: SMPP_STATUS.UCS2_ODD_LENGTH, messageId: "" };
    expect(answers).toEqual([refused, refused, refused, refused]);
    expect(SMPP_STATUS.UCS2_ODD_LENGTH).toBe(0x01);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.sim.messages.filter((m) => m.destination.endsWith(refusedTo))).toEqual([]);
    const listed = await w.services.ctx.store.messages.listBySenders([w.setup.platformId], "", 100);
    expect(listed.filter((m) => m.phone.endsWith(refusedTo))).toEqual([]);
  });

  it("counts the text's octets, not the UDH's: a 7-octet UDH before an even text is accepted", async () => {
    const udh = Buffer.from([6, 0x08, 4, 0x12, 0x34, 1, 1]);
    const r = await esme.submit({
      sourceAddr: w.setup.port,
      destAddr: `86${udh16}`,
      esmClass: 0x40,
      dataCoding: 8,
      shortMessage: Buffer.concat([udh, encodeUcs2(w.setup.text)]),
    });
    expect(r.status).toBe(0);
    await eventually(() =>
      w.sim.assembled.find((a) => a.destination.endsWith(udh16) && a.text === w.setup.text),
    );
  });

  it("accepts a surrogate pair split between two parts of even length, and sends the character whole", async () => {
    const text = `${w.setup.text}😀`;
    const bytes = encodeUcs2(text);
    const parts = [bytes.subarray(0, bytes.length - 2), bytes.subarray(bytes.length - 2)];
    for (const [i, part] of parts.entries()) {
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: `86${splitPair}`,
        esmClass: 0x40,
        dataCoding: 8,
        shortMessage: Buffer.concat([Buffer.from([5, 0, 3, 0x77, 2, i + 1]), part]),
      });
      expect(r.status).toBe(0);
    }
    await eventually(() => w.sim.assembled.find((a) => a.destination.endsWith(splitPair) && a.text === text));
  });
});
