import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeError, frame } from "../../../test-support/pdu-frames.js";
import { decodePdu, encodePdu, readHeader } from "./codec.js";
import { CMD, type Pdu, PduError, type SmPdu, STATUS, TLV_TAG } from "./pdu.js";

function sm(over: Partial<SmPdu> = {}): SmPdu {
  return {
    command: "submit_sm",
    sequence: 7,
    status: 0,
    serviceType: "",
    sourceTon: 5,
    sourceNpi: 0,
    sourceAddr: "1069012345",
    destTon: 1,
    destNpi: 1,
    destAddr: "8613800138000",
    esmClass: 0,
    protocolId: 0,
    priority: 0,
    scheduleDeliveryTime: "",
    validityPeriod: "",
    registeredDelivery: 1,
    replaceIfPresent: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    shortMessage: Buffer.from("hello"),
    tlvs: {},
    ...over,
  };
}

const allTlvs = {
  sarMsgRefNum: 0xbeef,
  sarTotalSegments: 3,
  sarSegmentSeqnum: 2,
  messagePayload: Buffer.from("a long payload".repeat(40)),
  receiptedMessageId: "msg_0123456789",
  messageState: 2,
  userMessageReference: 0x1234,
  moreMessagesToSend: 1,
  scInterfaceVersion: 0x34,
  other: [
    { tag: 0x1401, value: Buffer.from([1, 2, 3]) },
    { tag: 0x0005, value: Buffer.alloc(0) },
  ],
};

describe("encodePdu / decodePdu round trips", () => {
  const cases: Pdu[] = [
    ...(["bind_transmitter", "bind_receiver", "bind_transceiver"] as const).map(
      (command): Pdu => ({
        command,
        sequence: 1,
        status: 0,
        systemId: "esme_account_01",
        password: "secret12",
        systemType: "VMA",
        interfaceVersion: 0x34,
        addrTon: 1,
        addrNpi: 1,
        addressRange: "^86.*",
      }),
    ),
    ...(["bind_transmitter_resp", "bind_receiver_resp", "bind_transceiver_resp"] as const).map(
      (command): Pdu => ({
        command,
        sequence: 1,
        status: 0,
        systemId: "anning",
        tlvs: { scInterfaceVersion: 0x34 },
      }),
    ),
    { command: "bind_transceiver_resp", sequence: 2, status: STATUS.ESME_RBINDFAIL, systemId: "", tlvs: {} },
    sm(),
    sm({ command: "deliver_sm", esmClass: 0x04, tlvs: allTlvs, shortMessage: Buffer.alloc(0) }),
    sm({ shortMessage: Buffer.alloc(254, 0xab), serviceType: "CMT", validityPeriod: "000001000000000R" }),
    { command: "submit_sm_resp", sequence: 0x7fffffff, status: 0, messageId: "x".repeat(64) },
    { command: "submit_sm_resp", sequence: 3, status: STATUS.ESME_RTHROTTLED, messageId: "" },
    { command: "deliver_sm_resp", sequence: 4, status: 0, messageId: "" },
    { command: "deliver_sm_resp", sequence: 4, status: STATUS.ESME_RX_T_APPN, messageId: "" },
    { command: "generic_nack", sequence: 5, status: STATUS.ESME_RINVCMDID },
    { command: "enquire_link", sequence: 6, status: 0 },
    { command: "enquire_link_resp", sequence: 6, status: 0 },
    { command: "unbind", sequence: 0xffffffff, status: 0 },
    { command: "unbind_resp", sequence: 8, status: 0 },
  ];
  it.each(cases.map((pdu) => [pdu.command, pdu] as const))("%s", (_name, pdu) => {
    const bytes = encodePdu(pdu);
    expect(bytes.readUInt32BE(0)).toBe(bytes.length);
    expect(readHeader(bytes)).toEqual({
      length: bytes.length,
      commandId: CMD[pdu.command],
      status: pdu.status,
      sequence: pdu.sequence,
    });
    expect(decodePdu(bytes)).toEqual(pdu);
  });

  it("lays out submit_sm as SMPP 3.4 §4.4.1 says", () => {
    const bytes = encodePdu(
      sm({ sourceTon: 1, sourceNpi: 1, sourceAddr: "12", destAddr: "34", shortMessage: Buffer.from("hi") }),
    );
    const body = [0, 1, 1, 0x31, 0x32, 0, 1, 1, 0x33, 0x34, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0x68, 0x69];
    expect(bytes).toEqual(frame(CMD.submit_sm, body, 7));
  });

  it("writes named TLVs in TLV_TAG order, then the others", () => {
    const bytes = encodePdu(
      sm({ tlvs: { other: [{ tag: 0x1500, value: Buffer.from([9]) }], messageState: 5 } }),
    );
    const tlvs = bytes.subarray(bytes.length - 10);
    expect([...tlvs]).toEqual([0x04, 0x27, 0, 1, 5, 0x15, 0x00, 0, 1, 9]);
    expect(TLV_TAG.messageState).toBe(0x0427);
  });

  it("sends a refused submit_sm_resp as a bare header and decodes it with an empty message_id", () => {
    const bytes = encodePdu({ command: "submit_sm_resp", sequence: 3, status: 0x45, messageId: "ignored" });
    expect(bytes.length).toBe(16);
    expect(decodePdu(bytes)).toEqual({ command: "submit_sm_resp", sequence: 3, status: 0x45, messageId: "" });
  });

  it("refuses to encode fields that do not fit", () => {
    expect(() => encodePdu(sm({ shortMessage: Buffer.alloc(255) }))).toThrow(/254/);
    expect(() => encodePdu(sm({ destAddr: "1".repeat(21) }))).toThrow(/destination_addr/);
    expect(() => encodePdu(sm({ sourceAddr: "a\u0000b" }))).toThrow(Error);
    expect(() => encodePdu(sm({ sourceAddr: "发送方" }))).toThrow(Error);
    expect(() => encodePdu(sm({ tlvs: { messagePayload: Buffer.alloc(0x10000) } }))).toThrow(/65535/);
    expect(() => encodePdu(sm({ shortMessage: Buffer.alloc(255) }))).not.toThrow(PduError);
  });
});

