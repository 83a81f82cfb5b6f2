import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.js";
import { buildServices, type Services } from "../../services.js";
import { grant, SHANGHAI_10AM, sendingSetup } from "../../test-support/app-fixtures.js";
import { ADMIN_TOKEN } from "../../test-support/http-harness.js";
import { dropTestStore, testStoreEnv } from "../../test-support/pg-test-db.js";
import { bindEsme, type Esme, eventually, submitSm } from "../../test-support/smpp-harness.js";
import { decodePdu, encodePdu, encodePduAs, type Pdu, PduFramer, STATUS } from "../smpp/pdu/index.js";
import { SmppServer } from "../smpp/server/smpp-server.js";
import { SmscSimulator } from "../smpp/sim/smsc-simulator.js";
import { ManualClock } from "../system/system-clock.js";
import { buildHttpServer } from "./server.js";

/**
 * What an operator's change to an SMPP account does to the binds already up, over real SMPP sockets: two
 * anning nodes on one store (SQLite file, or PostgreSQL + Redis), each with its SMPP server; changes are
 * made through node A's HTTP API. Binds follow the account's current tps and default category from their
 * next submit_sm; disabling the account or changing its password unbinds them, on every node.
 */

const URL = "/v1/smpp/accounts";
const PHONE = "13812345678";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  services: Services;
  smpp: SmppServer;
}

