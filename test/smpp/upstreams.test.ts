import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildHttpServer } from "../../src/adapters/http/server.js";
import { SmscSimulator } from "../../src/adapters/smpp/sim/smsc-simulator.js";
import { ADMIN } from "../../src/app/context.js";
import { settleMessage } from "../../src/app/messaging/settle-message.js";
import { submitMessage } from "../../src/app/messaging/submit-message.js";
import { loadConfig } from "../../src/config.js";
import { buildServices } from "../../src/services.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { testStoreEnv } from "../../src/test-support/pg-test-db.js";
import { eventually, type SmppWorld, sendAccepted, smppWorld } from "../../src/test-support/smpp-harness.js";

/** Writes an upstreams file naming simulators a and b (b may be absent: a port nobody listens on). */
function upstreamsFile(doc: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "anning-up-"));
  const file = join(dir, "upstreams.json");
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

const up = (name: string, port: number, extra: Record<string, unknown> = {}) => ({
  name,
  url: `smpp://anning:anning@127.0.0.1:${port}`,
  reconnectMinMs: 100,
  ...extra,
});

describe("carriers: routing by prefix and carrier, number portability, failover", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function world(
    doc: (aPort: number) => Record<string, unknown>,
    simA: { latencyMs?: number } = {},
  ): Promise<SmppWorld> {
    // the harness's own simulator is "a"; the file names it by the port it got
    const probe = await SmscSimulator.start({ port: 0, controlPort: -1 });
    const aPort = probe.port;
    await probe.close();
    const w = await smppWorld({
      sim: { port: aPort, ...simA },
      env: { ANNING_UPSTREAMS_FILE: upstreamsFile(doc(aPort)) },
    });
    closers.push(() => w.close());
    await eventually(() => w.services.upstream.ready?.() === true, 5000);
    return w;
  }

  async function sim(): Promise<SmscSimulator> {
    const s = await SmscSimulator.start({ port: 0, controlPort: -1, receiptDelayMs: 10 });
    closers.push(() => s.close());
    return s;
  }

  it("routes by number prefix, the default taking the rest", async () => {
    const b = await sim();
    const w = await world((a) => ({
      upstreams: [up("a", a), up("b", b.port)],
      routes: [{ upstream: "b", prefixes: ["86139"] }],
      default: "a",
    }));
    await eventually(() => w.services.upstream.ready?.());
    await sendAccepted(w, "13912345678");
    await sendAccepted(w, "13812345678");
    await eventually(() => b.messages.length === 1 && w.sim.messages.length === 1);
    expect(b.messages[0]?.destination).toContain("13912345678");
    expect(w.sim.messages[0]?.destination).toContain("13812345678");
  });

  it("a ported number follows its current carrier (携号转网), from the CSV table", async () => {
    const b = await sim();
    const dir = mkdtempSync(join(tmpdir(), "anning-mnp-"));
    const csv = join(dir, "ported.csv");
    // 138 is a China Mobile segment; this number moved to China Telecom
    writeFileSync(csv, "phone,carrier\n13812340000,ctcc\n");
    const w = await world((a) => ({
      upstreams: [up("cmcc", a), up("ctcc", b.port)],
      routes: [
        { upstream: "cmcc", carriers: ["cmcc"] },
        { upstream: "ctcc", carriers: ["ctcc"] },
      ],
      default: "cmcc",
      portabilityFile: csv,
    }));
    await sendAccepted(w, "13812340000");
    await sendAccepted(w, "13812341111");
    await eventually(() => b.messages.length === 1 && w.sim.messages.length === 1);
    expect(b.messages[0]?.destination).toContain("13812340000");
  });

  it("fails over to the next route when the first has no bind up", async () => {
    const b = await sim();
    const dead = await SmscSimulator.start({ port: 0, controlPort: -1 });
    const deadPort = dead.port;
    await dead.close();
    const w = await world((a) => ({
      upstreams: [up("down", deadPort), up("b", b.port), up("a", a)],
      routes: [{ upstream: "down", prefixes: ["86"] }],
      default: "a",
      failover: { down: ["b"] },
    }));
    await sendAccepted(w, "13812345678");
    await eventually(() => b.messages.length === 1, 10_000);
    expect(w.sim.messages).toHaveLength(0);
    // health and metrics name the carrier that is down
    const app = await buildHttpServer(w.services);
    try {
      const health = (await app.inject({ method: "GET", url: "/healthz" })).json();
      expect(health.checks.upstream).toBe("partial");
      expect(health.upstreams).toEqual([
        { name: "down", ready: false, binds: 0 },
        { name: "b", ready: true, binds: 1 },
        { name: "a", ready: true, binds: 1 },
      ]);
      const metrics = await app.inject({
        method: "GET",
        url: "/metrics",
        headers: { authorization: "Bearer test-admin-token-0123456789" },
      });
      expect(metrics.body).toContain('anning_upstream_binds{upstream="down"} 0');
      expect(metrics.body).toContain('anning_upstream_binds{upstream="b"} 1');
      expect(metrics.body).toMatch(/anning_dispatch_outcomes\{outcome="sent"\} [1-9]/);
    } finally {
      await app.close();
    }
  });

  it("a carrier lost with messages still waiting for its window: only the one on the wire is unknown, the rest fail over", async () => {
    const b = await sim();
    // "a" answers in 2 s and takes one submit at a time; the dispatcher may claim for both carriers'
    // windows, so the other messages to "a" wait in its queue
    const w = await world(
      (a) => ({
        upstreams: [up("a", a, { window: 1 }), up("b", b.port)],
        routes: [{ upstream: "a", prefixes: ["86138"] }],
        default: "b",
        failover: { a: ["b"] },
      }),
      { latencyMs: 2000 },
    );
    const phones = ["13812340001", "13812340002", "13812340003"];
    const ids: string[] = [];
    for (const phone of phones) ids.push(await sendAccepted(w, phone));
    await eventually(() => w.sim.messages.length === 1, 5000);
    await w.sim.close();
    // the two that never left went to "b"; the one on the wire is unknown, never resent
    await eventually(() => b.messages.length === 2, 10_000);
    const statuses = await Promise.all(
      ids.map(async (id) => (await w.services.ctx.store.messages.get(id))?.status),
    );
    expect(statuses.filter((st) => st === "unknown")).toHaveLength(1);
    const onWire = w.sim.messages[0]?.destination ?? "";
    expect(b.messages.map((m) => m.destination).some((d) => d === onWire)).toBe(false);
  });

  it("refuses to start on a portability table naming one number with two carriers, by line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anning-mnp-"));
    const csv = join(dir, "ported.csv");
    writeFileSync(csv, "phone,carrier\n13812340000,cmcc\n13812341111,cucc\n+86 138 1234 0000,电信\n");
    const config = loadConfig({
      ANNING_DATA_DIR: dir,
      ANNING_ADMIN_TOKEN: "test-admin-token-0123456789",
      ANNING_UPSTREAMS_FILE: upstreamsFile({ upstreams: [up("a", 1)], default: "a", portabilityFile: csv }),
      ...testStoreEnv(dir),
    });
    await expect(buildServices(config, { anchorEveryMs: 0 })).rejects.toThrow(
      `portability file ${csv}: 1 bad row: line 4: the number of line 2 again, with another carrier (ctcc, not cmcc)`,
    );
  });

  it("with no default route, a number no route takes fails at once, with the reason", async () => {
    const b = await sim();
    const w = await world((a) => ({
      upstreams: [up("a", a), up("b", b.port)],
      routes: [{ upstream: "b", prefixes: ["86139"] }],
    }));
    const id = await sendAccepted(w, "13812345678");
    await eventually(async () => (await w.services.ctx.store.messages.get(id))?.status === "failed", 5000);
    const m = await w.services.ctx.store.messages.get(id);
    expect(m?.history.at(-1)?.note).toBe("no route for this number");
    expect(w.sim.messages).toHaveLength(0);
    expect(b.messages).toHaveLength(0);
  });

  it("long texts go as message_payload to an upstream configured so", async () => {
    const w = await world((a) => ({
      upstreams: [up("a", a, { longMessages: "payload" })],
      routes: [],
      default: "a",
    }));
    const text = `${w.setup.text}${"新品上市，限时抢购。".repeat(12)}`;
    const id = await sendAccepted(w, "13812345678", text);
    await eventually(() => w.sim.messages.length === 1);
    expect(w.sim.messages[0]?.text).toBe(text);
    expect(w.sim.messages[0]?.parts).toBeNull();
    await eventually(async () => (await w.services.ctx.store.messages.get(id))?.status === "delivered");
  });
});

