// The store work of one relayed SMPP message, without sockets, policy or the other processes of the
// SMPP bench (whose figures move with whatever else the two cores are doing): per round of B messages,
// the writes and reads the gateway makes, each phase's calls concurrent as the pipelined relay makes them:
//   insert (accepted) → claim (dispatching) → part reference + sent → receipt: find the part, move to
//   delivered and queue the sender's receipt (one transaction) → push: read pending, mark delivered.
// Prints CPU µs per message (this process only: for PostgreSQL the server's own work is not in it) and
// messages per second, for SQLite (a file, group commit) and PostgreSQL (a schema of its own, dropped
// after).
//
// Options (environment): BENCH_STORE_PATH_MESSAGES (30,000), BENCH_STORE_PATH_ROUND (100),
// BENCH_STORE (sqlite or postgres: only that one), BENCH_PG_URL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPostgresStore } from "../dist/adapters/postgres/index.js";
import { openSqliteStore } from "../dist/adapters/sqlite/sqlite-store.js";
import { TimeSortedIds } from "../dist/adapters/system/time-sorted-ids.js";

const MESSAGES = Number(process.env.BENCH_STORE_PATH_MESSAGES ?? 30_000);
const ROUND = Number(process.env.BENCH_STORE_PATH_ROUND ?? 100);
const WARMUP = Math.min(5_000, MESSAGES);
const PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const TEXT = "【好物商城】双11大促，全场五折。回TD退订";
const LEDGER_KEY = Buffer.alloc(32, 7);

/** Seeds what the message rows refer to (foreign keys stay on, as in production). */
async function seed(store, t0) {
  await store.enterprises.insert({
    id: "ent_bench",
    kind: "platform",
    name: "好物商城",
    creditCode: "91310000MA1FL0BENC",
    parentId: null,
    status: "active",
    statusReason: null,
    createdAt: t0,
  });
}

function message(id, i, t0) {
  return {
    id,
    senderId: "ent_bench",
    signatureId: null,
    signature: "好物商城",
    port: "1069012345",
    portId: null,
    phone: `+86139${String(i).padStart(8, "0")}`,
    text: TEXT,
    category: "marketing.retail",
    status: "accepted",
    reasons: [],
    campaignId: null,
    idempotencyKey: null,
    parts: 1,
    createdAt: t0,
    updatedAt: t0,
    notBefore: t0,
    validUntil: t0 + 86_400_000,
    upstreamId: null,
    history: [{ status: "accepted", at: t0 }],
  };
}

/** Upstream ids as a carrier might give them: hex with a letter, so no two ids share a form. */
const upstreamIdOf = (i) => (0xa000_0000 + i).toString(16).toUpperCase();

async function round(store, ids, i0, t0) {
  const { messages, delivery } = store;
  const batch = Array.from({ length: ROUND }, (_, k) => message(ids.next("msg"), i0 + k, t0));
  await Promise.all(batch.map((m) => messages.insert(m)));
  const claimed = await messages.claimOutbox(ROUND, t0 + 1);
  if (claimed.length !== ROUND) throw new Error(`claimed ${claimed.length} of ${ROUND}`);
  const sent = { status: "sent", at: t0 + 2, note: "bench" };
  await Promise.all(
    claimed.map(async (m, k) => {
      const upstreamId = upstreamIdOf(i0 + k);
      await delivery.addRefs([
        { route: "sim", upstreamId, messageId: m.id, part: 1, parts: 1, state: "sent", at: t0 + 2 },
      ]);
      await messages.transition(m.id, ["dispatching"], "sent", sent, { upstreamId });
    }),
  );
  const delivered = { status: "delivered", at: t0 + 3, note: "receipt DELIVRD err:000" };
  await Promise.all(
    claimed.map(async (_, k) => {
      // the receipt spells the id in decimal
      const ref = await delivery.findRef("sim", String(0xa000_0000 + i0 + k));
      if (!ref) throw new Error("receipt matched nothing");
      const from = ["sent", "unknown", "dispatching"];
      // the move and the sender's receipt in one transaction, as the relay makes them
      const m = await messages.transitionNotifying(ref.messageId, from, "delivered", delivered, (moved) => ({
        id: ids.next("ntc"),
        enterpriseId: moved.senderId,
        kind: "receipt",
        messageId: moved.id,
        payload: {
          messageId: moved.id,
          status: "delivered",
          stat: "DELIVRD",
          err: "000",
          phone: moved.phone,
        },
        createdAt: t0 + 3,
        smppDeliveredAt: null,
      }));
      if (!m) throw new Error("receipt moved nothing");
    }),
  );
  const pending = await delivery.pendingSmpp("ent_bench", ROUND * 2);
  await delivery.markSmppDelivered(
    pending.map((n) => n.id),
    t0 + 4,
  );
}

async function measure(name, open, log) {
  const { store, cleanup } = await open();
  try {
    const t0 = Date.now();
    const ids = new TimeSortedIds({ now: () => Date.now() });
    await seed(store, t0);
    let i = 0;
    for (; i < WARMUP; i += ROUND) await round(store, ids, i, t0);
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (let n = 0; n < MESSAGES; n += ROUND, i += ROUND) await round(store, ids, i, t0);
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - start) / 1000;
    const perMsg = (used.user + used.system) / MESSAGES;
    log(
      `${name.padEnd(10)} ${Math.round(MESSAGES / seconds)
        .toLocaleString("en-US")
        .padStart(7)} msg/s   ` +
        `${perMsg.toFixed(1)} µs CPU per message in this process (rounds of ${ROUND})`,
    );
    return { perSecond: MESSAGES / seconds, cpuMicros: perMsg };
  } finally {
    await cleanup();
  }
}

const openSqlite = async () => {
  const dir = mkdtempSync(join(tmpdir(), "anning-store-path-"));
  const store = openSqliteStore({ file: join(dir, "anning.db"), ledgerKey: LEDGER_KEY });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const openPg = async () => {
  const schema = `bench_store_path_${process.pid}`;
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  const store = await openPostgresStore({ url: url.toString(), ledgerKey: LEDGER_KEY });
  return {
    store,
    cleanup: async () => {
      await store.pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await store.close();
    },
  };
};

/** Runs the store-path bench on each store; returns the figures by store. */
export async function storePathBench(log) {
  log(`${MESSAGES.toLocaleString("en-US")} messages through the relay's store calls`);
  const only = process.env.BENCH_STORE;
  const out = {};
  if (!only || only === "sqlite") out.sqlite = await measure("SQLite", openSqlite, log);
  if (!only || only === "postgres") {
    try {
      out.postgres = await measure("PostgreSQL", openPg, log);
    } catch (err) {
      log(`PostgreSQL: not measured (${err.message})`);
    }
  }
  return out;
}