describe("decodePdu errors", () => {
  const good = encodePdu(sm({ tlvs: { sarMsgRefNum: 1 } }));

  it("refuses command ids it does not model with ESME_RINVCMDID", () => {
    for (const id of [CMD.data_sm, CMD.replace_sm, CMD.outbind, CMD.alert_notification, 0x1234]) {
      const e = decodeError(frame(id, [], 77));
      expect(e).toMatchObject({ status: STATUS.ESME_RINVCMDID, commandId: id, sequence: 77, fatal: false });
    }
  });

  it("refuses a truncated body with ESME_RINVCMDLEN", () => {
    const e = decodeError(frame(CMD.submit_sm, [0, 1, 1, 0x31], 12));
    expect(e).toMatchObject({
      status: STATUS.ESME_RINVCMDLEN,
      commandId: CMD.submit_sm,
      sequence: 12,
      fatal: false,
    });
  });

  it("refuses a C-octet string longer than its maximum", () => {
    const body = [...Buffer.from("x".repeat(16)), 0, 0, 0, 0x34, 0, 0, 0];
    expect(decodeError(frame(CMD.bind_transmitter, body)).status).toBe(STATUS.ESME_RINVCMDLEN);
    const id = [...Buffer.from("m".repeat(65)), 0];
    expect(decodeError(frame(CMD.submit_sm_resp, id)).status).toBe(STATUS.ESME_RINVCMDLEN);
  });

  it("refuses an sm_length running past the end with ESME_RINVMSGLEN", () => {
    const bytes = Buffer.from(encodePdu(sm({ shortMessage: Buffer.from("abc") })));
    bytes[bytes.length - 4] = 4;
    expect(decodeError(bytes).status).toBe(STATUS.ESME_RINVMSGLEN);
  });

  it("refuses malformed TLVs", () => {
    const body = [...encodePdu(sm()).subarray(16)];
    const withTlv = (...t: number[]) => frame(CMD.submit_sm, [...body, ...t]);
    expect(decodeError(withTlv(0x02, 0x0c, 0, 9, 0, 1)).status).toBe(STATUS.ESME_RINVTLVSTREAM);
    expect(decodeError(withTlv(0x02, 0x0c, 0)).status).toBe(STATUS.ESME_RINVTLVSTREAM);
    expect(decodeError(withTlv(0x02, 0x0c, 0, 1, 5)).status).toBe(STATUS.ESME_RINVTLVLEN);
    expect((decodePdu(withTlv(0x02, 0x0c, 0, 2, 0, 5)) as SmPdu).tlvs).toEqual({ sarMsgRefNum: 5 });
  });

  it("refuses a frame whose command_length is not its size", () => {
    expect(decodeError(good.subarray(0, 10)).status).toBe(STATUS.ESME_RINVCMDLEN);
    expect(decodeError(good.subarray(0, good.length - 1)).status).toBe(STATUS.ESME_RINVCMDLEN);
  });

  it("decodes responses without a body, and a receipted_message_id without its NUL", () => {
    expect(decodePdu(frame(CMD.deliver_sm_resp, [], 3))).toMatchObject({ messageId: "" });
    expect(decodePdu(frame(CMD.bind_receiver_resp, [], 3, 0x0d))).toEqual({
      command: "bind_receiver_resp",
      sequence: 3,
      status: 0x0d,
      systemId: "",
      tlvs: {},
    });
    const base = encodePdu(sm({ command: "deliver_sm" }));
    const noNul = frame(CMD.deliver_sm, [...base.subarray(16), 0x00, 0x1e, 0, 3, 0x61, 0x62, 0x63]);
    expect((decodePdu(noNul) as SmPdu).tlvs).toEqual({ receiptedMessageId: "abc" });
  });

  it("reads a header and refuses one under 16 bytes", () => {
    expect(readHeader(Buffer.concat([Buffer.alloc(3), good]), 3).commandId).toBe(CMD.submit_sm);
    expect(() => readHeader(Buffer.alloc(15))).toThrow(PduError);
  });

  it("copies what it keeps out of the frame", () => {
    const bytes = Buffer.from(encodePdu(sm({ shortMessage: Buffer.from("abc") })));
    const d = decodePdu(bytes) as SmPdu;
    bytes.fill(0);
    expect(d.shortMessage.toString()).toBe("abc");
  });
});

