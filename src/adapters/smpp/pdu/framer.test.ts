import { describe, expect, it } from "vitest";
import { encodePdu } from "./codec.js";
import { PduFramer } from "./framer.js";
import { type Pdu, PduError, STATUS } from "./pdu.js";

const pdus: Pdu[] = [
  { command: "enquire_link", sequence: 1, status: 0 },
  {
    command: "submit_sm",
    sequence: 2,
    status: 0,
    serviceType: "",
    sourceTon: 0,
    sourceNpi: 0,
    sourceAddr: "10690",
    destTon: 1,
    destNpi: 1,
    destAddr: "8613800138000",
    esmClass: 0,
    protocolId: 0,
    priority: 0,
    scheduleDeliveryTime: "",
    validityPeriod: "",
    registeredDelivery: 0,
    replaceIfPresent: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    shortMessage: Buffer.from("framed"),
    tlvs: { messagePayload: Buffer.alloc(300, 7) },
  },
  { command: "submit_sm_resp", sequence: 3, status: 0, messageId: "abc" },
  { command: "unbind", sequence: 4, status: 0 },
];
const frames = pdus.map(encodePdu);
const stream = Buffer.concat(frames);

function drain(framer: PduFramer): Buffer[] {
  const out: Buffer[] = [];
  for (let f = framer.next(); f !== null; f = framer.next()) out.push(Buffer.from(f));
  return out;
}

function header(length: number, commandId = 4, sequence = 99): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(length, 0);
  h.writeUInt32BE(commandId, 4);
  h.writeUInt32BE(sequence, 12);
  return h;
}

describe("PduFramer", () => {
  it("returns every frame of one chunk", () => {
    const f = new PduFramer();
    f.push(stream);
    expect(drain(f)).toEqual(frames);
    expect(f.buffered).toBe(0);
  });

  it("reassembles frames with the stream split at every byte boundary", () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const f = new PduFramer();
      f.push(stream.subarray(0, cut));
      const got = drain(f);
      f.push(stream.subarray(cut));
      got.push(...drain(f));
      expect(got).toEqual(frames);
    }
  });

  it("reassembles frames fed one byte at a time", () => {
    const f = new PduFramer();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) {
      f.push(stream.subarray(i, i + 1));
      got.push(...drain(f));
    }
    expect(got).toEqual(frames);
  });

  it("reassembles frames fed in uneven chunks", () => {
    for (const size of [2, 3, 5, 7, 15, 16, 17, 100]) {
      const f = new PduFramer();
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) {
        f.push(stream.subarray(i, i + size));
        got.push(...drain(f));
      }
      expect(got).toEqual(frames);
    }
  });

  it("treats command_length under 16 as fatal, and keeps failing", () => {
    const f = new PduFramer();
    f.push(header(8, 0x15, 42));
    let err: unknown;
    try {
      f.next();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PduError);
    expect(err).toMatchObject({ fatal: true, status: STATUS.ESME_RINVCMDLEN, commandId: 0x15, sequence: 42 });
    expect(() => f.next()).toThrow(PduError);
  });

  it("treats command_length over maxPduBytes as fatal, reading the header only when it is there", () => {
    const f = new PduFramer(1024);
    f.push(header(1_000_000).subarray(0, 6));
    expect(() => f.next()).toThrow(expect.objectContaining({ fatal: true, commandId: 0, sequence: 0 }));
    const g = new PduFramer(1024);
    g.push(header(1025));
    expect(() => g.next()).toThrow(expect.objectContaining({ fatal: true, commandId: 4, sequence: 99 }));
    const h = new PduFramer(1024);
    h.push(header(1024));
    expect(h.next()).toBeNull();
  });

  it("waits for the rest of a frame", () => {
    const f = new PduFramer();
    f.push(stream.subarray(0, 3));
    expect(f.next()).toBeNull();
    f.push(stream.subarray(3, 17));
    expect(f.next()).toEqual(frames[0]);
    expect(f.next()).toBeNull();
    expect(f.buffered).toBe(1);
  });
});