describe("carrier links: reconnection and rate", () => {
  it("rebinds after the carrier went away and sends what waited in the outbox", async () => {
    const w = await smppWorld({ env: {} });
    try {
      const port = w.sim.port;
      await w.sim.close();
      await eventually(() => w.services.upstream.ready?.() === false, 5000);
      await grant(w.services, "13812345678", w.setup.platformId);
      const r = await submitMessage(w.services.ctx, ADMIN, {
        senderId: w.setup.platformId,
        signature: w.setup.signature,
        port: w.setup.port,
        phone: "13812345678",
        category: "marketing.retail",
        text: w.setup.text,
      });
      expect(r.status).toBe("accepted");
      const back = await SmscSimulator.start({ port, controlPort: -1, receiptDelayMs: 10 });
      try {
        // reconnect back-off starts at 1 s
        await eventually(() => back.messages.length === 1, 15_000);
        await eventually(
          async () => (await w.services.ctx.store.messages.get(r.id))?.status === "delivered",
          5000,
        );
      } finally {
        await back.close();
      }
    } finally {
      await w.close().catch(() => {});
    }
  });

  it("keeps to the upstream's agreed rate (tps)", async () => {
    const probe = await SmscSimulator.start({ port: 0, controlPort: -1 });
    const port = probe.port;
    await probe.close();
    const w = await smppWorld({
      sim: { port },
      env: {
        ANNING_UPSTREAMS_FILE: upstreamsFile({ upstreams: [up("slow", port, { tps: 5 })], default: "slow" }),
      },
    });
    try {
      for (let i = 0; i < 10; i++) {
        const phone = `1381234${String(5000 + i)}`;
        await grant(w.services, phone, w.setup.platformId);
        await submitMessage(w.services.ctx, ADMIN, {
          senderId: w.setup.platformId,
          signature: w.setup.signature,
          port: w.setup.port,
          phone,
          category: "marketing.retail",
          text: w.setup.text,
        });
      }
      await eventually(() => w.sim.messages.length === 10, 10_000);
      const times = w.sim.messages.map((m) => m.at).sort((a, b) => a - b);
      // 5 a second: the first 5 at once, the next 5 a second later, never 6 within one second (a token
      // bucket let 10 through in the first second)
      expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
      for (const t of times) expect(times.filter((x) => x >= t && x < t + 950).length).toBeLessThanOrEqual(5);
    } finally {
      await w.close();
    }
  });
});

