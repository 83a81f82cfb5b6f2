import { once } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  sessionPair as sharedSessionPair,
  socketPair as sharedSocketPair,
} from "../../test-support/socket-pair.js";
import { decodePdu, encodePdu } from "./pdu/codec.js";
import { PduFramer } from "./pdu/framer.js";
import { type Pdu, STATUS } from "./pdu/pdu.js";
import { smBody } from "./pdu/sm-body.js";
import { RequestNotSentError, type RequestPdu, type SessionOptions, SmppSession } from "./session.js";

/**
 * Unbinding, over loopback TCP, either way: the requests a session took from its peer are answered before
 * unbind_resp (peer's unbind) or before unbind (ours); requests after the unbind are not processed.
 */

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const socketPair = () => sharedSocketPair(cleanups);

/** The session under test on the accepted socket; a raw peer that writes bytes and collects PDUs. */
async function rawPeer(opts: SessionOptions = {}) {
  const { server, client } = await socketPair();
  const session = new SmppSession(server, opts);
  cleanups.push(() => session.close("test over"));
  const framer = new PduFramer();
  const received: Pdu[] = [];
  client.on("data", (chunk: Buffer) => {
    framer.push(chunk);
    for (let f = framer.next(); f !== null; f = framer.next()) received.push(decodePdu(f));
  });
  return {
    session,
    received,
    ended: once(client, "close"),
    /** Every PDU in one socket write: they reach the session in one read. */
    write: (...pdus: Pdu[]) => client.write(Buffer.concat(pdus.map((p) => encodePdu(p)))),
  };
}

const sessionPair = (a: SessionOptions = {}, b: SessionOptions = {}) => sharedSessionPair(cleanups, a, b);

const submit: RequestPdu = smBody("submit_sm", { destTon: 1, destAddr: "8613800138000" });
const submitAt = (sequence: number) => ({ ...submit, sequence, status: 0 }) as Pdu;
const deliver: RequestPdu = smBody("deliver_sm", { sourceAddr: "8613800138000" });
const deliverAt = (sequence: number) => ({ ...deliver, sequence, status: 0 }) as Pdu;

const bindBody = {
  systemId: "x",
  password: "y",
  systemType: "",
  interfaceVersion: 0x34,
  addrTon: 0,
  addrNpi: 0,
  addressRange: "",
};

