import { connect, type Socket } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodePdu, encodePdu, type Pdu, PduFramer, STATUS } from "../../src/adapters/smpp/pdu/index.js";
import { SmppServer } from "../../src/adapters/smpp/server/smpp-server.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import {
  bindFields,
  eventually,
  type SmppWorld,
  smppWorld,
  submitSm,
} from "../../src/test-support/smpp-harness.js";

/**
 * Unbinding over real sockets, both ways: a sender's unbind never costs the answers to the submits anning
 * already took (an unanswered submit is resubmitted by the client, and the consumer gets the SMS twice),
 * and a server that stops unbinds its senders first, then closes, whether or not they answer.
 */

/** A raw SMPP client: writes PDUs (several in one write when asked), collects every PDU it gets. */
async function rawClient(port: number) {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((r) => socket.once("connect", () => r()));
  const framer = new PduFramer();
  const got: Pdu[] = [];
  let closed = false;
  socket.on("data", (d: Buffer) => {
    framer.push(d);
    for (let f = framer.next(); f !== null; f = framer.next()) got.push(decodePdu(f));
  });
  socket.on("close", () => {
    closed = true;
  });
  socket.on("error", () => {});
  return {
    socket,
    got,
    closed: () => closed,
    /** All the PDUs in one socket write, so they arrive in the same TCP read. */
    write: (...pdus: Pdu[]) => socket.write(Buffer.concat(pdus.map((p) => encodePdu(p)))),
    answer: (seq: number) => eventually(() => got.find((p) => p.sequence === seq && p.command !== "unbind")),
  };
}

type RawClient = Awaited<ReturnType<typeof rawClient>>;

async function bindRaw(port: number, creds: { systemId: string; password: string }): Promise<RawClient> {
  const c = await rawClient(port);
  c.write({
    command: "bind_transceiver",
    sequence: 1,
    status: 0,
    ...bindFields(creds),
  });
  expect((await c.answer(1)).status).toBe(0);
  return c;
}

const PHONES = ["13812340001", "13812340002", "13812340003"];
const LATE = "13812340009";

describe("SMPP server: a sender's unbind", () => {
  let w: SmppWorld;
  const clients: RawClient[] = [];
  beforeEach(async () => {
    w = await smppWorld();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await w.close();
  });

  it("in the same read as submits: each submit taken is answered first, then unbind_resp, then the close", async () => {
    for (const p of [...PHONES, LATE]) await grant(w.services, p, w.setup.platformId);
    const c = await bindRaw(w.server.port, w.account);
    clients.push(c);
    const submit = (seq: number, phone: string) =>
      ({
        ...submitSm({ sourceAddr: w.setup.port, destAddr: `86${phone}`, text: w.setup.text }),
        sequence: seq,
        status: 0,
      }) as Pdu;
    // three submits, the unbind, then a submit and an enquire_link the client should not have sent
    c.write(
      submit(2, PHONES[0] as string),
      submit(3, PHONES[1] as string),
      submit(4, PHONES[2] as string),
      { command: "unbind", sequence: 5, status: 0 },
      submit(6, LATE),
      { command: "enquire_link", sequence: 7, status: 0 },
    );
    await eventually(() => c.closed());
    const order = c.got.map((p) => `${p.command}:${p.sequence}`);
    // the submits taken are answered, all before unbind_resp, which is the last PDU before the close
    const unbindAt = order.indexOf("unbind_resp:5");
    expect(unbindAt).toBe(order.length - 1);
    const ids: string[] = [];
    for (const seq of [2, 3, 4]) {
      const r = c.got.find((p) => p.sequence === seq);
      expect(r, `submit ${seq} answered`).toMatchObject({ command: "submit_sm_resp", status: 0 });
      expect(order.indexOf(`submit_sm_resp:${seq}`)).toBeLessThan(unbindAt);
      ids.push(r?.command === "submit_sm_resp" ? r.messageId : "");
    }
    // after the unbind: not processed, refused as not bound; the link check is still answered
    expect(c.got.find((p) => p.sequence === 6)).toMatchObject({
      command: "submit_sm_resp",
      status: STATUS.ESME_RINVBNDSTS,
      messageId: "",
    });
    expect(c.got.find((p) => p.sequence === 7)).toMatchObject({ command: "enquire_link_resp", status: 0 });
    // the ids answered are the messages accepted and sent to the carrier; the late one never went
    for (const id of ids) {
      const m = await w.services.ctx.store.messages.get(id);
      expect(m?.status, id).toBeDefined();
      expect(m?.status).not.toBe("refused");
    }
    await eventually(() => PHONES.every((p) => w.sim.messages.some((m) => m.destination.endsWith(p))));
    expect(w.sim.messages.some((m) => m.destination.endsWith(LATE))).toBe(false);
  });

  it("a client session that unbinds with its submits outstanding gets every answer before unbind_resp", async () => {
    for (const p of PHONES) await grant(w.services, p, w.setup.platformId);
    const esme = await w.esme();
    const sent = PHONES.map((p) =>
      esme.submit({ sourceAddr: w.setup.port, destAddr: `86${p}`, text: w.setup.text }),
    );
    // the client's own session sends its unbind at once, while anning still awaits the store
    const unbound = esme.session.unbind();
    for (const r of await Promise.all(sent))
      expect(r).toMatchObject({ command: "submit_sm_resp", status: 0 });
    await unbound;
    expect(esme.session.closed).toBe(true);
  });
});

describe("SMPP server: stopping unbinds its senders", () => {
  let w: SmppWorld;
  const clients: RawClient[] = [];
  beforeEach(async () => {
    w = await smppWorld();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await w.close();
  });

  it("answers a submit in progress, then sends unbind to a bound client that stays, and closes", async () => {
    await grant(w.services, PHONES[0] as string, w.setup.platformId);
    const esme = await w.esme();
    let unbindSeen = false;
    esme.session.on("unbind", () => {
      unbindSeen = true;
    });
    // the submit is held in anning's hands (as if the store were slow) while the server is told to stop
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let handling = 0;
    const handle = w.server.submits.handle.bind(w.server.submits);
    w.server.submits.handle = async (account, pdu) => {
      handling++;
      await held;
      return handle(account, pdu);
    };
    let answeredBeforeUnbind = false;
    const pending = esme.submit({ sourceAddr: w.setup.port, destAddr: `86${PHONES[0]}`, text: w.setup.text });
    esme.session.on("unbind", () => {
      answeredBeforeUnbind = esme.session.inFlight === 0;
    });
    await eventually(() => handling === 1);
    const started = Date.now();
    const closing = w.server.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(unbindSeen).toBe(false);
    release();
    await closing;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await pending).toMatchObject({ command: "submit_sm_resp", status: 0 });
    expect(unbindSeen).toBe(true);
    expect(answeredBeforeUnbind).toBe(true);
    await eventually(() => esme.session.closed);
    expect(w.server.connections.size).toBe(0);
  });

  it("closes a client that never answers its unbind once the stop timeout has passed", async () => {
    // a server of its own, with a short stop timeout, on the world's services
    const server = await SmppServer.start(w.services.ctx, { host: "127.0.0.1", port: 0, stopTimeoutMs: 300 });
    const mute = await bindRaw(server.port, w.account);
    clients.push(mute);
    const started = Date.now();
    await server.close();
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(3000);
    // it was asked to unbind, and is gone
    expect(mute.got.some((p) => p.command === "unbind")).toBe(true);
    await eventually(() => mute.closed());
    expect(server.connections.size).toBe(0);
  });
});