describe("carrier refusals and operator settlement", () => {
  it("a submit the carrier refuses for good fails the message; the sender's receipt says UNDELIV", async () => {
    const w = await smppWorld({ sim: { rejectRatio: 1 } });
    try {
      await grant(w.services, "13812345678", w.setup.platformId);
      const esme = await w.esme();
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: "8613812345678",
        text: w.setup.text,
      });
      const id = r.command === "submit_sm_resp" ? r.messageId : "";
      expect(r.status).toBe(0);
      await eventually(async () => (await w.services.ctx.store.messages.get(id))?.status === "failed");
      const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === id);
      expect(dlr.tlvs.messageState).toBe(5);
    } finally {
      await w.close();
    }
  });

  it("an operator settles a message whose outcome is unknown; nothing else can be settled", async () => {
    const w = await smppWorld();
    try {
      await grant(w.services, "13812345678", w.setup.platformId);
      const ctx = w.services.ctx;
      const r = await submitMessage(ctx, ADMIN, {
        senderId: w.setup.platformId,
        signature: w.setup.signature,
        port: w.setup.port,
        phone: "13812345678",
        category: "marketing.retail",
        text: w.setup.text,
      });
      await eventually(async () => (await ctx.store.messages.get(r.id))?.status === "delivered");
      await expect(settleMessage(ctx, ADMIN, r.id, { status: "failed" })).rejects.toThrow(/unknown/);
      await expect(
        settleMessage(ctx, { kind: "enterprise", enterpriseId: w.setup.platformId }, r.id, {
          status: "failed",
        }),
      ).rejects.toThrow(/admin/);
      // a message left in flight by a crash
      const m = await ctx.store.messages.get(r.id);
      if (!m) throw new Error("missing");
      const stuck = { ...m, id: ctx.ids.next("msg"), status: "unknown" as const, history: [] };
      await ctx.store.messages.insert(stuck);
      const settled = await settleMessage(ctx, ADMIN, stuck.id, {
        status: "delivered",
        note: "carrier confirmed",
      });
      expect(settled.status).toBe("delivered");
      expect(settled.history.at(-1)?.note).toContain("carrier confirmed");
    } finally {
      await w.close();
    }
  });
});
