// The SMPP load client of bench/smpp.bench.js, run as a child process (fork) so the bench process only
// orchestrates. It binds N transceivers to an SMSC (the simulator, or anning's SMPP server), keeps W
// submit_sm outstanding on each, and counts answers by status, submit→submit_sm_resp latencies and the
// delivery receipts that come back for the accepted messages.
//
// Protocol with the parent (IPC): the child sends {type:"bound"} once every bind is up, waits for
// {type:"go"}, sends {type:"answered", …} when every submit was answered and {type:"done", …} when the
// receipts are in (or stopped coming); it unbinds and exits on {type:"stop"} (or after its own limits).
import { connect } from "node:net";
import { pathToFileURL } from "node:url";
import { encodeText } from "../dist/adapters/smpp/pdu/index.js";
import { SmppSession } from "../dist/adapters/smpp/session.js";

/** The i-th bench recipient: distinct valid Chinese mobile numbers, 11 digits (139 + 8 digits). */
export const phoneOf = (i) => `139${String(i).padStart(8, "0")}`;

/** The bench's text: the signature, a marketing text, an opt-out instruction (UCS-2 on the wire). */
export const BENCH_TEXT = "【好物商城】双11大促，全场五折。回TD退订";
export const BENCH_PORT = "1069012345";

function percentile(sorted, p) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function bind(o) {
  const socket = connect({ host: "127.0.0.1", port: o.port });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const session = new SmppSession(socket, { window: o.window, enquireLinkMs: 0, responseTimeoutMs: 60_000 });
  const resp = await session.request({
    command: "bind_transceiver",
    systemId: o.systemId,
    password: o.password,
    systemType: "",
    interfaceVersion: 0x34,
    addrTon: 0,
    addrNpi: 0,
    addressRange: "",
  });
  if (resp.status !== 0) {
    session.close("bind refused");
    throw new Error(`bind refused with status 0x${resp.status.toString(16)}`);
  }
  return session;
}

async function main() {
  const o = JSON.parse(process.argv[2]);
  const send = (m) => process.send?.(m);
  const M = o.messages;
  const enc = encodeText(o.text ?? BENCH_TEXT);
  const latencies = new Float64Array(M);
  const byStatus = new Map();
  const acceptedIds = new Set();
  const receipts = { matched: 0, unmatched: 0, duplicate: 0, byStat: {} };
  const seenReceipt = new Set();
  let answered = 0;
  let errors = 0;
  let lastReceiptAt = 0;
  let onReceipt = () => {};

  const sessions = [];
  for (let b = 0; b < o.binds; b++) sessions.push(await bind(o));
  for (const s of sessions) {
    s.on("request", (pdu) => {
      if (pdu.command !== "deliver_sm") return;
      s.respond(pdu, { command: "deliver_sm_resp", messageId: "" });
      if ((pdu.esmClass & 0x3c) !== 0x04) return;
      lastReceiptAt = performance.now();
      const text = pdu.shortMessage.toString("latin1");
      const id = pdu.tlvs.receiptedMessageId || /id:(\S+)/.exec(text)?.[1] || "";
      const stat = /stat:(\w+)/.exec(text)?.[1] ?? "?";
      receipts.byStat[stat] = (receipts.byStat[stat] ?? 0) + 1;
      if (!acceptedIds.has(id)) receipts.unmatched++;
      else if (seenReceipt.has(id)) receipts.duplicate++;
      else {
        seenReceipt.add(id);
        receipts.matched++;
      }
      onReceipt();
    });
    s.on("close", (reason) => {
      if (!stopping) process.stderr.write(`smpp-load: session closed: ${reason}\n`);
    });
  }
  let stopping = false;
  const stopped = new Promise((resolve) => {
    process.on("message", (m) => {
      if (m?.type === "stop") resolve();
    });
  });
  send({ type: "bound" });
  await new Promise((resolve) => {
    process.on("message", (m) => {
      if (m?.type === "go") resolve();
    });
  });

  // One PDU object reused: the session encodes it at request() time, so only destAddr changes.
  const pdu = {
    command: "submit_sm",
    serviceType: o.serviceType ?? "",
    sourceTon: 0,
    sourceNpi: 1,
    sourceAddr: BENCH_PORT,
    destTon: 1,
    destNpi: 1,
    destAddr: "",
    esmClass: 0,
    protocolId: 0,
    priority: 0,
    scheduleDeliveryTime: "",
    validityPeriod: "",
    registeredDelivery: 1,
    replaceIfPresent: 0,
    dataCoding: enc.dataCoding,
    smDefaultMsgId: 0,
    shortMessage: enc.bytes,
    tlvs: {},
  };
  let next = 0;
  const startedAt = Date.now();
  const t0 = performance.now();
  send({ type: "started", at: startedAt });
  const deadline = t0 + o.maxSeconds * 1000;
  const worker = async (session) => {
    while (next < M && performance.now() < deadline && !session.closed) {
      const k = next++;
      pdu.destAddr = `86${phoneOf(o.phoneStart + k)}`;
      const t = performance.now();
      let r;
      try {
        r = await session.request(pdu);
      } catch {
        errors++;
        continue;
      }
      latencies[k] = performance.now() - t;
      answered++;
      const status = r.command === "generic_nack" ? -1 : r.status;
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      if (status === 0) acceptedIds.add(r.messageId);
    }
  };
  const workers = [];
  for (const s of sessions) for (let w = 0; w < o.window; w++) workers.push(worker(s));
  await Promise.all(workers);
  const elapsedS = (performance.now() - t0) / 1000;
  const answeredAt = Date.now();
  const lat = Array.from(latencies.subarray(0, Math.min(next, M))).sort((a, b) => a - b);
  const accepted = byStatus.get(0) ?? 0;
  send({
    type: "answered",
    startedAt,
    answeredAt,
    sent: next,
    answered,
    errors,
    accepted,
    byStatus: Object.fromEntries(
      [...byStatus].map(([k, v]) => [k === -1 ? "generic_nack" : `0x${k.toString(16)}`, v]),
    ),
    answersPerSecond: Math.round(answered / elapsedS),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
  });

  // Receipts: until every accepted message has one, or none came for idleMs, or maxReceiptMs passed.
  const until = performance.now() + o.maxReceiptMs;
  lastReceiptAt = Math.max(lastReceiptAt, performance.now());
  await new Promise((resolve) => {
    const check = () => {
      const now = performance.now();
      if (receipts.matched >= accepted || now > until || now - lastReceiptAt > o.receiptIdleMs) {
        clearInterval(timer);
        onReceipt = () => {};
        resolve();
      }
    };
    onReceipt = () => {
      if (receipts.matched >= accepted) check();
    };
    const timer = setInterval(check, 50);
    check();
  });
  // the wall-clock time of the last receipt (performance.now() and Date.now() share their rate)
  send({
    type: "done",
    receipts: { ...receipts },
    receiptsAt: Date.now() - (performance.now() - lastReceiptAt),
  });
  await Promise.race([stopped, new Promise((r) => setTimeout(r, 30_000))]);
  stopping = true;
  await Promise.all(sessions.map((s) => Promise.race([s.unbind(), new Promise((r) => setTimeout(r, 2000))])));
  for (const s of sessions) s.close();
  process.exit(0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.on("disconnect", () => process.exit(0));
  main().catch((err) => {
    process.stderr.write(`smpp-load: ${err?.stack ?? err}\n`);
    process.send?.({ type: "error", message: String(err?.message ?? err) });
    process.exit(1);
  });
}
