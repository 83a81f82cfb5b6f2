import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMPP_STATUS } from "../../src/adapters/smpp/command-status.js";
import { encodeUcs2, type Pdu } from "../../src/adapters/smpp/pdu/index.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { type Esme, eventually, type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

/**
 * Concatenation a sender declares (UDH under esm_class 0x40, or SAR TLVs) that names no part of a
 * message (part 0, part n of fewer than n, a total of 0) is refused CONCAT_INVALID (0x04E1) and not
 * recorded, never read as a whole message and sent on its own; a 1-of-1 element and a UDH without a
 * concatenation element are whole messages.
 */
describe("SMPP submit_sm: concatenation that names no part of a message", () => {
  let w: SmppWorld;
  let esme: Esme;
  // one marketing message per sender per recipient per day (the default cap): one number per accepted one
  const refusedTo = "13812340001";
  const refusedSar = "13812340005";
  const oneOfOne8 = "13812340002";
  const oneOfOne16 = "13812340003";
  const noConcat = "13812340004";

  beforeAll(async () => {
    w = await smppWorld();
    for (const p of [refusedTo, refusedSar, oneOfOne8, oneOfOne16, noConcat])
      await grant(w.services, p, w.setup.platformId);
    esme = await w.esme();
  });
  afterAll(async () => {
    await w?.close();
  });

  /** Submits the world's (allowed) text in UCS-2 behind `udh`, with UDHI set. */
  function submitWithUdh(phone: string, udh: number[]): Promise<Pdu> {
    return esme.submit({
      sourceAddr: w.setup.port,
      destAddr: `86${phone}`,
      esmClass: 0x40,
      dataCoding: 8,
      shortMessage: Buffer.concat([Buffer.from(udh), encodeUcs2(w.setup.text)]),
    });
  }

  function answer(r: Pdu): { status: number; messageId: string } {
    return { status: r.status, messageId: r.command === "submit_sm_resp" ? r.messageId : "?" };
  }

  it("refuses 8-bit and 16-bit reference elements with sequence 0, sequence past total, or total 0", async () => {
    const bad: Array<[string, number[]]> = [
      ["8-bit, part 4 of 3", [5, 0x00, 3, 0x2a, 3, 4]],
      ["8-bit, part 0 of 3", [5, 0x00, 3, 0x2a, 3, 0]],
      ["8-bit, part 1 of 0", [5, 0x00, 3, 0x2a, 0, 1]],
      ["8-bit, part 0 of 0", [5, 0x00, 3, 0x2a, 0, 0]],
      ["8-bit, part 2 of 1", [5, 0x00, 3, 0x2a, 1, 2]],
      ["16-bit, part 4 of 3", [6, 0x08, 4, 0x12, 0x34, 3, 4]],
      ["16-bit, part 0 of 3", [6, 0x08, 4, 0x12, 0x34, 3, 0]],
      ["16-bit, part 1 of 0", [6, 0x08, 4, 0x12, 0x34, 0, 1]],
      ["8-bit element of the wrong length", [4, 0x00, 2, 0x2a, 3]],
      ["a valid element beside an invalid one", [11, 0x00, 3, 0x2a, 3, 4, 0x08, 4, 0x12, 0x34, 3, 1]],
    ];
    for (const [what, udh] of bad)
      expect([what, answer(await submitWithUdh(refusedTo, udh))]).toEqual([
        what,
        { status: SMPP_STATUS.CONCAT_INVALID, messageId: "" },
      ]);
    expect(SMPP_STATUS.CONCAT_INVALID).toBe(0x04e1);
    // an smpp: refusal: nothing recorded, nothing reaches the carrier
    await new Promise((r) => setTimeout(r, 400));
    expect(w.sim.messages.filter((m) => m.destination.endsWith(refusedTo))).toEqual([]);
    const listed = await w.services.ctx.store.messages.listBySenders([w.setup.platformId], "", 100);
    expect(listed.filter((m) => m.phone.endsWith(refusedTo))).toEqual([]);
  });

  it("refuses SAR TLVs with the same inconsistencies (total 0, part 0, part past total)", async () => {
    for (const [total, seq] of [
      [0, 1],
      [0, 0],
      [3, 0],
      [3, 4],
      [1, 2],
    ] as const) {
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: `86${refusedSar}`,
        dataCoding: 8,
        shortMessage: encodeUcs2(w.setup.text),
        tlvs: { sarMsgRefNum: 9, sarTotalSegments: total, sarSegmentSeqnum: seq },
      });
      expect([total, seq, answer(r)]).toEqual([
        total,
        seq,
        { status: SMPP_STATUS.CONCAT_INVALID, messageId: "" },
      ]);
    }
    await new Promise((r) => setTimeout(r, 400));
    expect(w.sim.messages.filter((m) => m.destination.endsWith(refusedSar))).toEqual([]);
    const listed = await w.services.ctx.store.messages.listBySenders([w.setup.platformId], "", 100);
    expect(listed.filter((m) => m.phone.endsWith(refusedSar))).toEqual([]);
  });

  it("a 1-of-1 element (8- or 16-bit reference) is a whole message, its UDH left out of the text", async () => {
    for (const [phone, udh] of [
      [oneOfOne8, [5, 0x00, 3, 0x2a, 1, 1]],
      [oneOfOne16, [6, 0x08, 4, 0x12, 0x34, 1, 1]],
    ] as const) {
      const r = answer(await submitWithUdh(phone, [...udh]));
      expect(r.status).toBe(0);
      // a whole message's id, not a part's
      expect(r.messageId).toMatch(/^msg_[^-]+$/);
      const got = await eventually(() => w.sim.messages.find((m) => m.destination.endsWith(phone)));
      expect(got.text).toBe(w.setup.text);
      expect((await w.services.ctx.store.messages.get(r.messageId))?.parts).toBe(1);
    }
  });

  it("a UDH with other elements and no concatenation element is one whole message", async () => {
    // text formatting (EMS, IEI 0x0A) then national language single shift (IEI 0x24)
    const r = answer(await submitWithUdh(noConcat, [8, 0x0a, 3, 0, 4, 0x10, 0x24, 1, 0x01]));
    expect(r.status).toBe(0);
    expect(r.messageId).toMatch(/^msg_[^-]+$/);
    const got = await eventually(() => w.sim.messages.find((m) => m.destination.endsWith(noConcat)));
    expect(got.text).toBe(w.setup.text);
    expect(got.parts).toBeNull();
  });
});
