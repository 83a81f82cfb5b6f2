import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { testStoreEnv } from "../../src/test-support/pg-test-db.js";
import { eventually } from "../../src/test-support/smpp-harness.js";
import { ensureBuilt, freePort, type Server, startServer } from "../support/process.js";
import { call, httpWorld, type SimProcess, startSim } from "../support/smpp-process.js";

const TOKEN = "test-admin-token-0123456789";
const PORT = "1069077777";

describe("the outbox across crashes: never lost, never sent twice", () => {
  const servers: Server[] = [];
  const sims: SimProcess[] = [];
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    for (const s of servers.splice(0)) if (s.child.exitCode === null) s.child.kill("SIGKILL");
    for (const s of sims.splice(0)) await s.stop();
  });

  function env(simPort: number, query = "") {
    const dir = mkdtempSync(join(tmpdir(), "anning-crash-"));
    return {
      ANNING_DATA_DIR: dir,
      ANNING_ADMIN_TOKEN: TOKEN,
      ANNING_UPSTREAM: `smpp://anning:anning@127.0.0.1:${simPort}${query}`,
      ...testStoreEnv(dir),
    };
  }

  async function killed(s: Server): Promise<void> {
    const exited = new Promise((r) => s.child.once("exit", r));
    s.child.kill("SIGKILL");
    await exited;
  }

  async function sendFive(s: Server, w: Awaited<ReturnType<typeof httpWorld>>): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await call(s, w.P.apiKey, "POST", "/v1/messages", {
        senderId: w.P.id,
        signature: w.sigId,
        port: PORT,
        phone: `1391234560${i}`,
        category: "notification",
        text: `【崩溃测试】您的订单 ${i} 已发货`,
      });
      expect(r.status, r.text).toBe(202);
      ids.push(r.json<{ id: string }>().id);
    }
    return ids;
  }

  it("killed between accept and hand-over: after restart each message reaches the carrier exactly once", async () => {
    const simPort = await freePort();
    const e = env(simPort);
    // no carrier yet: messages are accepted into the outbox and wait
    const s1 = await startServer(e);
    servers.push(s1);
    const w = await httpWorld(s1, TOKEN, PORT, "崩溃测试");
    const ids = await sendFive(s1, w);
    await killed(s1);
    const sim = await startSim([], simPort);
    sims.push(sim);
    const s2 = await startServer(e);
    servers.push(s2);
    await eventually(async () => (await sim.messages()).length >= 5, 15_000);
    await new Promise((r) => setTimeout(r, 1000));
    const got = await sim.messages();
    expect(got.map((m) => m.text).sort()).toEqual(
      [0, 1, 2, 3, 4].map((i) => `【崩溃测试】您的订单 ${i} 已发货`).sort(),
    );
    for (const id of ids) {
      const m = await eventually(async () => {
        const r = await call(s2, TOKEN, "GET", `/v1/messages/${id}`);
        const st = r.json<{ status: string }>().status;
        return st === "delivered" ? st : undefined;
      }, 10_000);
      expect(m).toBe("delivered");
    }
  });

  it("killed with submits in flight: none reaches the carrier twice; the carrier's receipts settle them", async () => {
    // the carrier takes 3 s to answer each submit: the process dies while they wait
    const sim = await startSim(["--latency-ms", "3000", "--receipt-delay-ms", "200"]);
    sims.push(sim);
    // a window of 2: only two submits can be on the wire, so only two may be claimed
    const e = env(sim.port, "?window=2");
    const s1 = await startServer(e);
    servers.push(s1);
    const w = await httpWorld(s1, TOKEN, PORT, "崩溃测试");
    const ids = await sendFive(s1, w);
    await eventually(async () => (await sim.messages()).length >= 2, 10_000);
    await killed(s1);
    const s2 = await startServer(e);
    servers.push(s2);
    // in flight at the crash: marked unknown at restart, never resent; the carrier still delivered them,
    // and its receipts (matched by the echoed user_message_reference and the recipient) settle them
    const statuses: string[][] = [];
    for (const id of ids) {
      const m = await eventually(async () => {
        const r = await call(s2, TOKEN, "GET", `/v1/messages/${id}`);
        const j = r.json<{ status: string; history: Array<{ status: string }> }>();
        return j.status === "delivered" ? j : undefined;
      }, 15_000);
      statuses.push(m.history.map((h) => h.status));
    }
    // the two on the wire went through unknown (never resent); the three never claimed were sent after
    expect(
      statuses.filter((h) => h.includes("unknown")),
      JSON.stringify(statuses),
    ).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 1000));
    const got = await sim.messages();
    expect(got).toHaveLength(5);
    expect(new Set(got.map((m) => m.text)).size).toBe(5);
  });
});