/** A gate a listener awaits before answering. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

describe("SmppSession: the peer's unbind", () => {
  it("answers the requests it took first, refuses the later ones, then unbind_resp, then the close", async () => {
    const peer = await rawPeer();
    const g = gate();
    const taken: number[] = [];
    peer.session.on("request", async (pdu) => {
      taken.push(pdu.sequence);
      await g.opened;
      peer.session.respond(pdu, { command: "submit_sm_resp", messageId: `m${pdu.sequence}` });
    });
    const unbound = vi.fn();
    peer.session.on("unbind", unbound);
    peer.write(
      submitAt(1),
      submitAt(2),
      { command: "unbind", sequence: 3, status: 0 },
      submitAt(4),
      deliverAt(5),
      { command: "bind_transceiver", sequence: 6, status: 0, ...bindBody },
      { command: "enquire_link", sequence: 7, status: 0 },
    );
    // what came after the unbind is answered at once, and never reaches the listener
    await vi.waitFor(() => expect(peer.received).toHaveLength(4));
    expect(peer.received).toEqual([
      { command: "submit_sm_resp", sequence: 4, status: STATUS.ESME_RINVBNDSTS, messageId: "" },
      { command: "deliver_sm_resp", sequence: 5, status: STATUS.ESME_RX_T_APPN, messageId: "" },
      {
        command: "bind_transceiver_resp",
        sequence: 6,
        status: STATUS.ESME_RINVBNDSTS,
        systemId: "",
        tlvs: {},
      },
      { command: "enquire_link_resp", sequence: 7, status: 0 },
    ]);
    expect(taken).toEqual([1, 2]);
    expect(unbound).toHaveBeenCalledTimes(1);
    // the session waits for its listener's answers before unbind_resp
    await new Promise((r) => setTimeout(r, 50));
    expect(peer.session.closed).toBe(false);
    g.open();
    await peer.ended;
    expect(peer.received.slice(4)).toEqual([
      { command: "submit_sm_resp", sequence: 1, status: 0, messageId: "m1" },
      { command: "submit_sm_resp", sequence: 2, status: 0, messageId: "m2" },
      { command: "unbind_resp", sequence: 3, status: 0 },
    ]);
    expect(peer.session.closed).toBe(true);
  });

  it("answers unbind_resp after responseTimeoutMs when a request taken is never answered", async () => {
    const warn = vi.fn();
    const peer = await rawPeer({ responseTimeoutMs: 200, log: { warn } });
    peer.session.on("request", () => {});
    const started = Date.now();
    peer.write(submitAt(1), { command: "unbind", sequence: 2, status: 0 });
    await peer.ended;
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(peer.received).toEqual([{ command: "unbind_resp", sequence: 2, status: 0 }]);
    expect(warn).toHaveBeenCalledWith(
      { open: 1, remote: expect.any(String) },
      expect.stringMatching(/in time/),
    );
  });

  it("answers a repeated unbind with the first, once the requests taken are answered", async () => {
    const peer = await rawPeer();
    peer.session.on("request", (pdu) =>
      setTimeout(() => peer.session.respond(pdu, { command: "submit_sm_resp", messageId: "x" }), 30),
    );
    peer.write(
      submitAt(1),
      { command: "unbind", sequence: 2, status: 0 },
      { command: "unbind", sequence: 3, status: 0 },
    );
    await peer.ended;
    expect(peer.received.map((p) => `${p.command}:${p.sequence}`)).toEqual([
      "submit_sm_resp:1",
      "unbind_resp:2",
      "unbind_resp:3",
    ]);
  });
});

describe("SmppSession.unbind()", () => {
  it("answers the requests taken before sending unbind; refuses the peer's later ones; drops ours not sent", async () => {
    const { esme, smsc } = await sessionPair({}, { window: 1 });
    const g = gate();
    let taken = 0;
    smsc.on("request", async (pdu) => {
      taken++;
      await g.opened;
      smsc.respond(pdu, { command: "submit_sm_resp", messageId: "accepted" });
    });
    const events: string[] = [];
    esme.on("request", (pdu) => {
      events.push(`esme got ${pdu.command}`);
      esme.respond(pdu, { command: "deliver_sm_resp", messageId: "" });
    });
    // the answer to its submit came first on the wire: nothing of the esme's is in flight any more
    esme.on("unbind", () => events.push(`esme got unbind, ${esme.inFlight} in flight`));
    const first = esme.request(submit);
    await vi.waitFor(() => expect(taken).toBe(1));
    // smsc's own deliver_sm: one on the wire, one waiting for its window of 1
    const onWire = smsc.request(deliver);
    const queued = smsc.request(deliver);
    const unbinding = smsc.unbind();
    await expect(queued).rejects.toBeInstanceOf(RequestNotSentError);
    await expect(smsc.request(deliver)).rejects.toBeInstanceOf(RequestNotSentError);
    // the esme's submit after the unbind began is not processed
    await expect(esme.request(submit)).resolves.toMatchObject({ status: STATUS.ESME_RINVBNDSTS });
    await expect(onWire).resolves.toMatchObject({ command: "deliver_sm_resp", status: 0 });
    expect(events).toEqual(["esme got deliver_sm"]);
    g.open();
    await unbinding;
    await expect(first).resolves.toMatchObject({ status: 0, messageId: "accepted" });
    await vi.waitFor(() => expect(esme.closed).toBe(true));
    expect(events).toEqual(["esme got deliver_sm", "esme got unbind, 0 in flight"]);
    expect(smsc.closed).toBe(true);
  });
});