const latin1 = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)), maxLength });
const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.nat({ max: 0xffffffff });
const named = new Set<number>(Object.values(TLV_TAG));

const smArb: fc.Arbitrary<SmPdu> = fc.record({
  command: fc.constantFrom("submit_sm" as const, "deliver_sm" as const),
  sequence: u32,
  status: u32,
  serviceType: latin1(5),
  sourceTon: u8,
  sourceNpi: u8,
  sourceAddr: latin1(20),
  destTon: u8,
  destNpi: u8,
  destAddr: latin1(20),
  esmClass: u8,
  protocolId: u8,
  priority: u8,
  scheduleDeliveryTime: latin1(16),
  validityPeriod: latin1(16),
  registeredDelivery: u8,
  replaceIfPresent: u8,
  dataCoding: u8,
  smDefaultMsgId: u8,
  shortMessage: bytes(254),
  tlvs: fc.record(
    {
      sarMsgRefNum: u16,
      sarTotalSegments: u8,
      sarSegmentSeqnum: u8,
      messagePayload: bytes(600),
      receiptedMessageId: latin1(64),
      messageState: u8,
      userMessageReference: u16,
      moreMessagesToSend: u8,
      other: fc.array(fc.record({ tag: u16.filter((t) => !named.has(t)), value: bytes(40) }), {
        minLength: 1,
        maxLength: 4,
      }),
    },
    { requiredKeys: [] },
  ),
});

describe("codec properties", () => {
  it("decodePdu(encodePdu(x)) equals x for submit_sm and deliver_sm", () => {
    fc.assert(
      fc.property(smArb, (pdu) => {
        expect(decodePdu(encodePdu(pdu))).toEqual(pdu);
      }),
      { numRuns: 500 },
    );
  });

  const onlyPduError = (buf: Buffer) => {
    try {
      decodePdu(buf);
    } catch (e) {
      if (!(e instanceof PduError)) throw e;
      expect(e.fatal).toBe(false);
    }
  };

  it("throws only PduError on random bytes", () => {
    fc.assert(
      fc.property(bytes(300), (b) => onlyPduError(b)),
      { numRuns: 2000 },
    );
  });

  it("throws only PduError on random bodies behind a valid header", () => {
    const ids = Object.values(CMD);
    fc.assert(
      fc.property(fc.constantFrom(...ids), u32, bytes(300), (id, seq, body) =>
        onlyPduError(frame(id, body, seq)),
      ),
      { numRuns: 3000 },
    );
  });

  it("throws only PduError on every truncation of a valid PDU", () => {
    fc.assert(
      fc.property(smArb, (pdu) => {
        const full = encodePdu(pdu);
        for (let n = 16; n < full.length; n += 1 + (n >> 5)) {
          const cut = Buffer.from(full.subarray(0, n));
          cut.writeUInt32BE(n, 0);
          onlyPduError(cut);
        }
      }),
      { numRuns: 200 },
    );
  });
});
