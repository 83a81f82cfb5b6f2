import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CliError } from "../../cli/csv-input.js";
import { simOptionsFromFlags, smscSimMoCommand, startSmscSim } from "../../cli/smsc-sim.cli.js";
import { decodeText, type Pdu, parseReceipt, type SmPdu, smBody, splitText } from "../pdu/index.js";
import { type RequestPdu, SmppSession } from "../session.js";
import type { SimOptions } from "./sim-options.js";
import { ESME_RSUBMITFAIL, SIM_SYSTEM_ID, SmscSimulator } from "./smsc-simulator.js";

const sims: SmscSimulator[] = [];
const esmes: SmppSession[] = [];

afterEach(async () => {
  for (const s of esmes.splice(0)) s.close("test over");
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(o: Partial<SimOptions> = {}): Promise<SmscSimulator> {
  const s = await SmscSimulator.start({ port: 0, controlPort: -1, firstId: 0x1a2f3, ...o });
  sims.push(s);
  return s;
}

type BindKind = "bind_transmitter" | "bind_receiver" | "bind_transceiver";

/** An ESME session that answers every deliver_sm with status 0 and keeps it. */
interface Esme {
  session: SmppSession;
  delivered: SmPdu[];
}

async function esme(port: number): Promise<Esme> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  const session = new SmppSession(socket, { responseTimeoutMs: 5000 });
  esmes.push(session);
  const delivered: SmPdu[] = [];
  session.on("request", (pdu: Pdu) => {
    if (pdu.command === "deliver_sm") {
      delivered.push(pdu);
      session.respond(pdu, { command: "deliver_sm_resp", messageId: "" });
    }
  });
  return { session, delivered };
}

function bind(s: SmppSession, command: BindKind, systemId = "anning", password = "secret"): Promise<Pdu> {
  return s.request({
    command,
    systemId,
    password,
    systemType: "",
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: "",
  });
}

async function bound(
  port: number,
  command: BindKind = "bind_transceiver",
  systemId = "anning",
): Promise<Esme> {
  const e = await esme(port);
  const r = await bind(e.session, command, systemId);
  expect(r.status).toBe(0);
  return e;
}

function submitPdu(o: Partial<Omit<SmPdu, "command" | "sequence" | "status">> = {}): RequestPdu {
  return smBody("submit_sm", { sourceAddr: "1069012345", destTon: 1, destAddr: "8613812345678", ...o });
}

/** submit_sm of a text (one part, GSM or UCS2 as the text needs). */
function textSubmit(
  text: string,
  o: Partial<Omit<SmPdu, "command" | "sequence" | "status">> = {},
): RequestPdu {
  const [part] = splitText(text, 1);
  if (part === undefined || part.udh) throw new Error("text too long for one part");
  return submitPdu({ dataCoding: part.dataCoding, shortMessage: part.shortMessage, ...o });
}

async function submit(s: SmppSession, pdu: RequestPdu): Promise<{ status: number; id: string }> {
  const r = await s.request(pdu);
  if (r.command !== "submit_sm_resp") throw new Error(`unexpected ${r.command}`);
  return { status: r.status, id: r.messageId };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

function receiptText(pdu: SmPdu): string {
  return decodeText(pdu.dataCoding, pdu.shortMessage);
}

describe("binds", () => {
  it("accepts the configured credentials and refuses others with RINVSYSID / RINVPASWD", async () => {
    const s = await sim({ systemId: "anning", password: "secret" });
    for (const kind of ["bind_transmitter", "bind_receiver", "bind_transceiver"] as const) {
      const e = await esme(s.port);
      const r = await bind(e.session, kind);
      expect(r).toMatchObject({ command: `${kind}_resp`, status: 0, systemId: SIM_SYSTEM_ID });
    }
    const bad = await esme(s.port);
    expect((await bind(bad.session, "bind_transceiver", "anning", "wrong")).status).toBe(0x0e);
    expect((await bind(bad.session, "bind_transceiver", "other", "secret")).status).toBe(0x0f);
    // a refused bind leaves the connection open for another try
    expect((await bind(bad.session, "bind_transceiver")).status).toBe(0);
    expect((await bind(bad.session, "bind_transceiver")).status).toBe(0x05);
    expect(s.stats).toMatchObject({ binds: 4, bound: 4 });
  });

  it("binds any credentials when none are configured", async () => {
    const s = await sim();
    const e = await esme(s.port);
    expect((await bind(e.session, "bind_transmitter", "whoever", "")).status).toBe(0);
  });

  it("refuses submit_sm before a bind and on a receiver bind", async () => {
    const s = await sim();
    const e = await esme(s.port);
    expect((await submit(e.session, textSubmit("hi"))).status).toBe(0x04);
    await bind(e.session, "bind_receiver");
    expect((await submit(e.session, textSubmit("hi"))).status).toBe(0x04);
    expect(s.messages).toHaveLength(0);
  });
});

describe("submit_sm", () => {
  it("answers with sequential upper-case hex ids and records the decoded GSM and UCS2 texts", async () => {
    const s = await sim();
    const { session } = await bound(s.port, "bind_transmitter");
    const a = await submit(session, textSubmit("Hello @home {50% off}", { serviceType: "MKT" }));
    const b = await submit(
      session,
      textSubmit("【好物商城】双11大促，全场五折。回TD退订", {
        registeredDelivery: 1,
        tlvs: { userMessageReference: 7 },
      }),
    );
    expect(a).toEqual({ status: 0, id: "0001A2F3" });
    expect(b).toEqual({ status: 0, id: "0001A2F4" });
    const [m1, m2] = s.messages;
    expect(m1).toMatchObject({
      id: "0001A2F3",
      destination: "8613812345678",
      source: "1069012345",
      text: "Hello @home {50% off}",
      dataCoding: 0,
      esmClass: 0,
      parts: null,
      serviceType: "MKT",
      registeredDelivery: 0,
      systemId: "anning",
    });
    expect(m1?.userMessageReference).toBeUndefined();
    expect(m2).toMatchObject({
      text: "【好物商城】双11大促，全场五折。回TD退订",
      dataCoding: 8,
      userMessageReference: 7,
    });
    expect(Math.abs((m2?.at ?? 0) - Date.now())).toBeLessThan(5000);
    expect(s.assembled.map((m) => m.text)).toEqual([m1?.text, m2?.text]);
    expect(s.stats.submits).toBe(2);
  });

  it("writes decimal ids when asked", async () => {
    const s = await sim({ idFormat: "decimal", firstId: 41 });
    const { session } = await bound(s.port, "bind_transmitter");
    expect((await submit(session, textSubmit("x"))).id).toBe("41");
  });

  it("reassembles a long Chinese text sent in three UDH parts, in any order", async () => {
    const s = await sim();
    const { session } = await bound(s.port);
    const text = `【好物商城】${"双11大促，全场五折，限时抢购，先到先得。".repeat(9)}回TD退订`;
    const parts = splitText(text, 0x5a);
    expect(parts).toHaveLength(3);
    const order = [2, 0, 1];
    const ids: string[] = [];
    for (const i of order) {
      const p = parts[i];
      if (p === undefined) throw new Error("missing part");
      ids[i] = (
        await submit(session, submitPdu({ esmClass: 0x40, dataCoding: 8, shortMessage: p.shortMessage }))
      ).id;
    }
    expect(s.messages.map((m) => m.parts)).toEqual([
      { ref: 0x5a, total: 3, seq: 3 },
      { ref: 0x5a, total: 3, seq: 1 },
      { ref: 0x5a, total: 3, seq: 2 },
    ]);
    expect(s.messages[1]?.text).toBe(text.slice(0, 67));
    expect(s.assembled).toEqual([
      expect.objectContaining({ destination: "8613812345678", source: "1069012345", text, parts: 3, ids }),
    ]);
  });

  it("reassembles parts numbered by SAR TLVs, and reads message_payload", async () => {
    const s = await sim();
    const { session } = await bound(s.port);
    const sar = (seq: number, t: string) =>
      submitPdu({
        shortMessage: Buffer.from(t),
        tlvs: { sarMsgRefNum: 300, sarTotalSegments: 2, sarSegmentSeqnum: seq },
      });
    await submit(session, sar(1, "first half, "));
    await submit(session, sar(2, "second half"));
    const long = "x".repeat(300);
    await submit(session, submitPdu({ dataCoding: 1, tlvs: { messagePayload: Buffer.from(long) } }));
    expect(s.assembled.map((m) => [m.text, m.parts])).toEqual([
      ["first half, second half", 2],
      [long, 1],
    ]);
  });

  it("refuses a bad UDH, an empty destination and a rejectRatio share", async () => {
    const s = await sim({ rejectRatio: 1 });
    const { session } = await bound(s.port);
    expect(
      (await submit(session, submitPdu({ esmClass: 0x40, shortMessage: Buffer.from([9, 0]) }))).status,
    ).toBe(0x43);
    expect((await submit(session, textSubmit("hi", { destAddr: "" }))).status).toBe(0x0b);
    expect(await submit(session, textSubmit("hi"))).toEqual({ status: ESME_RSUBMITFAIL, id: "" });
    expect(s.stats).toMatchObject({ submits: 3, rejected: 3 });
    expect(s.messages).toHaveLength(0);
  });

  it("holds each submit_sm_resp for latencyMs", async () => {
    const s = await sim({ latencyMs: 120 });
    const { session } = await bound(s.port);
    const t0 = performance.now();
    const rs = await Promise.all([submit(session, textSubmit("a")), submit(session, textSubmit("b"))]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(120);
    expect(rs.map((r) => r.status)).toEqual([0, 0]);
  });

  it("keeps only the most recent keepMessages", async () => {
    const s = await sim({ keepMessages: 3 });
    const { session } = await bound(s.port);
    for (let i = 0; i < 5; i++) await submit(session, textSubmit(`m${i}`));
    expect(s.messages.map((m) => m.text)).toEqual(["m2", "m3", "m4"]);
    expect(s.assembled.map((m) => m.text)).toEqual(["m2", "m3", "m4"]);
    s.reset();
    expect(s.messages).toEqual([]);
    expect(s.stats.submits).toBe(5);
  });
});

/** YYMMDDhhmm of `at` on the clock of `timeZone`, by Intl (independent of the code under test). */
function wallClock(at: number, timeZone: string): string {
  const f = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    hourCycle: "h23",
    year: "2-digit",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return `${p.year}${p.month}${p.day}${p.hour}${p.minute}`;
}

describe("delivery receipts", () => {
  it("dates receipts on the Shanghai clock by default, or on the clock of its timeZone", async () => {
    for (const timeZone of [undefined, "America/New_York"]) {
      const s = await sim({ receiptDelayMs: 0, ...(timeZone ? { timeZone } : {}) });
      const e = await bound(s.port);
      const before = Date.now();
      await submit(e.session, textSubmit("hi", { registeredDelivery: 1 }));
      await until(() => e.delivered.length === 1);
      const after = Date.now();
      const r = parseReceipt(receiptText(e.delivered[0] as SmPdu));
      const tz = timeZone ?? "Asia/Shanghai";
      // a minute may turn between the two readings
      const possible = [wallClock(before, tz), wallClock(after, tz)];
      expect(possible).toContain(r?.submitDate);
      expect(possible).toContain(r?.doneDate);
    }
    await expect(sim({ timeZone: "Mars/Olympus" })).rejects.toThrow(/timeZone/);
  });

  it("sends a DELIVRD receipt to the transceiver with the message id, state and user_message_reference", async () => {
    const s = await sim({ receiptDelayMs: 20 });
    const e = await bound(s.port);
    const { id } = await submit(
      e.session,
      textSubmit("hi", { registeredDelivery: 1, tlvs: { userMessageReference: 4242 } }),
    );
    await until(() => e.delivered.length === 1);
    const r = e.delivered[0] as SmPdu;
    expect(r).toMatchObject({
      esmClass: 0x04,
      sourceAddr: "8613812345678",
      sourceTon: 1,
      destAddr: "1069012345",
      destTon: 0,
      tlvs: { receiptedMessageId: id, messageState: 2, userMessageReference: 4242 },
    });
    expect(parseReceipt(receiptText(r))).toMatchObject({ id, stat: "DELIVRD", err: "000", dlvrd: "001" });
    await until(() => s.stats.receiptsSent === 1);
  });

  it("sends no receipt when none is asked, and on registered_delivery 2 only for failures", async () => {
    const s = await sim({ receiptDelayMs: 0, failDestinations: ["0000"] });
    const e = await bound(s.port);
    await submit(e.session, textSubmit("a"));
    await submit(e.session, textSubmit("b", { registeredDelivery: 2 }));
    await submit(e.session, textSubmit("c", { registeredDelivery: 2, destAddr: "13900000000" }));
    await until(() => e.delivered.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(e.delivered).toHaveLength(1);
    expect(e.delivered[0]?.tlvs.messageState).toBe(5);
  });

  it("says UNDELIV for failDestinations and by failRatio, EXPIRED by expireRatio", async () => {
    const s = await sim({ receiptDelayMs: 0, failDestinations: ["0000"] });
    const e = await bound(s.port);
    await submit(e.session, textSubmit("x", { registeredDelivery: 1, destAddr: "13800000000" }));
    await submit(e.session, textSubmit("x", { registeredDelivery: 1, destAddr: "13800000001" }));
    await until(() => e.delivered.length === 2);
    const byDest = new Map(e.delivered.map((d) => [d.sourceAddr, d]));
    const undeliv = byDest.get("13800000000") as SmPdu;
    expect(undeliv.tlvs.messageState).toBe(5);
    expect(parseReceipt(receiptText(undeliv))).toMatchObject({ stat: "UNDELIV", err: "001", dlvrd: "000" });
    expect(byDest.get("13800000001")?.tlvs.messageState).toBe(2);

    const f = await sim({ receiptDelayMs: 0, failRatio: 0.5, expireRatio: 0.5, random: seq([0.2, 0.7]) });
    const e2 = await bound(f.port);
    await submit(e2.session, textSubmit("x", { registeredDelivery: 1 }));
    await until(() => e2.delivered.length === 1);
    await submit(e2.session, textSubmit("x", { registeredDelivery: 1 }));
    await until(() => e2.delivered.length === 2);
    expect(e2.delivered.map((d) => parseReceipt(receiptText(d))?.stat)).toEqual(["UNDELIV", "EXPIRED"]);
    expect(e2.delivered.map((d) => d.tlvs.messageState)).toEqual([5, 3]);
  });

  it("writes the receipt text id in another form when asked, or leaves out the TLVs", async () => {
    const s = await sim({ receiptDelayMs: 0, receiptIdForm: "decimal", receiptTlvs: false });
    const e = await bound(s.port);
    const { id } = await submit(e.session, textSubmit("x", { registeredDelivery: 1 }));
    await until(() => e.delivered.length === 1);
    const r = e.delivered[0] as SmPdu;
    expect(id).toBe("0001A2F3");
    expect(parseReceipt(receiptText(r))?.id).toBe(String(0x1a2f3));
    expect(r.tlvs.receiptedMessageId).toBeUndefined();
    expect(r.tlvs.messageState).toBeUndefined();

    const l = await sim({ receiptDelayMs: 0, receiptIdForm: "lowerhex", echoUserMessageReference: false });
    const e2 = await bound(l.port);
    await submit(e2.session, textSubmit("x", { registeredDelivery: 1, tlvs: { userMessageReference: 1 } }));
    await until(() => e2.delivered.length === 1);
    expect(parseReceipt(receiptText(e2.delivered[0] as SmPdu))?.id).toBe("0001a2f3");
    expect(e2.delivered[0]?.tlvs).toMatchObject({ receiptedMessageId: "0001A2F3" });
    expect(e2.delivered[0]?.tlvs.userMessageReference).toBeUndefined();
  });

  it("keeps receipts while no receiver of that system_id is bound, then sends them", async () => {
    const s = await sim({ receiptDelayMs: 0 });
    const tx = await bound(s.port, "bind_transmitter");
    const { id } = await submit(tx.session, textSubmit("x", { registeredDelivery: 1 }));
    const stranger = await bound(s.port, "bind_receiver", "someone-else");
    await until(() => s.stats.pendingDeliveries === 1);
    expect(stranger.delivered).toHaveLength(0);
    const rx = await bound(s.port, "bind_receiver");
    await until(() => rx.delivered.length === 1);
    expect(rx.delivered[0]?.tlvs.receiptedMessageId).toBe(id);
    expect(s.stats.pendingDeliveries).toBe(0);
    expect(stranger.delivered).toHaveLength(0);
  });

  it("shares receipts round-robin among the receivers of a system_id", async () => {
    const s = await sim({ receiptDelayMs: 0 });
    const tx = await bound(s.port, "bind_transmitter");
    const r1 = await bound(s.port, "bind_receiver");
    const r2 = await bound(s.port, "bind_transceiver");
    for (let i = 0; i < 4; i++) await submit(tx.session, textSubmit(`m${i}`, { registeredDelivery: 1 }));
    await until(() => r1.delivered.length + r2.delivered.length === 4);
    expect([r1.delivered.length, r2.delivered.length]).toEqual([2, 2]);
    expect(tx.delivered).toHaveLength(0);
  });

  it("sends a receipt lost with its connection again to the next receiver", async () => {
    const s = await sim({ receiptDelayMs: 0 });
    const tx = await bound(s.port, "bind_transmitter");
    const silent = await esme(s.port);
    silent.session.removeAllListeners("request");
    silent.session.on("request", () => {}); // never answers deliver_sm
    await bind(silent.session, "bind_receiver");
    await submit(tx.session, textSubmit("x", { registeredDelivery: 1 }));
    await new Promise((r) => setTimeout(r, 50));
    silent.session.close("gone");
    const rx = await bound(s.port, "bind_receiver");
    await until(() => rx.delivered.length === 1);
  });
});

describe("mobile-originated messages", () => {
  it("injectMo sends a deliver_sm (GSM or UCS2), waiting for a receiver when none is bound", async () => {
    const s = await sim();
    const pending = s.injectMo({ from: "13812345678", to: "1069012345", text: "TD" });
    const e = await bound(s.port, "bind_receiver");
    await pending;
    await s.injectMo({ from: "13812345678", to: "1069012345", text: "退订" });
    expect(
      e.delivered.map((d) => [d.esmClass, d.dataCoding, d.sourceAddr, d.destAddr, receiptText(d)]),
    ).toEqual([
      [0, 0, "13812345678", "1069012345", "TD"],
      [0, 8, "13812345678", "1069012345", "退订"],
    ]);
    expect(s.stats.mosSent).toBe(2);
  });

  it("carries long texts in message_payload, routes by system_id, and refuses unencodable addresses", async () => {
    const s = await sim();
    const other = await bound(s.port, "bind_receiver", "other");
    const mine = await bound(s.port, "bind_receiver", "anning");
    const text = "回复".repeat(200);
    await s.injectMo({ from: "13812345678", to: "1069012345", text, systemId: "anning" });
    expect(other.delivered).toHaveLength(0);
    const d = mine.delivered[0] as SmPdu;
    expect(d.shortMessage.length).toBe(0);
    expect(decodeText(d.dataCoding, d.tlvs.messagePayload ?? Buffer.alloc(0))).toBe(text);
    await expect(s.injectMo({ from: "1".repeat(30), to: "2", text: "x" })).rejects.toThrow();
    expect(s.stats.pendingDeliveries).toBe(0);
  });

  it("rejects when the ESME refuses the deliver_sm", async () => {
    const s = await sim();
    const e = await esme(s.port);
    e.session.removeAllListeners("request");
    e.session.on("request", (pdu: Pdu) =>
      e.session.respond(pdu, { command: "deliver_sm_resp", messageId: "", status: 0x64 }),
    );
    await bind(e.session, "bind_receiver");
    await expect(s.injectMo({ from: "1", to: "2", text: "x" })).rejects.toThrow(/0x64/);
    expect(s.stats.deliverFailed).toBe(1);
  });

  it("rejects pending ones when the simulator closes, and unbinds its sessions", async () => {
    const s = await SmscSimulator.start({ port: 0, controlPort: -1 });
    const pending = s.injectMo({ from: "1", to: "2", text: "x" });
    const e = await bound(s.port, "bind_transmitter");
    let unbindSeen = false;
    e.session.on("unbind", () => {
      unbindSeen = true;
    });
    const unbound = once(e.session, "close");
    const rejected = expect(pending).rejects.toThrow(/closed/);
    await s.close();
    await rejected;
    await unbound;
    expect(unbindSeen).toBe(true);
    expect(e.session.closed).toBe(true);
  });
});

describe("control API", () => {
  async function withControl() {
    const s = await sim({ controlPort: 0 });
    const base = `http://127.0.0.1:${s.controlPort}`;
    return { s, base };
  }

  function post(url: string, body: string) {
    return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  }

  it("POST /mo queues a deliver_sm for a receiver bind", async () => {
    const { s, base } = await withControl();
    const e = await bound(s.port);
    const r = await post(`${base}/mo`, JSON.stringify({ from: "13812345678", to: "1069012345", text: "TD" }));
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ queued: true });
    await until(() => e.delivered.length === 1);
    expect(receiptText(e.delivered[0] as SmPdu)).toBe("TD");
  });

  it("GET /messages lists messages with ISO times, DELETE /messages forgets them, GET /stats counts", async () => {
    const { s, base } = await withControl();
    const e = await bound(s.port);
    const { id } = await submit(e.session, textSubmit("你好"));
    const got = (await (await fetch(`${base}/messages`)).json()) as {
      messages: Array<Record<string, unknown>>;
      assembled: Array<Record<string, unknown>>;
    };
    expect(got.messages).toEqual([
      expect.objectContaining({
        id,
        text: "你好",
        dataCoding: 8,
        at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      }),
    ]);
    expect(got.assembled).toEqual([expect.objectContaining({ text: "你好", parts: 1, ids: [id] })]);
    expect(await (await fetch(`${base}/stats`)).json()).toMatchObject({ binds: 1, bound: 1, submits: 1 });
    expect((await fetch(`${base}/messages`, { method: "DELETE" })).status).toBe(204);
    expect(s.messages).toEqual([]);
  });

  it("answers errors as {error:{code,message}}", async () => {
    const { base } = await withControl();
    const cases: Array<[Promise<Response>, number, string]> = [
      [post(`${base}/mo`, "{not json"), 400, "INVALID_JSON"],
      [post(`${base}/mo`, "[]"), 400, "INVALID_JSON"],
      [post(`${base}/mo`, JSON.stringify({ from: "1", text: "TD" })), 400, "MISSING_FIELD"],
      [post(`${base}/mo`, JSON.stringify({ from: "1", to: 2, text: "TD" })), 400, "INVALID_FIELD"],
      [
        post(`${base}/mo`, JSON.stringify({ from: "1".repeat(21), to: "2", text: "TD" })),
        400,
        "INVALID_FIELD",
      ],
      [
        post(`${base}/mo`, JSON.stringify({ from: "1", to: "2", text: "x".repeat(70_000) })),
        413,
        "BODY_TOO_LARGE",
      ],
      [fetch(`${base}/mo`), 405, "METHOD_NOT_ALLOWED"],
      [fetch(`${base}/nothing`), 404, "NOT_FOUND"],
    ];
    for (const [res, status, code] of cases) {
      const r = await res;
      expect(r.status).toBe(status);
      expect(await r.json()).toEqual({ error: { code, message: expect.any(String) } });
    }
  });

  it("listens on port+1 by default", async () => {
    // a free port whose successor is free too (other test files take ports meanwhile: a few tries)
    for (let attempt = 1; ; attempt++) {
      const probe = await SmscSimulator.start({ port: 0, controlPort: -1 });
      const port = probe.port;
      await probe.close();
      let s: SmscSimulator;
      try {
        s = await sim({ port, controlPort: undefined });
      } catch (err) {
        if (attempt < 5 && String(err).includes("EADDRINUSE")) continue;
        throw err;
      }
      expect(s.controlPort).toBe(port + 1);
      return;
    }
  });
});

describe("anning smsc-sim", () => {
  it("parses flags, and refuses bad ones", () => {
    expect(
      simOptionsFromFlags({
        port: "0",
        systemId: "a",
        password: "b",
        receiptDelayMs: "5",
        latencyMs: "1",
        failRatio: "0.25",
        failDestinations: "0000, 9999",
        idFormat: "decimal",
        controlPort: "-1",
      }),
    ).toEqual({
      port: 0,
      systemId: "a",
      password: "b",
      receiptDelayMs: 5,
      latencyMs: 1,
      failRatio: 0.25,
      failDestinations: ["0000", "9999"],
      idFormat: "decimal",
      controlPort: -1,
    });
    expect(simOptionsFromFlags({})).toEqual({ port: 2875 });
    expect(() => simOptionsFromFlags({ port: "x" })).toThrow(CliError);
    expect(() => simOptionsFromFlags({ failRatio: "2" })).toThrow(CliError);
    expect(() => simOptionsFromFlags({ failRatio: "0.6", expireRatio: "0.6" })).toThrow(CliError);
    expect(() => simOptionsFromFlags({ idFormat: "octal" })).toThrow(CliError);
    // SMPP 3.4's limits: no client could bind with longer credentials
    expect(() => simOptionsFromFlags({ systemId: "a".repeat(16), password: "b" })).toThrow(/15 characters/);
    expect(() => simOptionsFromFlags({ systemId: "a", password: "b".repeat(9) })).toThrow(/8 characters/);
    expect(simOptionsFromFlags({ systemId: "a".repeat(15), password: "b".repeat(8) }).password).toBe(
      "bbbbbbbb",
    );
  });

  it("reads --tls-key and --tls-cert together, naming a file it cannot read", () => {
    const dir = mkdtempSync(join(tmpdir(), "anning-sim-tls-"));
    const [key, cert] = [join(dir, "k.pem"), join(dir, "c.pem")];
    writeFileSync(key, "KEY");
    writeFileSync(cert, "CERT");
    const o = simOptionsFromFlags({ tlsKey: key, tlsCert: cert });
    expect(o.tls).toEqual({ key: Buffer.from("KEY"), cert: Buffer.from("CERT") });
    expect(() => simOptionsFromFlags({ tlsKey: key })).toThrow("--tls-key and --tls-cert go together");
    expect(() => simOptionsFromFlags({ tlsKey: key, tlsCert: join(dir, "none.pem") })).toThrow(
      `--tls-cert: cannot read ${join(dir, "none.pem")}`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts, prints its addresses, and `mo` posts to its control API", async () => {
    const lines: string[] = [];
    const s = await startSmscSim({ port: "0", controlPort: "0" }, (l) => lines.push(l), { warn() {} });
    sims.push(s);
    expect(lines).toEqual([
      `smsc-sim listening on 127.0.0.1:${s.port} (control http://127.0.0.1:${s.controlPort})\n`,
    ]);
    const e = await bound(s.port, "bind_receiver");
    const control = `http://127.0.0.1:${s.controlPort}`;
    const r = await smscSimMoCommand({ from: "13812345678", to: "1069012345", text: "TD", control });
    expect(r).toEqual({ ok: true, status: 202, body: '{"queued":true}' });
    await until(() => e.delivered.length === 1);
    await expect(smscSimMoCommand({ from: "1", to: "2", control })).rejects.toThrow(CliError);
    const probe = await SmscSimulator.start({ port: 0, controlPort: -1 });
    const dead = `http://127.0.0.1:${probe.port}`;
    await probe.close();
    await expect(smscSimMoCommand({ from: "1", to: "2", text: "x", control: dead })).rejects.toThrow(
      /no answer/,
    );
  });
});

/** A random source returning the given values in turn. */
function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}