describe("SMPP accounts over HTTP: binds already up follow the account", () => {
  let sim: SmscSimulator;
  let a: Node;
  let b: Node;
  let http: FastifyInstance;
  let setup: Awaited<ReturnType<typeof sendingSetup>>;
  let dir = "";
  const esmes: Esme[] = [];

  beforeAll(async () => {
    sim = await SmscSimulator.start({ port: 0, controlPort: -1, receiptDelayMs: 10 });
    dir = mkdtempSync(join(tmpdir(), "anning-live-binds-"));
    const clock = new ManualClock(SHANGHAI_10AM);
    const env = {
      ANNING_DATA_DIR: dir,
      ANNING_ADMIN_TOKEN: ADMIN_TOKEN,
      ANNING_UPSTREAM: `smpp://anning:anning@127.0.0.1:${sim.port}`,
      ...testStoreEnv(dir),
      ANNING_SYNC_POLL_MS: "100",
    };
    const node = async (): Promise<Node> => {
      const services = await buildServices(loadConfig(env), { clock, anchorEveryMs: 0, webhookPollMs: 0 });
      await services.start();
      const smpp = await SmppServer.start(services.ctx, { host: "127.0.0.1", port: 0, noticePollMs: 200 });
      return { services, smpp };
    };
    a = await node();
    b = await node();
    http = await buildHttpServer(a.services, { logger: false });
    setup = await sendingSetup(a.services);
    await grant(a.services, PHONE, setup.platformId);
  });
  afterEach(() => {
    for (const e of esmes.splice(0)) e.session.close();
  });
  afterAll(async () => {
    for (const n of [b, a]) {
      await n?.smpp.close();
      await n?.services.close();
    }
    await http?.close();
    await sim?.close();
    await dropTestStore(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  const admin = async (method: "POST" | "PATCH", url: string, body?: unknown) => {
    const r = await http.inject({
      method,
      url,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    expect(r.statusCode, r.body).toBeLessThan(300);
    return r.json();
  };

  /** A fresh account of the platform over HTTP, with its credentials. */
  const account = async (settings: Record<string, unknown> = {}) => {
    const r = await admin("POST", URL, { enterpriseId: setup.platformId, ...settings });
    return r as { id: string; systemId: string; password: string };
  };

  const bind = async (
    node: Node,
    creds: { systemId: string; password: string },
    mode: "transmitter" | "receiver" | "transceiver" = "transceiver",
  ) => {
    const e = await bindEsme(node.smpp.port, creds, mode);
    esmes.push(e);
    return e;
  };

  /** Resolves when the session was unbound by anning (its unbind answered) and closed. */
  const unbound = (e: Esme) => {
    let got = false;
    e.session.on("unbind", () => {
      got = true;
    });
    return () => eventually(() => got && e.session.closed);
  };

  /** A notification (no consent or daily cap in the way) unless `fields` say otherwise. */
  const submit = (e: Esme, fields: { serviceType?: string; text?: string } = {}) =>
    e.submit({
      sourceAddr: setup.port,
      destAddr: `86${PHONE}`,
      serviceType: "NTF",
      text: `${setup.signature}您的订单已发货，请注意查收`,
      registeredDelivery: 0,
      ...fields,
    });

  const throttledOf = (rs: Pdu[]) => rs.filter((r) => r.status === STATUS.ESME_RTHROTTLED).length;

  it("a lower tps holds binds made before the change: the account's rate over all its binds is the new one", async () => {
    const acc = await account({ tps: 1000 });
    const old = await bind(a, acc, "transmitter");
    expect(old.bindStatus).toBe(0);
    await admin("PATCH", `${URL}/${acc.id}`, { tps: 5 });
    const fresh = await bind(a, acc, "transmitter");
    expect(fresh.bindStatus).toBe(0);
    // at the top of a wall-clock second, so that with Redis the whole burst falls in one budget window
    await sleep(1000 - (Date.now() % 1000));
    const burst = (e: Esme) => Array.from({ length: 15 }, () => submit(e));
    const rs = await Promise.all([...burst(old), ...burst(fresh)]);
    // 5 a second over both binds (a little refill while the burst lasts); the old bind alone let 15 through
    expect(30 - throttledOf(rs)).toBeGreaterThanOrEqual(1);
    expect(30 - throttledOf(rs)).toBeLessThanOrEqual(8);
    // raised again: the old bind is not held at 5 either
    await admin("PATCH", `${URL}/${acc.id}`, { tps: 1000 });
    await sleep(1000 - (Date.now() % 1000));
    expect(throttledOf(await Promise.all(burst(old)))).toBe(0);
  });

  it("a bind up follows a new default category from its next submit_sm", async () => {
    const acc = await account({ defaultCategory: "marketing.retail" });
    const e = await bind(a, acc);
    expect(e.bindStatus).toBe(0);
    await admin("PATCH", `${URL}/${acc.id}`, { defaultCategory: "notification" });
    const r = await submit(e, { serviceType: "" });
    expect(r.status).toBe(0);
    const id = r.command === "submit_sm_resp" ? r.messageId : "";
    expect((await a.services.ctx.store.messages.get(id))?.category).toBe("notification");
    await admin("PATCH", `${URL}/${acc.id}`, { defaultCategory: null });
    expect((await submit(e, { serviceType: "" })).status).toBe(STATUS.ESME_RINVSERTYP);
    // a service_type naming the category still goes
    expect((await submit(e)).status).toBe(0);
  });

  it("disabling the account unbinds its transmitter, receiver and transceiver binds; new binds stay refused", async () => {
    const acc = await account({ defaultCategory: "marketing.retail" });
    const binds = [
      await bind(a, acc, "transmitter"),
      await bind(a, acc, "receiver"),
      await bind(a, acc, "transceiver"),
    ];
    expect(binds.map((e) => e.bindStatus)).toEqual([0, 0, 0]);
    const ends = binds.map(unbound);
    await admin("POST", `${URL}/${acc.id}/disable`);
    for (const end of ends) await end();
    await eventually(() => a.smpp.bindsOf(acc.id) === 0);
    // a reply to the platform's port now reaches no bind of the account (it waits for the next receiver)
    await sim.injectMo({ from: `86${PHONE}`, to: setup.port, text: "收到" });
    await sleep(300);
    expect(binds.flatMap((e) => e.inbox)).toEqual([]);
    expect((await bindEsme(a.smpp.port, acc)).bindStatus).toBe(STATUS.ESME_RBINDFAIL);
    // enabled again, it binds and submits as before
    await admin("POST", `${URL}/${acc.id}/enable`);
    const again = await bind(a, acc);
    expect(again.bindStatus).toBe(0);
    expect((await submit(again)).status).toBe(0);
  });

  it("after the unbind went out, a submit_sm is refused (ESME_RINVBNDSTS) and nothing is recorded", async () => {
    const acc = await account({ defaultCategory: "marketing.retail" });
    const raw = await rawClient(a.smpp.port);
    try {
      const bound = await raw.request(
        {
          command: "bind_transmitter",
          systemId: acc.systemId,
          password: acc.password,
          systemType: "",
          interfaceVersion: 0x34,
          addrTon: 0,
          addrNpi: 0,
          addressRange: "",
        },
        1,
      );
      expect(bound.status).toBe(0);
      const before = await a.services.ctx.store.messages.listBySenders([setup.platformId], "", 1000);
      await admin("POST", `${URL}/${acc.id}/disable`);
      const unbind = await raw.next((p) => p.command === "unbind");
      // the client has not answered the unbind yet: its submit_sm is answered, refused
      const resp = await raw.request(
        submitSm({ sourceAddr: setup.port, destAddr: `86${PHONE}`, text: setup.text }),
        2,
      );
      expect([resp.command, resp.status]).toEqual(["submit_sm_resp", STATUS.ESME_RINVBNDSTS]);
      raw.send(encodePdu({ command: "unbind_resp", sequence: unbind.sequence, status: 0 }));
      await raw.closed;
      const after = await a.services.ctx.store.messages.listBySenders([setup.platformId], "", 1000);
      expect(after.length).toBe(before.length);
    } finally {
      raw.socket.destroy();
    }
  });

  it("a bind still being checked when the account is disabled does not stay up", async () => {
    const acc = await account({ defaultCategory: "notification" });
    const known = new Set(a.smpp.connections);
    const binding = bindEsme(a.smpp.port, acc, "transmitter");
    // disabled while the bind is checked (the password's scrypt takes tens of milliseconds)
    await eventually(() => [...a.smpp.connections].some((c) => !known.has(c)), 5000);
    await sleep(5);
    await admin("POST", `${URL}/${acc.id}/disable`);
    const e = await binding;
    esmes.push(e);
    if (e.bindStatus === 0) await eventually(() => e.session.closed);
    else expect(e.bindStatus).toBe(STATUS.ESME_RBINDFAIL);
    await eventually(() => a.smpp.bindsOf(acc.id) === 0);
  });

  it("a new password unbinds the binds made with the old one; the new one binds", async () => {
    const acc = await account({ defaultCategory: "marketing.retail" });
    const e = await bind(a, acc, "transceiver");
    const end = unbound(e);
    const reset = (await admin("POST", `${URL}/${acc.id}/password`)) as { password: string };
    await end();
    expect((await bindEsme(a.smpp.port, acc)).bindStatus).toBe(STATUS.ESME_RINVPASWD);
    const fresh = await bind(a, { systemId: acc.systemId, password: reset.password });
    expect(fresh.bindStatus).toBe(0);
    expect((await submit(fresh)).status).toBe(0);
  });

  it("a bind from an address no longer allowed is unbound; one still allowed goes on", async () => {
    const acc = await account({ defaultCategory: "marketing.retail" });
    const e = await bind(a, acc);
    const end = unbound(e);
    await admin("PATCH", `${URL}/${acc.id}`, { allowedIps: ["127.0.0.0/8"] });
    expect((await submit(e)).status).toBe(0);
    await admin("PATCH", `${URL}/${acc.id}`, { allowedIps: ["192.0.2.0/24"] });
    await end();
  });

  it("a lower maxBinds leaves the binds up; new ones are refused until fewer are up", async () => {
    const acc = await account({ maxBinds: 3, defaultCategory: "marketing.retail" });
    const [x, y] = [await bind(a, acc), await bind(a, acc)];
    expect([x.bindStatus, y.bindStatus]).toEqual([0, 0]);
    await admin("PATCH", `${URL}/${acc.id}`, { maxBinds: 1 });
    expect((await submit(x)).status).toBe(0);
    expect((await submit(y)).status).toBe(0);
    expect((await bindEsme(a.smpp.port, acc)).bindStatus).toBe(STATUS.ESME_RBINDFAIL);
    await x.session.unbind();
    expect((await bindEsme(a.smpp.port, acc)).bindStatus).toBe(STATUS.ESME_RBINDFAIL);
    await y.session.unbind();
    await eventually(async () => {
      const e = await bindEsme(a.smpp.port, acc);
      esmes.push(e);
      return e.bindStatus === 0;
    });
  });

  describe("on another node", () => {
    it("a bind on node B follows a tps and default category changed through node A", async () => {
      const acc = await account({ tps: 1000, defaultCategory: "notification" });
      const e = await bind(b, acc);
      expect(e.bindStatus).toBe(0);
      expect((await submit(e, { serviceType: "" })).status).toBe(0);
      await admin("PATCH", `${URL}/${acc.id}`, { defaultCategory: null, tps: 5 });
      const refused = async () => (await submit(e, { serviceType: "" })).status === STATUS.ESME_RINVSERTYP;
      await eventually(refused);
      await sleep(1000 - (Date.now() % 1000));
      const rs = await Promise.all(Array.from({ length: 20 }, () => submit(e)));
      expect(throttledOf(rs)).toBeGreaterThanOrEqual(12);
    });

    it("disabling on node A unbinds the account's binds on node B", async () => {
      const acc = await account({ defaultCategory: "marketing.retail" });
      const binds = [await bind(b, acc, "transmitter"), await bind(b, acc, "receiver")];
      expect(binds.map((e) => e.bindStatus)).toEqual([0, 0]);
      const ends = binds.map(unbound);
      await admin("POST", `${URL}/${acc.id}/disable`);
      for (const end of ends) await end();
      await eventually(() => b.smpp.bindsOf(acc.id) === 0);
      expect((await bindEsme(b.smpp.port, acc)).bindStatus).toBe(STATUS.ESME_RBINDFAIL);
    });

    it("a new password set on node A unbinds the old password's binds on node B", async () => {
      const acc = await account({ defaultCategory: "marketing.retail" });
      const e = await bind(b, acc);
      const end = unbound(e);
      await admin("POST", `${URL}/${acc.id}/password`);
      await end();
    });
  });
});

/** A bare SMPP client that answers nothing by itself (the unbind included), to act between two PDUs. */
async function rawClient(port: number) {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((res, rej) => {
    socket.once("connect", () => res());
    socket.once("error", rej);
  });
  const framer = new PduFramer(65_536);
  const got: Pdu[] = [];
  socket.on("data", (chunk: Buffer) => {
    framer.push(chunk);
    for (let f = framer.next(); f; f = framer.next()) got.push(decodePdu(f));
  });
  const closed = new Promise<void>((res) => socket.once("close", () => res()));
  const next = (pred: (p: Pdu) => boolean) =>
    eventually(() => {
      const i = got.findIndex(pred);
      return i < 0 ? undefined : got.splice(i, 1)[0];
    });
  return {
    socket,
    closed,
    next,
    send: (b: Buffer) => socket.write(b),
    async request(pdu: Parameters<typeof encodePduAs>[0], sequence: number): Promise<Pdu> {
      socket.write(encodePduAs(pdu, sequence, 0));
      return next((p) => p.sequence === sequence && p.command.endsWith("_resp"));
    },
  };
}
