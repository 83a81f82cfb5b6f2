import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisBindLeases } from "../../src/adapters/redis/bind-leases.js";
import { STATUS } from "../../src/adapters/smpp/pdu/index.js";
import { SmppServer } from "../../src/adapters/smpp/server/smpp-server.js";
import { ADMIN } from "../../src/app/context.js";
import { createSmppAccount } from "../../src/app/smpp/accounts.js";
import { TEST_REDIS_URL } from "../../src/test-support/pg-test-db.js";
import {
  bindEsme,
  type Esme,
  eventually,
  type SmppWorld,
  smppWorld,
} from "../../src/test-support/smpp-harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SMPP bind caps across nodes (leases in Redis)", () => {
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
    beforeAll(async () => {
      w = await smppWorld();
      w.services.ctx.bindLeases = new RedisBindLeases(redis, prefix);
      second = await SmppServer.start(w.services.ctx, { host: "127.0.0.1", port: 0 });
    });
    afterEach(() => {
      for (const e of esmes.splice(0)) e.session.close();
    });
    afterAll(async () => {
      await second?.close();
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
  });
});
