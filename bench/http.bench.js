// POST /v1/decisions over keep-alive HTTP, beside a bare fastify route with the same body, measured with
// the same load generator (autocannon, in this process) in the same run. Each server runs in its own
// child process.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { GATEWAY_NODE_ARGS } from "./gateway-args.js";

const DURATION = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_HTTP_CONNECTIONS ?? 50);
const ADMIN = "bench-admin-token-0123456789";

function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a server child on a free port and waits until it answers. */
async function start(args, env) {
  const port = await freePort();
  // the gateway with the node options `npm start` gives it (package.json)
  const argv = args[0] === "dist/main.js" ? [...GATEWAY_NODE_ARGS, ...args] : [...args, String(port)];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env, ANNING_HTTP_PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(`${url}/healthz`);
      return { child, url };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`server ${args.join(" ")} did not start`);
}

function load(url, body, headers) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/v1/decisions`,
        method: "POST",
        body,
        headers: { "content-type": "application/json", ...headers },
        connections: CONNECTIONS,
        duration: DURATION,
      },
      (err, r) => (err ? reject(err) : resolve(r)),
    );
  });
}

async function post(url, path, body, token = ADMIN) {
  const r = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const j = await r.json();
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

/** 10:00 tomorrow in Shanghai: inside the marketing window, and after the consent was recorded. */
function tomorrowAt10Shanghai() {
  const day = Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) + 1;
  return new Date(day * 86_400_000 + 2 * 3600_000).toISOString();
}

/** PostgreSQL and Redis for the bench (the machine's; a schema and key prefix of the bench's own). */
export const BENCH_PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

/** Starts anning on a store (SQLite, or PostgreSQL + Redis) and registers a sender with one consent. */
async function anningWith(store) {
  const dir = mkdtempSync(join(tmpdir(), "anning-httpbench-"));
  const schema = `bench_tmp_http_${process.pid}`;
  const env = { ANNING_DATA_DIR: dir, ANNING_ADMIN_TOKEN: ADMIN, ANNING_LOG_LEVEL: "info" };
  if (store === "postgres") {
    const pg = new URL(BENCH_PG_URL);
    pg.searchParams.set("schema", schema);
    const redis = new URL(BENCH_REDIS_URL);
    redis.searchParams.set("prefix", schema);
    Object.assign(env, { ANNING_DATABASE_URL: pg.toString(), ANNING_REDIS_URL: redis.toString() });
  }
  const anning = await start(["dist/main.js", "serve"], env);
  const url = anning.url;
  const p = await post(url, "/v1/enterprises", {
    kind: "platform",
    name: "好物商城",
    creditCode: "91330100MA2CFX8E1C",
  });
  const v = await post(url, "/v1/enterprises", {
    kind: "provider",
    name: "服务商",
    creditCode: "91440300MA5DKQ1R28",
  });
  const sig = await post(url, "/v1/signatures", {
    ownerId: p.id,
    text: "好物商城",
    scope: ["marketing.retail"],
  });
  await post(url, `/v1/signatures/${sig.id}/activate`);
  const port = await post(url, "/v1/ports", { providerId: v.id, number: "1069012345" });
  await post(url, `/v1/ports/${port.id}/allocations`, { enterpriseId: p.id, signatureIds: [sig.id] });
  await post(
    url,
    "/v1/consents",
    {
      phone: "13812345678",
      enterpriseId: p.id,
      category: "marketing.retail",
      method: "web_form_unticked_box",
      capturedAt: "2026-01-01T00:00:00Z",
      source: "bench",
      noticeText: "我同意",
    },
    p.apiKey,
  );
  const decision = {
    senderId: p.id,
    signature: "【好物商城】",
    port: "1069012345",
    phone: "13812345678",
    text: "【好物商城】双11大促，全场五折。回TD退订",
    category: "marketing.retail",
    at: tomorrowAt10Shanghai(),
  };
  const check = await post(url, "/v1/decisions", decision, p.apiKey);
  if (!check.allowed) throw new Error(`bench decision refused: ${JSON.stringify(check)}`);
  const headers = { authorization: `Bearer ${p.apiKey}` };
  return {
    url,
    body: JSON.stringify(decision),
    headers,
    /** Redis round trips so far, from /metrics (null without Redis). */
    async redisTrips() {
      const r = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const m = /^anning_redis_round_trips (\d+)/m.exec(await r.text());
      return m ? Number(m[1]) : null;
    },
    async stop() {
      // let it drain and close its store before the data dir goes
      await new Promise((resolve) => {
        anning.child.once("exit", resolve);
        anning.child.kill("SIGTERM");
      });
      rmSync(dir, { recursive: true, force: true });
      if (store === "postgres") {
        const { default: pg } = await import("pg");
        const c = new pg.Client({ connectionString: BENCH_PG_URL });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
    },
  };
}

export async function httpBench(log) {
  const row = (name, r) =>
    `${name.padEnd(40)} ${Math.round(r.requests.average).toLocaleString().padStart(8)} req/s   p50 ${r.latency.p50} ms   p99 ${r.latency.p99} ms   errors ${r.errors + r.non2xx}`;
  const bare = await start(["bench/bare-server.js"], {});
  const sqlite = await anningWith("sqlite");
  log(
    `body ${Buffer.byteLength(sqlite.body)} bytes, ${CONNECTIONS} keep-alive connections, ${DURATION} s each`,
  );
  await load(bare.url, sqlite.body, sqlite.headers); // warm both the generator and the JIT
  const b = await load(bare.url, sqlite.body, sqlite.headers);
  bare.child.kill();
  log(row("bare fastify route", b));
  await load(sqlite.url, sqlite.body, sqlite.headers);
  const a = await load(sqlite.url, sqlite.body, sqlite.headers);
  await sqlite.stop();
  log(row("anning POST /v1/decisions (SQLite)", a));
  const ratio = a.requests.average / b.requests.average;
  const p99 = a.latency.p99 / Math.max(b.latency.p99, 1);
  log(`ratio: throughput ${ratio.toFixed(2)} (target ≥ 0.6), p99 ${p99.toFixed(2)}× (target ≤ 1.5×)`);

  const pg = await anningWith("postgres");
  await load(pg.url, pg.body, pg.headers);
  const trips0 = await pg.redisTrips();
  const c = await load(pg.url, pg.body, pg.headers);
  const trips = ((await pg.redisTrips()) ?? 0) - (trips0 ?? 0);
  await pg.stop();
  log(row("anning POST /v1/decisions (PG + Redis)", c));
  const perDecision = trips / Math.max(1, c.requests.total);
  log(
    `PG + Redis: ${(c.requests.average / b.requests.average).toFixed(2)} of bare fastify; Redis round trips per decision ${perDecision.toFixed(3)} (target ≤ 1)`,
  );
  return { bare: b, anning: a, ratio, p99, postgres: c, redisTripsPerDecision: perDecision };
}
