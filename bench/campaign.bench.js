// Campaign decisions against a store holding N consent records (default 10,000,000).
// Prints: seeding rate, index load time, decisions per second for the deciding itself,
// seconds end to end until every result is recorded, peak RSS.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../dist/adapters/system/system-clock.js";
import { createCampaign } from "../dist/app/campaigns/create-campaign.js";
import { appendToLedger } from "../dist/app/consent/ledger-writer.js";
import { ADMIN, pseudonym } from "../dist/app/context.js";
import { registerEnterprise } from "../dist/app/registry/enterprises.js";
import { allocatePort, registerPort } from "../dist/app/registry/ports.js";
import { changeSignatureStatus, registerSignature } from "../dist/app/registry/signatures.js";
import { loadConfig } from "../dist/config.js";
import { creditCodeCheckChar } from "../dist/domain/enterprises/credit-code.js";
import { decideRecipient, prepareSend } from "../dist/domain/policy/decide.js";
import { buildServices } from "../dist/services.js";

const CONSENTS = Number(process.env.BENCH_CONSENTS ?? 10_000_000);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 1_000_000);
const NOW = Date.parse("2026-11-25T02:00:00Z"); // 10:00 in Shanghai
const code = (n) => {
  const body = `9111000000000${String(n).padStart(4, "0")}`;
  return body + creditCodeCheckChar(body);
};
const phoneOf = (i) => `1${3 + (i % 7)}${String(100000000 + ((i * 7919) % 900000000)).slice(-9)}`;
const mb = (b) => `${Math.round(b / 1048576)} MiB`;

const ADMIN_TOKEN = "bench-admin-token-0123456789";
const REQ = (sender) => ({
  senderId: sender,
  signature: "【好物商城】",
  port: "1069012345",
  text: "【好物商城】双11大促，全场五折。回TD退订",
  category: "marketing.retail",
});

const STORE = process.env.BENCH_STORE === "postgres" ? "postgres" : "sqlite";
const PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** The seeded PostgreSQL schema, kept across runs like the SQLite data dir. */
const PG_SCHEMA = `bench_pg_${CONSENTS}_${RECIPIENTS}`;

function configFor(dir) {
  const env = { ANNING_DATA_DIR: dir, ANNING_ADMIN_TOKEN: ADMIN_TOKEN, ANNING_LOG_LEVEL: "silent" };
  if (STORE === "postgres") {
    const pg = new URL(PG_URL);
    pg.searchParams.set("schema", PG_SCHEMA);
    const redis = new URL(REDIS_URL);
    redis.searchParams.set("prefix", `${PG_SCHEMA}_${process.pid}`);
    Object.assign(env, { ANNING_DATABASE_URL: pg.toString(), ANNING_REDIS_URL: redis.toString() });
  }
  return loadConfig(env);
}

/** Runs SQL on the bench's PostgreSQL schema. */
async function pgQuery(sql) {
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`SET search_path TO ${PG_SCHEMA}`);
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Seeds a data dir once (reused across runs: seeding ten million hash-chained events takes minutes):
 * a platform whose campaign recipients half consented, and the rest of the records for other
 * enterprises and other numbers.
 */
async function seed(dir, log) {
  const marker = join(dir, "seeded.json");
  if (existsSync(marker) && STORE === "postgres") {
    // the schema may have gone (a new machine, a dropped database) while the marker stayed
    const r = await pgQuery("SELECT to_regclass('consent_events') AS t").catch(() => null);
    if (r?.rows[0]?.t) return;
    spawnSync("rm", ["-rf", dir]);
  } else if (existsSync(marker)) return;
  mkdirSync(dir, { recursive: true });
  const clock = new ManualClock(NOW);
  const s = await buildServices(configFor(dir), { clock, anchorEveryMs: 0, webhookPollMs: 0 });
  const ctx = s.ctx;
  const platform = await registerEnterprise(ctx, ADMIN, {
    kind: "platform",
    name: "平台",
    creditCode: code(1),
  });
  const provider = await registerEnterprise(ctx, ADMIN, {
    kind: "provider",
    name: "服务商",
    creditCode: code(2),
  });
  const others = [];
  for (let i = 0; i < 9; i++)
    others.push(
      (await registerEnterprise(ctx, ADMIN, { kind: "platform", name: `其他${i}`, creditCode: code(10 + i) }))
        .enterprise.id,
    );
  const sig = await registerSignature(ctx, ADMIN, {
    ownerId: platform.enterprise.id,
    text: "好物商城",
    scope: ["marketing.retail"],
  });
  await changeSignatureStatus(ctx, ADMIN, sig.id, "activate", null);
  const port = await registerPort(ctx, ADMIN, { providerId: provider.enterprise.id, number: "1069012345" });
  await allocatePort(ctx, ADMIN, port.id, { enterpriseId: platform.enterprise.id, signatureIds: [sig.id] });
  const sender = platform.enterprise.id;
  const t0 = performance.now();
  const BATCH = 100_000;
  for (let start = 0; start < CONSENTS; start += BATCH) {
    const events = [];
    const phones = new Map();
    for (let i = start; i < Math.min(CONSENTS, start + BATCH); i++) {
      const mine = i < RECIPIENTS && i % 2 === 0;
      const e164 = `+86${phoneOf(mine ? i : i + RECIPIENTS)}`;
      const recipientId = pseudonym(ctx, e164);
      phones.set(recipientId, e164);
      events.push({
        id: `evt_seed${String(i).padStart(9, "0")}`,
        consentId: `cns_seed${i}`,
        recipientId,
        enterpriseId: mine ? sender : others[i % others.length],
        category: "marketing.retail",
        type: "grant",
        method: "web_form_unticked_box",
        capturedAt: NOW - 86_400_000,
        recordedAt: NOW - 3_600_000,
        source: "bench",
        noticeText: "我同意接收营销短信",
        expiresAt: null,
        channel: null,
        actor: "admin",
      });
    }
    await appendToLedger(ctx, events, phones);
  }
  const seedS = (performance.now() - t0) / 1000;
  log(
    `seeded ${CONSENTS.toLocaleString()} consents into ${STORE} in ${seedS.toFixed(1)} s (${Math.round(CONSENTS / seedS).toLocaleString()}/s, through the hash-chained ledger, batches of ${BATCH.toLocaleString()}: the import path)`,
  );
  await s.close();
  writeFileSync(marker, JSON.stringify({ sender, consents: CONSENTS, recipients: RECIPIENTS }));
}

