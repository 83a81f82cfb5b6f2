import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeError, frame } from "../../../test-support/pdu-frames.js";
import { decodePdu, encodePdu } from "./codec.js";
import {
  type CancelSmPdu,
  CMD,
  type MultiDest,
  type Pdu,
  PduError,
  type QuerySmPdu,
  type QuerySmRespPdu,
  STATUS,
  type SubmitMultiPdu,
  type SubmitMultiRespPdu,
} from "./pdu.js";

const cstr = (s: string) => [...Buffer.from(s, "latin1"), 0];

function multi(over: Partial<SubmitMultiPdu> = {}): SubmitMultiPdu {
  return {
    command: "submit_multi",
    sequence: 3,
    status: 0,
    serviceType: "NTF",
    sourceTon: 0,
    sourceNpi: 0,
    sourceAddr: "1069012345",
    dests: [
      { kind: "sme", ton: 1, npi: 1, addr: "8613800138000" },
      { kind: "list", name: "friends" },
    ],
    esmClass: 0,
    protocolId: 0,
    priority: 1,
    scheduleDeliveryTime: "",
    validityPeriod: "000001000000000R",
    registeredDelivery: 1,
    replaceIfPresent: 0,
    dataCoding: 8,
    smDefaultMsgId: 0,
    shortMessage: Buffer.from("hi"),
    tlvs: { userMessageReference: 7 },
    ...over,
  };
}

describe("query_sm, cancel_sm, submit_multi: wire layout", () => {
  it("lays out query_sm and query_sm_resp as SMPP 3.4 §4.8 says", () => {
    const q: QuerySmPdu = {
      command: "query_sm",
      sequence: 5,
      status: 0,
      messageId: "msg_1",
      sourceTon: 1,
      sourceNpi: 1,
      sourceAddr: "106",
    };
    expect(encodePdu(q)).toEqual(frame(CMD.query_sm, [...cstr("msg_1"), 1, 1, ...cstr("106")], 5));
    const r: QuerySmRespPdu = {
      command: "query_sm_resp",
      sequence: 5,
      status: 0,
      messageId: "msg_1",
      finalDate: "250102030405000+",
      messageState: 2,
      errorCode: 0,
    };
    expect(encodePdu(r)).toEqual(
      frame(CMD.query_sm_resp, [...cstr("msg_1"), ...cstr("250102030405000+"), 2, 0], 5),
    );
  });

  it("sends a refused query_sm_resp as a bare header and decodes it with empty fields", () => {
    const bare = encodePdu({
      command: "query_sm_resp",
      sequence: 8,
      status: STATUS.ESME_RQUERYFAIL,
      messageId: "x",
      finalDate: "",
      messageState: 7,
      errorCode: 0,
    });
    expect(bare).toEqual(frame(CMD.query_sm_resp, [], 8, 0x67));
    expect(decodePdu(bare)).toEqual({
      command: "query_sm_resp",
      sequence: 8,
      status: 0x67,
      messageId: "",
      finalDate: "",
      messageState: 0,
      errorCode: 0,
    });
  });

  it("lays out cancel_sm (§4.9.1) and decodes cancel_sm_resp without a body", () => {
    const c: CancelSmPdu = {
      command: "cancel_sm",
      sequence: 4,
      status: 0,
      serviceType: "",
      messageId: "msg_1-2",
      sourceTon: 0,
      sourceNpi: 0,
      sourceAddr: "106",
      destTon: 1,
      destNpi: 1,
      destAddr: "86138",
    };
    expect(encodePdu(c)).toEqual(
      frame(CMD.cancel_sm, [0, ...cstr("msg_1-2"), 0, 0, ...cstr("106"), 1, 1, ...cstr("86138")], 4),
    );
    expect(decodePdu(frame(CMD.cancel_sm_resp, [], 4, 0x11))).toEqual({
      command: "cancel_sm_resp",
      sequence: 4,
      status: 0x11,
    });
  });

  it("lays out submit_multi (§4.5.1) with SME and distribution list destinations", () => {
    const pdu = multi({ tlvs: {} });
    const tail = [0, 0, 1, 0, ...cstr("000001000000000R"), 1, 0, 8, 0, 2, ...Buffer.from("hi")];
    const body = [
      ...cstr("NTF"),
      0,
      0,
      ...cstr("1069012345"),
      2,
      1,
      1,
      1,
      ...cstr("8613800138000"),
      2,
      ...cstr("friends"),
      ...tail,
    ];
    expect(encodePdu(pdu)).toEqual(frame(CMD.submit_multi, body, 3));
  });

  it("lays out submit_multi_resp (§4.5.2) with each unsuccess_sme's status", () => {
    const r: SubmitMultiRespPdu = {
      command: "submit_multi_resp",
      sequence: 3,
      status: 0,
      messageId: "msg_1",
      unsuccess: [{ ton: 1, npi: 1, addr: "86138", status: 0x40e }],
    };
    expect(encodePdu(r)).toEqual(
      frame(CMD.submit_multi_resp, [...cstr("msg_1"), 1, 1, 1, ...cstr("86138"), 0, 0, 4, 0x0e], 3),
    );
    expect(decodePdu(frame(CMD.submit_multi_resp, [], 3, 0x33))).toMatchObject({
      messageId: "",
      unsuccess: [],
    });
  });

  it("refuses to encode a submit_multi without destinations or with more than 254", () => {
    expect(() => encodePdu(multi({ dests: [] }))).toThrow(/1–254/);
    const many: MultiDest[] = Array.from({ length: 255 }, () => ({ kind: "list", name: "x" }));
    expect(() => encodePdu(multi({ dests: many }))).toThrow(/1–254/);
  });
});

