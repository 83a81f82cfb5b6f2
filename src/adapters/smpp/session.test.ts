import { once } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  sessionPair as sharedSessionPair,
  socketPair as sharedSocketPair,
} from "../../test-support/socket-pair.js";
import { decodePdu, encodePdu } from "./pdu/codec.js";
import { PduFramer } from "./pdu/framer.js";
import { CMD, type Pdu, type SmPdu, STATUS } from "./pdu/pdu.js";
import { smBody } from "./pdu/sm-body.js";
import {
  RequestNotSentError,
  type RequestPdu,
  SessionClosedError,
  type SessionOptions,
  SessionTimeoutError,
  SmppSession,
} from "./session.js";

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const socketPair = () => sharedSocketPair(cleanups);

const sessionPair = (a: SessionOptions = {}, b: SessionOptions = {}) => sharedSessionPair(cleanups, a, b);

/** A session under test on one end, and a raw socket on the other that sends bytes and collects PDUs. */
async function rawPeer(opts: SessionOptions = {}) {
  const { server, client } = await socketPair();
  const session = new SmppSession(server, opts);
  cleanups.push(() => session.close("test over"));
  const framer = new PduFramer();
  const received: Pdu[] = [];
  let chunks = 0;
  client.on("data", (chunk: Buffer) => {
    chunks++;
    framer.push(chunk);
    for (let f = framer.next(); f !== null; f = framer.next()) received.push(decodePdu(f));
  });
  const ended = once(client, "close");
  return {
    session,
    client,
    received,
    chunks: () => chunks,
    ended,
    write: (b: Buffer | Pdu) => client.write(Buffer.isBuffer(b) ? b : encodePdu(b)),
    next: async (): Promise<Pdu> => {
      await vi.waitFor(() => expect(received.length).toBeGreaterThan(0));
      return received.shift() as Pdu;
    },
  };
}

function header(length: number, commandId: number, sequence: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32BE(length, 0);
  h.writeUInt32BE(commandId, 4);
  h.writeUInt32BE(sequence, 12);
  return h;
}

const submit: RequestPdu = smBody("submit_sm", {
  sourceTon: 5,
  sourceNpi: 0,
  sourceAddr: "1069012345",
  destTon: 1,
  destAddr: "8613800138000",
  registeredDelivery: 1,
  shortMessage: Buffer.from("hello"),
});