/** The campaign itself, in a fresh process so its peak RSS is its own. */
export async function campaignChild(dir) {
  const { sender } = JSON.parse((await import("node:fs")).readFileSync(join(dir, "seeded.json"), "utf8"));
  const clock = new ManualClock(NOW);
  let t0 = performance.now();
  const s = await buildServices(configFor(dir), { clock, anchorEveryMs: 0, webhookPollMs: 0 });
  const startupS = (performance.now() - t0) / 1000;
  const rss = (label) =>
    process.env.BENCH_RSS &&
    process.stderr.write(
      `rss ${label}: ${Math.round(process.memoryUsage().rss / 1048576)} MiB heap ${Math.round(process.memoryUsage().heapUsed / 1048576)} MiB\n`,
    );
  rss("after start-up");
  const phones = Array.from({ length: RECIPIENTS }, (_, i) => phoneOf(i));
  const req = REQ(sender);

  // 1. The deciding itself (no recording), on fresh counters so the real run starts clean.
  const state = { ...s.ctx.state, counters: new s.ctx.state.counters.constructor() };
  t0 = performance.now();
  const prepared = prepareSend(state, req, NOW);
  let allowed = 0;
  for (let i = 0; i < phones.length; i++)
    if (decideRecipient(state, prepared, phones[i], NOW, true).codes.length === 0) allowed++;
  const decideS = (performance.now() - t0) / 1000;
  rss("after deciding");

  // 2. End to end: create the campaign and decide it, every result recorded in the message log.
  t0 = performance.now();
  const view = await createCampaign(s.ctx, s.runner, ADMIN, { ...req, phones });
  if (view.status !== "completed") await s.runner.runToEnd(view.id);
  const done = await s.ctx.store.campaigns.get(view.id);
  const e2eS = (performance.now() - t0) / 1000;
  rss("after the campaign");
  const redisTrips = s.ctx.counters?.roundTrips ?? null;
  const result = {
    redisTrips,
    consentsInIndex: s.ctx.state.consents.size,
    indexBytes: s.ctx.state.consents.bytes,
    startupS,
    allowed,
    decisionsPerSecond: Math.round(RECIPIENTS / decideS),
    endToEndS: e2eS,
    accepted: done?.accepted,
    status: done?.status,
    peakRss: process.resourceUsage().maxRSS * 1024,
  };
  // the run leaves a campaign behind: do not save a snapshot, and keep the seeded dir reusable
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

export async function campaignBench(log) {
  const dir =
    process.env.BENCH_DATA_DIR ??
    join(tmpdir(), `anning-bench-${STORE === "postgres" ? "pg-" : ""}${CONSENTS}-${RECIPIENTS}`);
  await seed(dir, log);
  // each run works on a copy, so the seeded store stays as seeded (PostgreSQL: the run's rows are removed after)
  const work = `${dir}-run`;
  spawnSync("rm", ["-rf", work]);
  spawnSync("cp", ["-r", dir, work]);
  const child = spawnSync(
    process.execPath,
    ["--expose-gc", new URL("./campaign-child.js", import.meta.url).pathname, work],
    {
      encoding: "utf8",
      env: { ...process.env },
      maxBuffer: 1 << 20,
    },
  );
  spawnSync("rm", ["-rf", work]);
  if (STORE === "postgres")
    await pgQuery("TRUNCATE messages, message_idempotency_keys, campaigns, campaign_recipients");
  if (child.status !== 0) throw new Error(`campaign child failed: ${child.stderr}`);
  if (child.stderr) log(child.stderr.trim());
  const r = JSON.parse(child.stdout.trim().split("\n").at(-1));
  log(
    `start-up with ${r.consentsInIndex.toLocaleString()} consents in the index: ${r.startupS.toFixed(1)} s, index ${mb(r.indexBytes)}`,
  );
  return { ...r, recipients: RECIPIENTS, endToEndSeconds: r.endToEndS };
}