describe("query_sm, cancel_sm, submit_multi: malformed", () => {
  const head = [...cstr(""), 0, 0, ...cstr("106")];

  it("refuses number_of_dests 0 or 255 with ESME_RINVNUMDESTS", () => {
    for (const n of [0, 255]) {
      const e = decodeError(frame(CMD.submit_multi, [...head, n], 21));
      expect(e).toMatchObject({ status: STATUS.ESME_RINVNUMDESTS, sequence: 21, fatal: false });
    }
  });

  it("refuses a dest_flag other than 1 or 2 with ESME_RINVDESTFLAG", () => {
    const e = decodeError(frame(CMD.submit_multi, [...head, 1, 3, 1, 1, ...cstr("86")], 22));
    expect(e).toMatchObject({ status: STATUS.ESME_RINVDESTFLAG, commandId: CMD.submit_multi });
  });

  it("refuses destinations running past the end, and truncated query_sm and cancel_sm", () => {
    expect(decodeError(frame(CMD.submit_multi, [...head, 3, 1, 1, 1, ...cstr("86")])).status).toBe(
      STATUS.ESME_RINVCMDLEN,
    );
    expect(decodeError(frame(CMD.query_sm, cstr("msg_1"))).status).toBe(STATUS.ESME_RINVCMDLEN);
    expect(decodeError(frame(CMD.query_sm, Buffer.from("msg_1"))).status).toBe(STATUS.ESME_RINVCMDLEN);
    expect(decodeError(frame(CMD.cancel_sm, [...cstr(""), ...cstr("msg_1"), 0, 0])).status).toBe(
      STATUS.ESME_RINVCMDLEN,
    );
    // a message_id over 64 octets
    expect(decodeError(frame(CMD.query_sm, [...cstr("m".repeat(65)), 0, 0, 0])).status).toBe(
      STATUS.ESME_RINVCMDLEN,
    );
  });
});

const latin1 = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)), maxLength });
const u8 = fc.integer({ min: 0, max: 255 });
const seq = fc.integer({ min: 1, max: 0x7fffffff });
const dest: fc.Arbitrary<MultiDest> = fc.oneof(
  fc.record({ kind: fc.constant("sme" as const), ton: u8, npi: u8, addr: latin1(20) }),
  fc.record({ kind: fc.constant("list" as const), name: latin1(20) }),
);

const arbs: fc.Arbitrary<Pdu>[] = [
  fc.record({
    command: fc.constant("query_sm" as const),
    sequence: seq,
    status: fc.constant(0),
    messageId: latin1(64),
    sourceTon: u8,
    sourceNpi: u8,
    sourceAddr: latin1(20),
  }),
  fc.record({
    command: fc.constant("query_sm_resp" as const),
    sequence: seq,
    status: fc.constant(0),
    messageId: latin1(64),
    finalDate: latin1(16),
    messageState: u8,
    errorCode: u8,
  }),
  fc.record({
    command: fc.constant("cancel_sm" as const),
    sequence: seq,
    status: fc.constant(0),
    serviceType: latin1(5),
    messageId: latin1(64),
    sourceTon: u8,
    sourceNpi: u8,
    sourceAddr: latin1(20),
    destTon: u8,
    destNpi: u8,
    destAddr: latin1(20),
  }),
  fc.record({
    command: fc.constant("submit_multi_resp" as const),
    sequence: seq,
    status: fc.nat({ max: 0xffffffff }),
    messageId: latin1(64),
    unsuccess: fc.array(
      fc.record({ ton: u8, npi: u8, addr: latin1(20), status: fc.nat({ max: 0xffffffff }) }),
      { maxLength: 20 },
    ),
  }),
  fc
    .record({
      sequence: seq,
      dests: fc.array(dest, { minLength: 1, maxLength: 254 }),
      text: fc.uint8Array({ maxLength: 254 }),
      rd: u8,
    })
    .map(({ sequence, dests, text, rd }) =>
      multi({ sequence, dests, shortMessage: Buffer.from(text), registeredDelivery: rd }),
    ),
];

describe("query_sm, cancel_sm, submit_multi: properties", () => {
  it("decodePdu(encodePdu(x)) equals x", () => {
    fc.assert(
      fc.property(fc.oneof(...arbs), (pdu) => {
        expect(decodePdu(encodePdu(pdu))).toEqual(pdu);
      }),
      { numRuns: 1000 },
    );
  });

  it("throws only a non-fatal PduError on every truncation and on random bodies", () => {
    const onlyPduError = (buf: Buffer) => {
      try {
        decodePdu(buf);
      } catch (e) {
        if (!(e instanceof PduError)) throw e;
        expect(e.fatal).toBe(false);
      }
    };
    fc.assert(
      fc.property(fc.oneof(...arbs), (pdu) => {
        const full = encodePdu(pdu);
        for (let n = 16; n < full.length; n += 1 + (n >> 5)) {
          const cut = Buffer.from(full.subarray(0, n));
          cut.writeUInt32BE(n, 0);
          onlyPduError(cut);
        }
      }),
      { numRuns: 300 },
    );
    const ids = [CMD.query_sm, CMD.query_sm_resp, CMD.cancel_sm, CMD.submit_multi, CMD.submit_multi_resp];
    fc.assert(
      fc.property(fc.constantFrom(...ids), fc.uint8Array({ maxLength: 400 }), (id, body) =>
        onlyPduError(frame(id, Buffer.from(body))),
      ),
      { numRuns: 3000 },
    );
  });
});
