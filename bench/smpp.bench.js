// SMPP relay through anning beside the same load bound straight to the SMSC simulator, in one run:
//   1. simulator answering at once: (a) client → simulator, (b) client → anning (full policy) → simulator;
//   2. the same with the simulator answering in 20 ms (window-bound, like a real carrier);
//   3. HTTP in, SMPP out: anning's POST /v1/messages beside Kannel's /cgi-bin/sendsms, both bound to the
//      simulator.
// anning, the simulator, Kannel and the SMPP load client (bench/smpp-load.js) each run in their own
// process; this one only orchestrates (and runs autocannon for part 3, as http.bench.js does).
//
// Options (environment): BENCH_SMPP_BINDS (4), BENCH_SMPP_WINDOW (100), BENCH_SMPP_MESSAGES (100,000),
// BENCH_SMPP_WARMUP (5,000), BENCH_SMPP_LATENCY_MS (20), BENCH_SMPP_RECEIPT_DELAY_MS (50),
// BENCH_SMPP_SIM_WINDOW (receipts the simulator keeps outstanding per bind; BENCH_SMPP_WINDOW),
// BENCH_SMPP_PARTS (1,2,3), BENCH_HTTP_SECONDS (10), BENCH_HTTP_CONNECTIONS (50), BENCH_PROFILE=1 (anning
// child under --cpu-prof, into /tmp/anning-prof), BENCH_ANNING_NODE_ARGS (more node options for the
// anning child, say --trace-gc), BENCH_ANNING_STDOUT (a file for its stdout),
// BENCH_SMPP_STORE=postgres (anning on PostgreSQL + Redis, BENCH_PG_URL / BENCH_REDIS_URL, in a schema of
// its own dropped after; part 1 only: one run uses up the seeded recipients' daily cap).
import { fork, spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { reasonToSmppStatus } from "../dist/adapters/smpp/command-status.js";
import { REASON_CODES } from "../dist/domain/policy/reason-codes.js";
import { GATEWAY_NODE_ARGS } from "./gateway-args.js";
import { BENCH_PORT, BENCH_TEXT, phoneOf } from "./smpp-load.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MAIN = join(ROOT, "dist/main.js");
const LOAD = join(ROOT, "bench/smpp-load.js");

const BINDS = Number(process.env.BENCH_SMPP_BINDS ?? 4);
const WINDOW = Number(process.env.BENCH_SMPP_WINDOW ?? 100);
const MESSAGES = Number(process.env.BENCH_SMPP_MESSAGES ?? 100_000);
const WARMUP = Number(process.env.BENCH_SMPP_WARMUP ?? 5_000);
const LATENCY_MS = Number(process.env.BENCH_SMPP_LATENCY_MS ?? 20);
/** Receipts (deliver_sm) the simulator keeps outstanding per bind: the clients' window unless set. */
const SIM_WINDOW = Number(process.env.BENCH_SMPP_SIM_WINDOW ?? WINDOW);
/** How long the simulator waits before each receipt (a long one separates the receipt flood in a profile). */
const RECEIPT_DELAY_MS = Number(process.env.BENCH_SMPP_RECEIPT_DELAY_MS ?? 50);
const STORE = process.env.BENCH_SMPP_STORE === "postgres" ? "postgres" : "sqlite";
const PARTS =
  STORE === "postgres"
    ? new Set(["1"])
    : new Set((process.env.BENCH_SMPP_PARTS ?? "1,2,3").split(",").map((s) => s.trim()));
const PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const PG_SCHEMA = `bench_smpp_${process.pid}`;

/** anning's store settings: none for SQLite (the data dir), a schema and a key prefix of its own for PostgreSQL. */
function storeEnv() {
  if (STORE !== "postgres") return {};
  const pg = new URL(PG_URL);
  pg.searchParams.set("schema", PG_SCHEMA);
  const redis = new URL(REDIS_URL);
  redis.searchParams.set("prefix", PG_SCHEMA);
  return { ANNING_DATABASE_URL: pg.toString(), ANNING_REDIS_URL: redis.toString() };
}

async function dropPgSchema() {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
  } finally {
    await c.end();
  }
}
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const HTTP_WARMUP_SECONDS = Number(process.env.BENCH_HTTP_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
/** Extra node options for the anning child (say --trace-gc), and a file its stdout is copied to. */
const ANNING_NODE_ARGS = process.env.BENCH_ANNING_NODE_ARGS ?? "";
const ANNING_STDOUT = process.env.BENCH_ANNING_STDOUT ?? "";
const PROFILE = process.env.BENCH_PROFILE === "1" || process.env.BENCH_PROFILE === "all";
/** BENCH_PROFILE=all also profiles the simulator and the load client (into sim/ and load/ below the dir). */
const PROFILE_ALL = process.env.BENCH_PROFILE === "all";
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ?? "/tmp/anning-prof";
/**
 * Node options of the simulator and the load client: the gateway's young generation (their garbage is as
 * short-lived; with the default, a fifth of the simulator's CPU went to scavenges, on the cores anning
 * shares), and a profile with BENCH_PROFILE=all.
 */
const profArgs = (sub) => {
  if (!PROFILE_ALL) return [...GATEWAY_NODE_ARGS];
  mkdirSync(join(PROFILE_DIR, sub), { recursive: true });
  return [...GATEWAY_NODE_ARGS, "--cpu-prof", `--cpu-prof-dir=${join(PROFILE_DIR, sub)}`];
};
/**
 * Consented recipients, one message each (the default cap is 1 marketing message per recipient per sender
 * per day): every run works on a fresh copy of the seeded data dir, so the SMPP runs use [0, MESSAGES +
 * WARMUP) and the HTTP runs [0, PHONES) again.
 */
const PHONES = MESSAGES + WARMUP + Number(process.env.BENCH_SMPP_EXTRA_PHONES ?? 50_000);
/** Where anning's data dirs go (e.g. /dev/shm to take the disk out of the figures); default the tmpdir. */
const DATA_ROOT = process.env.BENCH_SMPP_DATA_ROOT ?? tmpdir();
/** Upper bounds on each wait, so nothing hangs the bench. */
const RUN_MAX_S = Number(process.env.BENCH_SMPP_RUN_MAX_S ?? 45);
const DRAIN_IDLE_MS = 10_000;
const DRAIN_MAX_MS = 60_000;

const ADMIN = "bench-admin-token-0123456789";
const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"]).stdout?.toString().trim()) || 100;
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------- children

/** Every child started here: killed at exit, whatever happens. */
const children = new Set();
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

function track(child, name) {
  children.add(child);
  child.benchName = name;
  let tail = "";
  const keep = (d) => {
    tail = (tail + d.toString("utf8")).slice(-8192);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.tail = () => tail;
  child.on("exit", () => children.delete(child));
  return child;
}

const exited = (c) => c.exitCode !== null || c.signalCode !== null;

/** SIGTERM (SIGINT for nothing), then SIGKILL after graceMs; resolves on exit. */
function stopChild(child, graceMs = 10_000) {
  if (!child || exited(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitUntil(what, check, timeoutMs, child) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child && exited(child)) throw new Error(`${what}: ${child.benchName} exited\n${child.tail()}`);
    try {
      const v = await check();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms\n${child?.tail() ?? ""}`);
    await sleep(50);
  }
}

/** utime + stime of a process, in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return Number.NaN;
  }
}
const ticksToUs = (t) => (t * 1e6) / CLK_TCK;

/** SMPP command_status → anning's reason code, to print refusals by name ("0x40e CONSENT_MISSING"). */
const STATUS_NAMES = new Map([
  [0, "ok"],
  [0x58, "ESME_RTHROTTLED"],
  [0x08, "ESME_RSYSERR"],
  [0x14, "ESME_RMSGQFUL"],
  ...REASON_CODES.map((c) => [reasonToSmppStatus(c), c]),
]);
const statusName = (hex) => {
  const name = STATUS_NAMES.get(Number.parseInt(hex, 16));
  return name ? `${hex} ${name}` : hex;
};

// --------------------------------------------------------------------------------------------- simulator

export async function startSim(latencyMs) {
  const port = await freePort();
  const controlPort = await freePort();
  const args = [
    ...profArgs("sim"),
    MAIN,
    "smsc-sim",
    "--port",
    String(port),
    "--control-port",
    String(controlPort),
  ];
  // the simulator keeps as many receipts outstanding per bind as the clients keep submits (BENCH_SMPP_WINDOW)
  args.push(
    "--latency-ms",
    String(latencyMs),
    "--receipt-delay-ms",
    String(RECEIPT_DELAY_MS),
    "--window",
    String(SIM_WINDOW),
  );
  const child = track(spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] }), "smsc-sim");
  const control = `http://127.0.0.1:${controlPort}`;
  const sim = {
    child,
    port,
    control,
    async stats() {
      const r = await fetch(`${control}/stats`);
      return r.json();
    },
    stop: () => stopChild(child, 5000),
  };
  await waitUntil("smsc-sim start", () => sim.stats(), 15_000, child);
  return sim;
}

/**
 * Polls the simulator's counters (every 20 ms) from now on; `reached(n)` resolves with the time its
 * submits first reached n (or null when they stop growing for DRAIN_IDLE_MS, or after DRAIN_MAX_MS).
 */
function watchSim(sim, onReach) {
  let latest = { at: Date.now(), submits: 0, rejected: 0, receiptsSent: 0 };
  let stop = false;
  const waiters = [];
  let lastGrowth = Date.now();
  const loop = (async () => {
    while (!stop) {
      try {
        const s = await sim.stats();
        const at = Date.now();
        if (s.submits !== latest.submits) lastGrowth = at;
        latest = { at, ...s };
        for (let i = waiters.length - 1; i >= 0; i--) {
          const w = waiters[i];
          if (latest.submits >= w.n) {
            waiters.splice(i, 1);
            onReach?.(w.n);
            w.resolve({ at, submits: latest.submits });
          }
        }
      } catch {
        // the simulator is busy or gone: try again
      }
      await sleep(20);
    }
  })();
  return {
    get latest() {
      return latest;
    },
    reached(n, sinceAt = Date.now()) {
      if (latest.submits >= n) return Promise.resolve({ at: latest.at, submits: latest.submits });
      lastGrowth = Math.max(lastGrowth, sinceAt);
      return new Promise((resolve) => {
        const w = { n, resolve };
        waiters.push(w);
        const start = Date.now();
        const t = setInterval(() => {
          const now = Date.now();
          if (!waiters.includes(w)) return clearInterval(t);
          if (now - lastGrowth > DRAIN_IDLE_MS || now - start > DRAIN_MAX_MS) {
            clearInterval(t);
            waiters.splice(waiters.indexOf(w), 1);
            resolve(null);
          }
        }, 100);
      });
    },
    async close() {
      stop = true;
      await loop;
    },
  };
}

// ------------------------------------------------------------------------------------------------ anning

function anningEnv(dir, extra = {}) {
  return {
    ...process.env,
    ANNING_DATA_DIR: dir,
    ANNING_ADMIN_TOKEN: ADMIN,
    ANNING_LOG_LEVEL: "warn",
    ...storeEnv(),
    ...extra,
  };
}

/** 10:00 tomorrow in Shanghai (+08:00): inside the marketing window, after the consents were recorded. */
export function tomorrowAt10Shanghai() {
  const day = Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) + 1;
  return new Date(day * 86_400_000 + 2 * 3600_000).toISOString();
}

export async function startAnning(dir, extraEnv, { profile = false } = {}) {
  const httpPort = await freePort();
  const smppPort = await freePort();
  // as `npm start` runs it (a young generation large enough for the messages in flight)
  const execArgv = [...GATEWAY_NODE_ARGS];
  if (profile) execArgv.push("--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`);
  if (profile) mkdirSync(PROFILE_DIR, { recursive: true });
  if (ANNING_NODE_ARGS) execArgv.push(...ANNING_NODE_ARGS.split(/\s+/).filter(Boolean));
  const env = anningEnv(dir, {
    ANNING_HTTP_PORT: String(httpPort),
    ANNING_SMPP_PORT: String(smppPort),
    ...extraEnv,
  });
  const child = track(
    spawn(process.execPath, [...execArgv, MAIN, "serve"], { env, stdio: ["ignore", "pipe", "pipe"] }),
    "anning",
  );
  if (ANNING_STDOUT) child.stdout.on("data", (d) => appendFileSync(ANNING_STDOUT, d));
  const url = `http://127.0.0.1:${httpPort}`;
  await waitUntil("anning start", async () => (await fetch(`${url}/healthz`)).status > 0, 60_000, child);
  return { child, url, smppPort, stop: () => stopChild(child, 20_000) };
}

async function post(url, path, body, token = ADMIN) {
  const r = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = r.status === 204 ? {} : await r.json();
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

/**
 * A data dir holding the registry (platform, provider, active signature, allocated port, SMPP account)
 * and PHONES consents, imported with `anning consents import` before any server runs on it. Each run
 * works on a copy, so every run starts from the same state.
 */
export async function seed(log) {
  const dir = mkdtempSync(join(DATA_ROOT, "anning-smppbench-seed-"));
  tmpDirs.push(dir);
  const t0 = performance.now();
  const a = await startAnning(dir, { ANNING_SMPP_ENABLED: "0" });
  let ids;
  try {
    const p = await post(a.url, "/v1/enterprises", {
      kind: "platform",
      name: "好物商城",
      creditCode: "91330100MA2CFX8E1C",
    });
    const v = await post(a.url, "/v1/enterprises", {
      kind: "provider",
      name: "服务商",
      creditCode: "91440300MA5DKQ1R28",
    });
    const sig = await post(a.url, "/v1/signatures", {
      ownerId: p.id,
      text: "【好物商城】",
      scope: ["marketing.retail"],
    });
    await post(a.url, `/v1/signatures/${sig.id}/activate`);
    const port = await post(a.url, "/v1/ports", { providerId: v.id, number: BENCH_PORT });
    await post(a.url, `/v1/ports/${port.id}/allocations`, { enterpriseId: p.id, signatureIds: [sig.id] });
    const acct = await post(a.url, "/v1/smpp/accounts", {
      enterpriseId: p.id,
      defaultCategory: "marketing.retail",
      tps: 100_000,
      maxBinds: 16,
    });
    ids = { platformId: p.id, apiKey: p.apiKey, systemId: acct.systemId, password: acct.password };
  } finally {
    await a.stop();
  }
  const csv = join(dir, "consents.csv");
  const capturedAt = new Date(Date.now() - 86_400_000).toISOString();
  const lines = ["phone,enterpriseId,category,method,capturedAt,source,noticeText"];
  for (let i = 0; i < PHONES; i++)
    lines.push(
      `${phoneOf(i)},${ids.platformId},marketing.retail,web_form_unticked_box,${capturedAt},https://shop.example/register,我同意接收好物商城的促销短信`,
    );
  writeFileSync(csv, `${lines.join("\n")}\n`);
  const t1 = performance.now();
  const imp = spawnSync(process.execPath, [MAIN, "consents", "import", csv], {
    env: anningEnv(dir),
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 240_000,
  });
  if (imp.status !== 0)
    throw new Error(`consents import failed (${imp.status}): ${imp.stdout}\n${imp.stderr}`.slice(-4000));
  const importS = (performance.now() - t1) / 1000;
  const summary = imp.stdout.toString().trim().split("\n").pop();
  rmSync(csv, { force: true });
  log(
    `seeded: registry, SMPP account and ${fmt(PHONES)} consents (anning consents import: ${importS.toFixed(1)} s, ${fmt(PHONES / importS)}/s; ${summary}); setup ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return { dir, ...ids };
}

/** Temporary directories of this run, removed at the end (unless BENCH_KEEP_DIRS is set). */
const tmpDirs = [];

/** A fresh copy of the seeded data dir. */
export function runDir(seedDir) {
  const dir = mkdtempSync(join(DATA_ROOT, "anning-smppbench-run-"));
  tmpDirs.push(dir);
  cpSync(seedDir, dir, { recursive: true });
  return dir;
}

// ------------------------------------------------------------------------------------------- load client

/** Starts the load client (bench/smpp-load.js) and returns a handle to drive it. */
export function startLoad(opts) {
  const child = track(
    fork(LOAD, [JSON.stringify(opts)], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      execArgv: profArgs("load"),
    }),
    "smpp-load",
  );
  const inbox = [];
  const waiting = [];
  child.on("message", (m) => {
    const i = waiting.findIndex((w) => w.type === m.type || m.type === "error");
    if (i >= 0) waiting.splice(i, 1)[0].resolve(m);
    else inbox.push(m);
  });
  const next = (type, timeoutMs) => {
    const i = inbox.findIndex((m) => m.type === type || m.type === "error");
    const got = i >= 0 ? Promise.resolve(inbox.splice(i, 1)[0]) : null;
    return (
      got ??
      new Promise((resolve, reject) => {
        const w = { type, resolve };
        waiting.push(w);
        const t = setTimeout(() => {
          waiting.splice(waiting.indexOf(w), 1);
          reject(new Error(`load client: no "${type}" within ${timeoutMs} ms\n${child.tail()}`));
        }, timeoutMs);
        child.once("exit", () => {
          clearTimeout(t);
          if (waiting.includes(w)) reject(new Error(`load client exited before "${type}"\n${child.tail()}`));
        });
        const orig = w.resolve;
        w.resolve = (m) => {
          clearTimeout(t);
          if (m.type === "error") reject(new Error(`load client: ${m.message}\n${child.tail()}`));
          else orig(m);
        };
      })
    );
  };
  return {
    child,
    next,
    send: (m) => child.connected && child.send(m),
    async stop() {
      if (child.connected) child.send({ type: "stop" });
      await Promise.race([new Promise((r) => child.once("exit", r)), sleep(5000)]);
      await stopChild(child, 2000);
    },
  };
}

/**
 * One measured run of the load client against `port`: M submits over N binds × W window, then the
 * receipts. `anningPid` (when relaying) is sampled for CPU. Returns every figure.
 */
async function loadRun(sim, { port, systemId, password, messages, phoneStart, anningPid }) {
  const load = startLoad({
    port,
    systemId,
    password,
    binds: BINDS,
    window: WINDOW,
    messages,
    phoneStart,
    maxSeconds: RUN_MAX_S,
    maxReceiptMs: 60_000,
    receiptIdleMs: 10_000,
  });
  const watch = watchSim(sim);
  try {
    await load.next("bound", 30_000);
    await sleep(100);
    const base = await sim.stats();
    let cpuAtReach = Number.NaN;
    const cpu0 = anningPid ? cpuTicks(anningPid) : Number.NaN;
    // the other two processes on the same cores: what they take is what anning cannot have
    const others0 = cpuTicks(sim.child.pid) + cpuTicks(load.child.pid);
    load.send({ type: "go" });
    await load.next("started", 10_000);
    const answered = await load.next("answered", (RUN_MAX_S + 30) * 1000);
    const reach = await watch.reached(base.submits + answered.accepted, answered.answeredAt);
    if (anningPid) cpuAtReach = cpuTicks(anningPid);
    const done = await load.next("done", 90_000);
    const cpu1 = anningPid ? cpuTicks(anningPid) : Number.NaN;
    const others1 = cpuTicks(sim.child.pid) + cpuTicks(load.child.pid);
    const end = await sim.stats();
    const simSubmits = end.submits - base.submits;
    const simRejected = end.rejected - base.rejected;
    const e2eS = ((reach?.at ?? Date.now()) - answered.startedAt) / 1000;
    return {
      ...answered,
      receipts: done.receipts,
      // until the last receipt reached the client: the rate the whole round trip sustains
      receiptsPerSecond: done.receipts.matched / ((done.receiptsAt - answered.startedAt) / 1000),
      simSubmits,
      simRejected,
      reached: reach !== null,
      e2eS,
      e2ePerSecond: (reach ? answered.accepted : simSubmits) / e2eS,
      cpuUsToSim: ticksToUs(cpuAtReach - cpu0),
      cpuUsAll: ticksToUs(cpu1 - cpu0),
      cpuUsOthers: ticksToUs(others1 - others0),
    };
  } finally {
    await watch.close();
    await load.stop();
  }
}

/** Warm-up then measured run, straight to the simulator or through anning. */
async function pair(seedInfo, latencyMs, log, label) {
  const sim = await startSim(latencyMs);
  let anning = null;
  const out = {};
  try {
    // (a) straight to the simulator
    const direct = { port: sim.port, systemId: "bench", password: "bench" };
    if (WARMUP > 0) await loadRun(sim, { ...direct, messages: WARMUP, phoneStart: MESSAGES });
    out.a = await loadRun(sim, { ...direct, messages: MESSAGES, phoneStart: 0 });

    // (b) through anning: upstream capacity = the client's (binds × window)
    const dir = runDir(seedInfo.dir);
    const upstream = `smpp://anning:anning@127.0.0.1:${sim.port}?window=${WINDOW}&binds=${BINDS}`;
    const before = (await sim.stats()).bound;
    anning = await startAnning(
      dir,
      {
        ANNING_UPSTREAM: upstream,
        ANNING_TEST_CLOCK: "1",
        ANNING_TEST_CLOCK_START: tomorrowAt10Shanghai(),
      },
      { profile: PROFILE },
    );
    await waitUntil(
      "anning's upstream binds",
      async () => (await sim.stats()).bound >= before + BINDS,
      15_000,
      anning.child,
    );
    const via = {
      port: anning.smppPort,
      systemId: seedInfo.systemId,
      password: seedInfo.password,
      anningPid: anning.child.pid,
    };
    if (WARMUP > 0) await loadRun(sim, { ...via, messages: WARMUP, phoneStart: MESSAGES });
    out.b = await loadRun(sim, { ...via, messages: MESSAGES, phoneStart: 0 });
    out.upstream = upstream.replace(/:[^:@/]+@/, ":***@");
  } finally {
    await anning?.stop();
    await sim.stop();
  }
  report(log, label, out);
  return out;
}

function report(log, label, { a, b, upstream }) {
  const codes = (r) =>
    Object.entries(r.byStatus)
      .map(([k, v]) => `${statusName(k)}: ${fmt(v)}`)
      .join(", ");
  const row = (name, r) =>
    `${name.padEnd(34)} ${fmt(r.e2ePerSecond).padStart(8)} msg/s to the simulator   answers ${fmt(r.answersPerSecond).padStart(7)}/s   receipts back ${fmt(r.receiptsPerSecond).padStart(7)}/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms`;
  log(
    `${MESSAGES.toLocaleString("en-US")} messages, ${BINDS} transceiver binds × window ${WINDOW}; ${label}`,
  );
  log(row("(a) client → simulator", a));
  log(row("(b) client → anning → simulator", b));
  for (const [name, r] of [
    ["(a)", a],
    ["(b)", b],
  ]) {
    const lost = r.accepted - r.simSubmits;
    log(
      `${name} ${r.sent < MESSAGES ? `sent ${fmt(r.sent)} of ${fmt(MESSAGES)} (the ${RUN_MAX_S} s limit), ` : ""}answered ${fmt(r.answered)}/${fmt(r.sent)} (${codes(r)}; errors ${r.errors}); the simulator took ${fmt(r.simSubmits)} ` +
        `(${lost === 0 ? "none lost" : lost > 0 ? `${fmt(lost)} LOST` : `${fmt(-lost)} MORE than accepted`}${r.reached ? "" : ", drain timed out"}); ` +
        `receipts ${fmt(r.receipts.matched)}/${fmt(r.accepted)}${r.receipts.duplicate ? ` (+${r.receipts.duplicate} duplicates)` : ""}${r.receipts.unmatched ? ` (+${r.receipts.unmatched} unmatched)` : ""}`,
    );
  }
  log(
    `anning CPU per relayed message: ${(b.cpuUsToSim / Math.max(1, b.accepted)).toFixed(1)} µs until the simulator had them, ${(b.cpuUsAll / Math.max(1, b.accepted)).toFixed(1)} µs with the receipts (upstream ${upstream})`,
  );
  // the ceiling these figures allow: every core busy, split between anning and the two bench processes
  const perMsg = (us, r) => us / Math.max(1, r.accepted);
  const othersB = perMsg(b.cpuUsOthers, b);
  const ceiling = (availableParallelism() * 1e6) / (perMsg(b.cpuUsAll, b) + othersB);
  log(
    `load client + simulator CPU per message: (a) ${perMsg(a.cpuUsOthers, a).toFixed(1)} µs, (b) ${othersB.toFixed(1)} µs; ` +
      `with all ${availableParallelism()} cores busy, (b) could reach at most ${fmt(ceiling)} msg/s at these costs`,
  );
}

// ------------------------------------------------------------------------------------------ HTTP, Kannel

function cannon(opts) {
  return new Promise((resolve, reject) => {
    autocannon({ connections: CONNECTIONS, ...opts }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}
const countOf = (r, code) => r.statusCodeStats?.[code]?.count ?? 0;

/** autocannon for `seconds`, then the simulator's count until every accepted message reached it. */
async function httpRun(sim, watch, opts, seconds, acceptedCode, pids) {
  const base = await sim.stats();
  const cpu0 = pids.map(cpuTicks);
  const t0 = Date.now();
  const r = await cannon({ ...opts, duration: seconds });
  const accepted = countOf(r, acceptedCode);
  const reach = await watch.reached(base.submits + accepted, Date.now());
  const cpu1 = pids.map(cpuTicks);
  // requests in flight when the load stopped were not counted by autocannon, but may have been accepted:
  // let them arrive, so that they are counted here and not in the next run
  let end = await sim.stats();
  for (let n = 0; n < 50; n++) {
    await sleep(200);
    const s = await sim.stats();
    if (s.submits === end.submits) break;
    end = s;
  }
  const simSubmits = end.submits - base.submits;
  const e2eS = ((reach?.at ?? Date.now()) - t0) / 1000;
  return {
    r,
    accepted,
    simSubmits,
    reached: reach !== null,
    e2eS,
    e2ePerSecond: (reach ? accepted : simSubmits) / e2eS,
    acceptedPerSecond: accepted / seconds,
    cpuUs: cpu1.reduce((s, v, i) => s + ticksToUs(v - cpu0[i]), 0),
  };
}

function httpRow(name, x, acceptedCode, otherCodes) {
  const codes = Object.entries(x.r.statusCodeStats ?? {})
    .map(([k, v]) => `${k}:${fmt(v.count)}`)
    .join(" ");
  const lost = x.accepted - x.simSubmits;
  return [
    `${name.padEnd(34)} ${fmt(x.e2ePerSecond).padStart(8)} msg/s to the simulator   HTTP ${acceptedCode} ${fmt(x.acceptedPerSecond)}/s   p50 ${x.r.latency.p50} ms   p99 ${x.r.latency.p99} ms`,
    `   responses ${codes || "none"}${otherCodes}; errors ${x.r.errors}, timeouts ${x.r.timeouts}; the simulator took ${fmt(x.simSubmits)} (${lost === 0 ? "none lost" : lost > 0 ? `${fmt(lost)} LOST` : -lost <= CONNECTIONS ? `${fmt(-lost)} more: requests in flight when the load stopped` : `${fmt(-lost)} MORE than accepted`}${x.reached ? "" : ", drain timed out"}); CPU ${(x.cpuUs / Math.max(1, x.accepted)).toFixed(1)} µs per accepted message`,
  ].join("\n");
}

async function anningHttp(seedInfo) {
  const sim = await startSim(0);
  const watch = watchSim(sim);
  let anning = null;
  try {
    const dir = runDir(seedInfo.dir);
    const before = (await sim.stats()).bound;
    anning = await startAnning(
      dir,
      {
        ANNING_UPSTREAM: `smpp://anning:anning@127.0.0.1:${sim.port}?window=${WINDOW}&binds=${BINDS}`,
        ANNING_TEST_CLOCK: "1",
        ANNING_TEST_CLOCK_START: tomorrowAt10Shanghai(),
        ANNING_SMPP_ENABLED: "0",
      },
      { profile: PROFILE },
    );
    await waitUntil(
      "anning's upstream binds",
      async () => (await sim.stats()).bound >= before + BINDS,
      15_000,
      anning.child,
    );
    let i = 0;
    const body = (phone) =>
      JSON.stringify({
        senderId: seedInfo.platformId,
        signature: "【好物商城】",
        port: BENCH_PORT,
        phone,
        category: "marketing.retail",
        text: BENCH_TEXT,
      });
    const opts = {
      url: `${anning.url}/v1/messages`,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${seedInfo.apiKey}` },
      requests: [
        {
          setupRequest: (req) => {
            // past the consented pool the numbers repeat: FREQUENCY_CAP, counted as 422
            req.body = body(phoneOf(i++ % PHONES));
            return req;
          },
        },
      ],
    };
    await httpRun(sim, watch, opts, HTTP_WARMUP_SECONDS, "202", []);
    const x = await httpRun(sim, watch, opts, HTTP_SECONDS, "202", [anning.child.pid]);
    x.phonesUsed = i;
    return x;
  } finally {
    await watch.close();
    await anning?.stop();
    await sim.stop();
  }
}

function kannelBinary(name) {
  for (const d of [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/usr/local/sbin", "/sbin"]) {
    if (d && existsSync(join(d, name))) return join(d, name);
  }
  return null;
}

/** bearerbox + smsbox bound to the simulator as N transceiver ESMEs with W pending submits each. */
async function startKannel(simPort, dir) {
  const bearerbox = kannelBinary("bearerbox");
  const smsbox = kannelBinary("smsbox");
  if (!bearerbox || !smsbox) return null;
  const adminPort = await freePort();
  const smsboxPort = await freePort();
  const sendsmsPort = await freePort();
  const smsc = (n) => `
group = smsc
smsc = smpp
smsc-id = sim
smsc-admin-id = sim${n}
host = 127.0.0.1
port = ${simPort}
transceiver-mode = true
smsc-username = "kannel"
smsc-password = "kannel"
system-type = ""
interface-version = 34
enquire-link-interval = 30
max-pending-submits = ${WINDOW}
reconnect-delay = 1
`;
  const conf = `group = core
admin-port = ${adminPort}
admin-interface = 127.0.0.1
admin-password = "benchadmin"
status-password = "benchadmin"
admin-deny-ip = "*.*.*.*"
admin-allow-ip = "127.0.0.1"
smsbox-port = ${smsboxPort}
box-deny-ip = "*.*.*.*"
box-allow-ip = "127.0.0.1"
log-file = "${dir}/bearerbox.log"
log-level = 2
dlr-storage = internal
sms-resend-freq = 2
${Array.from({ length: BINDS }, (_, n) => smsc(n)).join("")}
group = smsbox
bearerbox-host = 127.0.0.1
sendsms-port = ${sendsmsPort}
log-file = "${dir}/smsbox.log"
log-level = 2

group = sendsms-user
username = "bench"
password = "bench"
user-deny-ip = "*.*.*.*"
user-allow-ip = "127.0.0.1"
concatenation = true
max-messages = 10

group = sms-service
keyword = default
catch-all = true
max-messages = 0
omit-empty = true
text = ""
`;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "kannel.conf");
  writeFileSync(file, conf);
  // -v 2: the console logs what the files do (its default, debug, would measure the logger)
  const bb = track(
    spawn(bearerbox, ["-v", "2", file], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }),
    "bearerbox",
  );
  const status = async () =>
    (await fetch(`http://127.0.0.1:${adminPort}/status.txt?password=benchadmin`)).text();
  let sb = null;
  const k = {
    sendsmsPort,
    pids: () => [bb.pid, sb?.pid].filter(Boolean),
    async stop() {
      await Promise.all([stopChild(sb, 5000), stopChild(bb, 5000)]);
    },
  };
  try {
    await waitUntil("bearerbox start", async () => /Status: running/.test(await status()), 20_000, bb);
    sb = track(spawn(smsbox, ["-v", "2", file], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }), "smsbox");
    await waitUntil(
      "smsbox start",
      async () =>
        /smsbox:.*on-line/.test(await status()) &&
        (await fetch(`http://127.0.0.1:${sendsmsPort}/`)).status > 0,
      20_000,
      sb,
    );
    await waitUntil(
      "Kannel's binds online",
      async () => ((await status()).match(/\(online/g) ?? []).length >= BINDS,
      20_000,
      bb,
    );
  } catch (err) {
    await k.stop();
    throw err;
  }
  return k;
}

/** Whether Kannel asks for receipts in part 3, as anning does (BENCH_KANNEL_DLR=0: it does not). */
const KANNEL_DLR = process.env.BENCH_KANNEL_DLR !== "0";

/** A local HTTP endpoint for Kannel's dlr-url callbacks, counting them. */
function dlrSink() {
  return new Promise((resolve) => {
    const sink = { count: 0, url: "", close: () => new Promise((r) => server.close(() => r())) };
    const server = createHttpServer((req, res) => {
      sink.count++;
      req.resume();
      res.end("ok");
    });
    server.keepAliveTimeout = 10_000;
    server.listen(0, "127.0.0.1", () => {
      sink.url = `http://127.0.0.1:${server.address().port}`;
      resolve(sink);
    });
  });
}

async function kannelHttp() {
  if (!kannelBinary("bearerbox") || !kannelBinary("smsbox")) return null;
  const sim = await startSim(0);
  const watch = watchSim(sim);
  const dir = mkdtempSync(join(tmpdir(), "anning-smppbench-kannel-"));
  let kannel = null;
  try {
    kannel = await startKannel(sim.port, dir);
    let i = 0;
    // like anning, Kannel asks for receipts (registered_delivery) and hands each on, to an HTTP sink here
    const sink = KANNEL_DLR ? await dlrSink() : null;
    const base = `/cgi-bin/sendsms?${new URLSearchParams({
      username: "bench",
      password: "bench",
      from: BENCH_PORT,
      text: BENCH_TEXT,
      coding: "2",
      charset: "UTF-8",
      ...(sink ? { "dlr-mask": "3", "dlr-url": `${sink.url}/dlr?type=%d` } : {}),
    })}&to=86`;
    kannel.dlrs = () => sink?.count ?? 0;
    kannel.closeSink = () => sink?.close();
    const opts = {
      url: `http://127.0.0.1:${kannel.sendsmsPort}`,
      method: "GET",
      requests: [
        {
          setupRequest: (req) => {
            req.path = `${base}${phoneOf(i++ % PHONES)}`;
            return req;
          },
        },
      ],
    };
    await httpRun(sim, watch, opts, HTTP_WARMUP_SECONDS, "202", []);
    const r = await httpRun(sim, watch, opts, HTTP_SECONDS, "202", kannel.pids());
    if (KANNEL_DLR) {
      await new Promise((res) => setTimeout(res, 2000));
      r.dlrs = kannel.dlrs();
    }
    return r;
  } finally {
    await watch.close();
    await kannel?.closeSink?.();
    await kannel?.stop();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------- the bench

export async function smppBench(log) {
  const onSignal = () => {
    for (const c of children) c.kill("SIGKILL");
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const results = {};
  try {
    if (PROFILE) log(`BENCH_PROFILE=1: the anning child runs under --cpu-prof, profiles in ${PROFILE_DIR}`);
    if (STORE === "postgres") log(`anning on PostgreSQL + Redis (schema ${PG_SCHEMA}); part 1 only`);
    const seeded = await seed(log);

    if (PARTS.has("1")) {
      log("-- 1. SMPP in, SMPP out: the simulator answers at once");
      const r = await pair(seeded, 0, log, "simulator latency 0 ms");
      results.instant = r;
      log(
        `ratio (b)/(a): ${(r.b.e2ePerSecond / r.a.e2ePerSecond).toFixed(2)}   through anning ${fmt(r.b.e2ePerSecond)} msg/s   target ≥ 15,000 msg/s`,
      );
    }
    if (PARTS.has("2")) {
      log(
        `-- 2. SMPP in, SMPP out: the simulator answers in ${LATENCY_MS} ms (window-bound, like a carrier)`,
      );
      const r = await pair(seeded, LATENCY_MS, log, `simulator latency ${LATENCY_MS} ms`);
      results.latency = r;
      const bound = (BINDS * WINDOW * 1000) / LATENCY_MS;
      log(
        `ratio (b)/(a): ${(r.b.e2ePerSecond / r.a.e2ePerSecond).toFixed(2)}   target ≥ 0.9   (window bound: ${BINDS}×${WINDOW} / ${LATENCY_MS} ms = ${fmt(bound)} msg/s)`,
      );
    }
    if (PARTS.has("3")) {
      log(
        `-- 3. HTTP in, SMPP out: ${CONNECTIONS} keep-alive connections, ${HTTP_SECONDS} s after ${HTTP_WARMUP_SECONDS} s of warm-up; both bound to the simulator with ${BINDS} binds × window ${WINDOW}`,
      );
      const an = await anningHttp(seeded);
      log(httpRow("anning POST /v1/messages", an, "202", ""));
      if (an.phonesUsed > PHONES)
        log(
          `   (the ${fmt(PHONES)} consented numbers ran out: requests after that were refused FREQUENCY_CAP)`,
        );
      const ka = await kannelHttp();
      if (!ka) log("kannel not installed, skipped");
      else {
        log(httpRow("Kannel /cgi-bin/sendsms", ka, "202", ""));
        if (ka.dlrs !== undefined)
          log(
            `   Kannel receipts posted to its dlr-url: ${ka.dlrs.toLocaleString("en-US")} (warm-up included)`,
          );
        log(
          `ratio anning/Kannel: ${(an.e2ePerSecond / ka.e2ePerSecond).toFixed(2)} to the simulator, ${(an.acceptedPerSecond / ka.acceptedPerSecond).toFixed(2)} HTTP accepted   target ≥ 1   (${KANNEL_DLR ? "both ask for receipts; Kannel posts each to its dlr-url, anning records it" : "Kannel asks no receipts (BENCH_KANNEL_DLR=0); anning asks and records them"})`,
        );
      }
      results.http = { anning: an, kannel: ka };
    }
  } finally {
    for (const c of [...children]) await stopChild(c, 5000);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (!process.env.BENCH_KEEP_DIRS)
      for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
    if (STORE === "postgres") await dropPgSchema().catch((err) => log(`schema not dropped: ${err.message}`));
  }
  return results;
}