describe("SmppSession over loopback TCP", () => {
  it("resolves a request with the matching response", async () => {
    const { esme, smsc } = await sessionPair();
    smsc.on("request", (pdu) => {
      if (pdu.command === "submit_sm")
        smsc.respond(pdu, { command: "submit_sm_resp", messageId: `m${pdu.sequence}` });
    });
    const [r1, r2] = await Promise.all([esme.request(submit), esme.request(submit)]);
    expect(r1).toEqual({ command: "submit_sm_resp", sequence: 1, status: 0, messageId: "m1" });
    expect(r2).toMatchObject({ sequence: 2, messageId: "m2" });
    expect(esme.inFlight).toBe(0);
  });

  it("never has more requests in flight than the window", async () => {
    const { esme, smsc } = await sessionPair({ window: 3 });
    let outstanding = 0;
    let most = 0;
    smsc.on("request", (pdu) => {
      outstanding++;
      most = Math.max(most, outstanding);
      setTimeout(() => {
        outstanding--;
        smsc.respond(pdu, { command: "submit_sm_resp", messageId: "x" });
      }, 2);
    });
    const all = Array.from({ length: 20 }, () => esme.request(submit));
    expect(esme.inFlight).toBe(3);
    expect(esme.queued).toBe(17);
    const resps = await Promise.all(all);
    expect(resps.map((r) => r.sequence)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(most).toBeLessThanOrEqual(3);
    expect(esme.inFlight + esme.queued).toBe(0);
  });

  it("rejects a request not answered in time, and frees its slot", async () => {
    const { esme } = await sessionPair({ responseTimeoutMs: 100, window: 1 });
    const first = esme.request(submit);
    const second = esme.request(submit);
    await expect(first).rejects.toBeInstanceOf(SessionTimeoutError);
    expect(esme.inFlight).toBe(1);
    await expect(second).rejects.toBeInstanceOf(SessionTimeoutError);
    expect(esme.closed).toBe(false);
  });

  it("rejects pending and queued requests on close, and emits close once", async () => {
    const { esme, smsc } = await sessionPair({ window: 1 });
    const closes: string[] = [];
    esme.on("close", (reason) => closes.push(reason));
    const peerClosed = once(smsc, "close");
    const a = esme.request(submit);
    const b = esme.request(submit);
    esme.close("bye");
    esme.close("again");
    // `a` was on the wire (outcome unknown); `b` waited for the window and never left
    await expect(a).rejects.toBeInstanceOf(SessionClosedError);
    await expect(a).rejects.not.toBeInstanceOf(RequestNotSentError);
    await expect(b).rejects.toBeInstanceOf(RequestNotSentError);
    await expect(esme.request(submit)).rejects.toBeInstanceOf(RequestNotSentError);
    await peerClosed;
    expect(closes).toEqual(["bye"]);
    expect(esme.closed && smsc.closed).toBe(true);
  });

  it("rejects a request it cannot encode without harming the session", async () => {
    const { esme, smsc } = await sessionPair();
    smsc.on("request", (pdu) => smsc.respond(pdu, { command: "submit_sm_resp", messageId: "ok" }));
    await expect(esme.request({ ...submit, shortMessage: Buffer.alloc(255) } as RequestPdu)).rejects.toThrow(
      /254/,
    );
    await expect(esme.request(submit)).resolves.toMatchObject({ messageId: "ok" });
  });

  it("unbinds: the peer answers, emits unbind, and both close", async () => {
    const { esme, smsc } = await sessionPair();
    const unbound = once(smsc, "unbind");
    const peerClosed = once(smsc, "close");
    await esme.unbind();
    await unbound;
    expect(await peerClosed).toEqual(["peer unbound"]);
    expect(esme.closed).toBe(true);
    await esme.unbind();
  });

  it("keeps going when a request listener throws or rejects", async () => {
    const warn = vi.fn();
    const { esme, smsc } = await sessionPair({}, { log: { warn } });
    smsc.on("request", () => {
      throw new Error("listener bug");
    });
    smsc.on("request", async () => {
      throw new Error("async listener bug");
    });
    smsc.on("request", (pdu) => smsc.respond(pdu, { command: "submit_sm_resp", messageId: "still here" }));
    await expect(esme.request(submit)).resolves.toMatchObject({ messageId: "still here" });
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(2));
    expect(smsc.closed).toBe(false);
  });

  it("sends enquire_link when idle and closes when it is not answered", async () => {
    const peer = await rawPeer({ enquireLinkMs: 50, responseTimeoutMs: 100 });
    const first = await peer.next();
    expect(first).toMatchObject({ command: "enquire_link" });
    peer.write({ command: "enquire_link_resp", sequence: first.sequence, status: 0 });
    expect(await peer.next()).toMatchObject({ command: "enquire_link" });
    const [reason] = await once(peer.session, "close");
    expect(reason).toMatch(/enquire_link/);
  });

  it("closes after inactivityMs without input", async () => {
    const peer = await rawPeer({ inactivityMs: 100, enquireLinkMs: 0 });
    const started = Date.now();
    const [reason] = await once(peer.session, "close");
    expect(reason).toMatch(/nothing received/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});

describe("SmppSession facing a raw peer", () => {
  it("answers enquire_link itself, without a request event", async () => {
    const peer = await rawPeer();
    const requests = vi.fn();
    peer.session.on("request", requests);
    peer.write({ command: "enquire_link", sequence: 42, status: 0 });
    expect(await peer.next()).toEqual({ command: "enquire_link_resp", sequence: 42, status: 0 });
    expect(requests).not.toHaveBeenCalled();
  });

  it("answers unbind with unbind_resp and ends the connection", async () => {
    const peer = await rawPeer();
    const unbound = once(peer.session, "unbind");
    peer.write({ command: "unbind", sequence: 5, status: 0 });
    expect(await peer.next()).toEqual({ command: "unbind_resp", sequence: 5, status: 0 });
    await unbound;
    await peer.ended;
    expect(peer.session.closed).toBe(true);
  });

  it("answers generic_nack for an unknown command id", async () => {
    const peer = await rawPeer();
    const errors = vi.fn();
    peer.session.on("protocolError", errors);
    peer.write(header(16, CMD.data_sm, 7));
    peer.write(header(16, 0x00001234, 8));
    expect(await peer.next()).toEqual({
      command: "generic_nack",
      sequence: 7,
      status: STATUS.ESME_RINVCMDID,
    });
    expect(await peer.next()).toEqual({
      command: "generic_nack",
      sequence: 8,
      status: STATUS.ESME_RINVCMDID,
    });
    expect(errors).toHaveBeenCalledTimes(2);
    expect(peer.session.closed).toBe(false);
  });

  it("answers generic_nack for a truncated body, and still serves the next PDU", async () => {
    const peer = await rawPeer();
    peer.write(Buffer.concat([header(20, CMD.submit_sm, 9), Buffer.from([0, 1, 1, 0x31])]));
    peer.write({ command: "enquire_link", sequence: 10, status: 0 });
    expect(await peer.next()).toEqual({
      command: "generic_nack",
      sequence: 9,
      status: STATUS.ESME_RINVCMDLEN,
    });
    expect(await peer.next()).toMatchObject({ command: "enquire_link_resp", sequence: 10 });
  });

  it("drops a malformed response without answering it", async () => {
    const peer = await rawPeer();
    const errors = vi.fn();
    peer.session.on("protocolError", errors);
    peer.write(Buffer.concat([header(17, CMD.submit_sm_resp, 9), Buffer.from([0x41])]));
    peer.write({ command: "enquire_link", sequence: 10, status: 0 });
    expect(await peer.next()).toMatchObject({ command: "enquire_link_resp", sequence: 10 });
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it.each([8, 1_000_000])("closes without crashing on command_length %i", async (length) => {
    const peer = await rawPeer();
    const closed = once(peer.session, "close");
    peer.write(header(length, CMD.submit_sm, 11));
    const [reason] = await closed;
    expect(reason).toMatch(/framing lost/);
    await peer.ended;
    expect(peer.received).toEqual([
      { command: "generic_nack", sequence: 11, status: STATUS.ESME_RINVCMDLEN },
    ]);
  });

  it("resolves a request answered by generic_nack and ignores responses to nothing", async () => {
    const peer = await rawPeer();
    const pending = peer.session.request(submit);
    const req = (await peer.next()) as SmPdu;
    expect(req).toMatchObject({ command: "submit_sm", destAddr: "8613800138000" });
    peer.write({ command: "submit_sm_resp", sequence: req.sequence + 100, status: 0, messageId: "stray" });
    peer.write({ command: "generic_nack", sequence: req.sequence, status: STATUS.ESME_RTHROTTLED });
    await expect(pending).resolves.toEqual({
      command: "generic_nack",
      sequence: req.sequence,
      status: STATUS.ESME_RTHROTTLED,
    });
  });

  it("closes on a socket error without an unhandled error event", async () => {
    const peer = await rawPeer();
    const closed = once(peer.session, "close");
    peer.client.resetAndDestroy();
    await closed;
    expect(peer.session.closed).toBe(true);
  });

  it("batches the responses of one turn into one socket write", async () => {
    const { server, client } = await socketPair();
    const write = vi.spyOn(server, "write");
    const session = new SmppSession(server);
    cleanups.push(() => session.close());
    let received = 0;
    const framer = new PduFramer();
    client.on("data", (c: Buffer) => {
      framer.push(c);
      while (framer.next() !== null) received++;
    });
    for (let i = 1; i <= 100; i++)
      session.respond({ sequence: i }, { command: "deliver_sm_resp", messageId: "" });
    await vi.waitFor(() => expect(received).toBe(100));
    expect(write).toHaveBeenCalledTimes(1);
  });
});
