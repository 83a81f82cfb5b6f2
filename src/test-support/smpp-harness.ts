import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeText, type Pdu, type SmPdu, smBody } from "../adapters/smpp/pdu/index.js";
import { SmppServer } from "../adapters/smpp/server/smpp-server.js";
import { type RequestPdu, SmppSession } from "../adapters/smpp/session.js";
import type { SimOptions } from "../adapters/smpp/sim/sim-options.js";
import { SmscSimulator } from "../adapters/smpp/sim/smsc-simulator.js";
import { ManualClock } from "../adapters/system/system-clock.js";
import { ADMIN } from "../app/context.js";
import { submitMessage } from "../app/messaging/submit-message.js";
import { createSmppAccount } from "../app/smpp/accounts.js";
import { loadConfig } from "../config.js";
import { buildServices, type Services } from "../services.js";
import { grant, SHANGHAI_10AM, sendingSetup } from "./app-fixtures.js";
import { testStoreEnv } from "./pg-test-db.js";

export interface SmppWorld {
  services: Services;
  server: SmppServer;
  sim: SmscSimulator;
  clock: ManualClock;
  setup: Awaited<ReturnType<typeof sendingSetup>>;
  account: { systemId: string; password: string; id: string };
  /** Binds an ESME to anning's SMPP server (transceiver by default); receives deliver_sm into `inbox`. */
  esme(
    mode?: "transmitter" | "receiver" | "transceiver",
    creds?: { systemId: string; password: string },
  ): Promise<Esme>;
  close(): Promise<void>;
}

export interface Esme {
  session: SmppSession;
  bindStatus: number;
  /** deliver_sm received (answered with status 0 unless `answer` says otherwise). */
  inbox: SmPdu[];
  answer: (pdu: SmPdu) => number;
  submit(fields: Partial<Omit<SmPdu, "command" | "sequence" | "status">> & { text?: string }): Promise<Pdu>;
  waitFor(pred: (p: SmPdu) => boolean, timeoutMs?: number): Promise<SmPdu>;
}

/** Waits until `check` returns a value (not undefined/false), polling. */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A plain submit_sm with sensible defaults. */
export function submitSm(
  fields: Partial<Omit<SmPdu, "command" | "sequence" | "status">> & { text?: string },
): RequestPdu {
  const { text, ...rest } = fields;
  const enc = text !== undefined ? encodeText(text) : { dataCoding: 0 as const, bytes: Buffer.alloc(0) };
  return smBody("submit_sm", {
    destTon: 1,
    registeredDelivery: 1,
    dataCoding: enc.dataCoding,
    shortMessage: enc.bytes,
    ...rest,
  });
}

/** The fields of a bind request for these credentials (no system_type, SMPP 3.4, any address). */
export function bindFields(creds: { systemId: string; password: string }) {
  const { systemId, password } = creds;
  return {
    systemId,
    password,
    systemType: "",
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: "",
  };
}

/** Opens a TCP connection and binds. */
export async function bindEsme(
  port: number,
  creds: { systemId: string; password: string },
  mode: "transmitter" | "receiver" | "transceiver" = "transceiver",
): Promise<Esme> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((res, rej) => {
    socket.once("connect", () => res());
    socket.once("error", rej);
  });
  const session = new SmppSession(socket, { window: 50, enquireLinkMs: 0 });
  const esme: Esme = {
    session,
    bindStatus: -1,
    inbox: [],
    answer: () => 0,
    submit: (f) => session.request(submitSm(f)),
    waitFor: (pred, timeoutMs = 5000) => eventually(() => esme.inbox.find(pred), timeoutMs),
  };
  session.on("request", (pdu) => {
    if (pdu.command !== "deliver_sm") return;
    const status = esme.answer(pdu);
    if (status === 0) esme.inbox.push(pdu);
    session.respond(pdu, { command: "deliver_sm_resp", status, messageId: "" });
  });
  const resp = await session.request({
    command: `bind_${mode}`,
    ...bindFields(creds),
  });
  esme.bindStatus = resp.status;
  return esme;
}

/**
 * anning on a fresh data dir (SQLite, or PostgreSQL + Redis under ANNING_TEST_STORE=postgres) with its
 * SMPP server on a free port, sending to a bundled SMSC simulator; one platform ready to send, with an
 * SMPP account (default category marketing.retail).
 */
export async function smppWorld(
  opts: {
    sim?: Partial<SimOptions>;
    env?: Record<string, string>;
    server?: { longMessageTimeoutMs?: number };
  } = {},
): Promise<SmppWorld> {
  const sim = await SmscSimulator.start({ port: 0, controlPort: -1, receiptDelayMs: 10, ...opts.sim });
  const dir = mkdtempSync(join(tmpdir(), "anning-smpp-"));
  const clock = new ManualClock(SHANGHAI_10AM);
  const config = loadConfig({
    ANNING_DATA_DIR: dir,
    ANNING_ADMIN_TOKEN: "test-admin-token-0123456789",
    ...(opts.env?.ANNING_UPSTREAMS_FILE
      ? {}
      : { ANNING_UPSTREAM: `smpp://anning:anning@127.0.0.1:${sim.port}` }),
    ...testStoreEnv(dir),
    ...opts.env,
  });
  const services = await buildServices(config, { clock, anchorEveryMs: 0, webhookPollMs: 0 });
  await services.start();
  const server = await SmppServer.start(services.ctx, {
    host: "127.0.0.1",
    port: 0,
    noticePollMs: 200,
    ...opts.server,
  });
  const setup = await sendingSetup(services);
  const created = await createSmppAccount(services.ctx, ADMIN, {
    enterpriseId: setup.platformId,
    defaultCategory: "marketing.retail",
    tps: 10_000,
  });
  const account = { systemId: created.account.systemId, password: created.password, id: created.account.id };
  const esmes: Esme[] = [];
  return {
    services,
    server,
    sim,
    clock,
    setup,
    account,
    async esme(mode = "transceiver", creds = account) {
      const e = await bindEsme(server.port, creds, mode);
      esmes.push(e);
      return e;
    },
    async close() {
      for (const e of esmes) e.session.close();
      await server.close();
      await services.close();
      await sim.close();
    },
  };
}

/**
 * Grants consent to `phone` and sends it one message from the world's platform over the API use case (not
 * SMPP); returns the id, failing unless it was accepted.
 */
export async function sendAccepted(
  w: SmppWorld,
  phone: string,
  text = w.setup.text,
  category = "marketing.retail",
): Promise<string> {
  await grant(w.services, phone, w.setup.platformId);
  const r = await submitMessage(w.services.ctx, ADMIN, {
    senderId: w.setup.platformId,
    signature: w.setup.signature,
    port: w.setup.port,
    phone,
    category,
    text,
  });
  if (r.status !== "accepted") throw new Error(`message refused: ${r.reasons.map((x) => x.code).join(", ")}`);
  return r.id;
}
