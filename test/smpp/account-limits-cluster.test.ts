import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisBindLeases } from "../../src/adapters/redis/bind-leases.js";
import { RedisSharedCounters } from "../../src/adapters/redis/redis-counters.js";
import { STATUS } from "../../src/adapters/smpp/pdu/index.js";
import { SmppServer } from "../../src/adapters/smpp/server/smpp-server.js";
import { ADMIN } from "../../src/app/context.js";
import { createSmppAccount } from "../../src/app/smpp/accounts.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { TEST_REDIS_URL } from "../../src/test-support/pg-test-db.js";
import {
  bindEsme,
  type Esme,
  eventually,
  type SmppWorld,
  smppWorld,
} from "../../src/test-support/smpp-harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("an SMPP account's limits across nodes (Redis)", () => {
  let redis: Redis;
  const prefix = `test_binds_${randomUUID().slice(0, 8)}`;
  beforeAll(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("holds at most max live leases per account; released and expired ones free their place", async () => {
    const leases = new RedisBindLeases(redis, prefix, 400);
    const l = (accountId: string, sessionId: string) => ({ accountId, sessionId });
    expect(await leases.acquire(l("acc_1", "n1-1"), 2)).toBe(true);
    expect(await leases.acquire(l("acc_1", "n2-1"), 2)).toBe(true);
    expect(await leases.acquire(l("acc_1", "n1-2"), 2)).toBe(false);
    // a session that already holds one keeps it; another account is counted apart
    expect(await leases.acquire(l("acc_1", "n2-1"), 2)).toBe(true);
    expect(await leases.acquire(l("acc_2", "n1-3"), 1)).toBe(true);
    await leases.release(l("acc_1", "n1-1"));
    expect(await leases.acquire(l("acc_1", "n1-2"), 2)).toBe(true);
    // n1-2 is renewed, n2-1 is not (its node died): after the lease time only n2-1's place is free
    await sleep(250);
    await leases.renew([l("acc_1", "n1-2")]);
    await sleep(250);
    expect(await leases.acquire(l("acc_1", "n3-1"), 2)).toBe(true);
    expect(await leases.acquire(l("acc_1", "n3-2"), 2)).toBe(false);
  });

  it("reports an unreachable Redis as SERVICE_DEGRADED", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const leases = new RedisBindLeases(dead, prefix);
    await expect(leases.acquire({ accountId: "a", sessionId: "s" }, 1)).rejects.toMatchObject({
      code: "SERVICE_DEGRADED",
    });
    dead.disconnect();
  });

  describe("two SMPP servers (two nodes) on one store", () => {
    let w: SmppWorld;
    let second: SmppServer;
    const esmes: Esme[] = [];
    let counters: RedisSharedCounters;
    beforeAll(async () => {
      w = await smppWorld();
      w.services.ctx.bindLeases = new RedisBindLeases(redis, prefix);
      // the shared counters (caps stay in process here: only the per-second budgets are shared)
      counters = RedisSharedCounters.open({
        url: `${TEST_REDIS_URL}?prefix=${prefix}`,
        rebuildFrom: async () => ({ marketing: [], verification: [] }),
        log: w.services.ctx.log,
      });
      expect(await counters.ensureReady(3000)).toBe(true);
      w.services.ctx.counters = counters;
      second = await SmppServer.start(w.services.ctx, { host: "127.0.0.1", port: 0 });
    });
    afterEach(() => {
      for (const e of esmes.splice(0)) e.session.close();
    });
    afterAll(async () => {
      await second?.close();
      if (w) w.services.ctx.counters = undefined;
      await counters?.close();
      await w?.close();
    });

    it("caps an account's binds over both, not per node", async () => {
      const { account, password } = await createSmppAccount(w.services.ctx, ADMIN, {
        enterpriseId: w.setup.platformId,
        maxBinds: 2,
      });
      const creds = { systemId: account.systemId, password };
      const bind = async (port: number) => {
        const e = await bindEsme(port, creds);
        esmes.push(e);
        return e;
      };
      const [portA, portB] = [w.server.port, second.port];
      expect((await bind(portA)).bindStatus).toBe(0);
      const onB = await bind(portB);
      expect(onB.bindStatus).toBe(0);
      // each node holds one: a third anywhere is refused
      expect((await bind(portA)).bindStatus).toBe(STATUS.ESME_RBINDFAIL);
      expect((await bind(portB)).bindStatus).toBe(STATUS.ESME_RBINDFAIL);
      // B's session goes: its place is free for a bind on A
      await onB.session.unbind();
      await eventually(async () => (await redis.zcard(`${prefix}:binds:${account.id}`)) === 1);
      expect((await bind(portA)).bindStatus).toBe(0);
    });

    it("holds an account's tps over both, not per node", async () => {
      const { account, password } = await createSmppAccount(w.services.ctx, ADMIN, {
        enterpriseId: w.setup.platformId,
        tps: 10,
      });
      const creds = { systemId: account.systemId, password };
      const [a, b] = [await bindEsme(w.server.port, creds), await bindEsme(second.port, creds)];
      esmes.push(a, b);
      expect([a.bindStatus, b.bindStatus]).toEqual([0, 0]);
      // start at the top of a wall-clock second, so that all 30 fall in one budget window
      await sleep(1000 - (Date.now() % 1000));
      const burst = (e: Esme) =>
        Array.from({ length: 15 }, () =>
          e.submit({ sourceAddr: w.setup.port, destAddr: "8613812345678", text: w.setup.text }),
        );
      const rs = await Promise.all([...burst(a), ...burst(b)]);
      const throttled = rs.filter((r) => r.status === STATUS.ESME_RTHROTTLED).length;
      // each node alone would let 10 through (its bucket), 20 in all; shared, the account gets 10
      expect(throttled).toBeGreaterThanOrEqual(18);
      expect(30 - throttled).toBeGreaterThanOrEqual(1);
    });

    it("with Redis unreachable, only the node's own counts hold: binds and submits are not refused for it", async () => {
      const dead = RedisSharedCounters.open({
        url: "redis://127.0.0.1:1",
        rebuildFrom: async () => ({ marketing: [], verification: [] }),
        log: { ...w.services.ctx.log, warn: () => {} },
      });
      const deadRedis = new Redis("redis://127.0.0.1:1", {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
      });
      const leases = w.services.ctx.bindLeases;
      w.services.ctx.counters = dead;
      w.services.ctx.bindLeases = new RedisBindLeases(deadRedis, prefix);
      try {
        await grant(w.services, "13812345670", w.setup.platformId);
        const e = await bindEsme(w.server.port, w.account);
        esmes.push(e);
        expect(e.bindStatus).toBe(0);
        const r = await e.submit({ sourceAddr: w.setup.port, destAddr: "8613812345670", text: w.setup.text });
        expect(r.status).toBe(0);
      } finally {
        w.services.ctx.counters = counters;
        w.services.ctx.bindLeases = leases;
        await dead.close();
        deadRedis.disconnect();
      }
    });
  });
});
