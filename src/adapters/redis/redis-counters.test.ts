import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import type { CapReservation } from "../../app/counters/shared-counters.port.js";
import { TEST_REDIS_URL } from "../../test-support/pg-test-db.js";
import { silentLogger } from "../system/logger.js";
import { type CountsSnapshot, parseRedisUrl, RedisSharedCounters } from "./redis-counters.js";

const DAY = 20_417;
const opened: RedisSharedCounters[] = [];

/** Counters on the machine's Redis under a fresh prefix; `snapshot` is what a rebuild reads. */
async function open(prefix: string, snapshot: CountsSnapshot = { marketing: [], verification: [] }) {
  const u = new URL(TEST_REDIS_URL);
  u.searchParams.set("prefix", prefix);
  const c = RedisSharedCounters.open({
    url: u.toString(),
    rebuildFrom: async () => snapshot,
    log: silentLogger,
  });
  opened.push(c);
  expect(await c.ensureReady(5000)).toBe(true);
  return c;
}

const fresh = () => `test_${randomBytes(6).toString("hex")}`;

function marketing(
  digits: number,
  senderId: string,
  commit = true,
  perSender = 1,
  perRecipient = 2,
): CapReservation {
  return {
    query: { kind: "marketing", day: DAY, digits, senderId, perSender, perRecipient },
    commit,
    at: 0,
    token: randomBytes(4).toString("hex"),
  };
}

afterAll(async () => {
  for (const c of opened) await c.close();
});

describe("RedisSharedCounters", () => {
  it("holds the per-sender and per-recipient caps across two nodes, in one round trip per call", async () => {
    const p = fresh();
    const [a, b] = [await open(p), await open(p)];
    expect(await a.reserve([marketing(8613800000001, "ent_a")])).toEqual([true]);
    // same sender again, from the other node: over the per-sender cap of 1
    expect(await b.reserve([marketing(8613800000001, "ent_a")])).toEqual([false]);
    expect(await b.reserve([marketing(8613800000001, "ent_b")])).toEqual([true]);
    // third sender: over the per-recipient cap of 2
    expect(await a.reserve([marketing(8613800000001, "ent_c")])).toEqual([false]);
    // a look (no commit) counts nothing
    expect(await a.reserve([marketing(8613800000002, "ent_a", false)])).toEqual([true]);
    expect(await a.reserve([marketing(8613800000002, "ent_a")])).toEqual([true]);
    const trips = a.roundTrips;
    const many = Array.from({ length: 5000 }, (_, i) => marketing(8613900000000 + i, "ent_a"));
    expect((await a.reserve(many)).every(Boolean)).toBe(true);
    expect(a.roundTrips - trips).toBe(1);
  });

  it("never lets two concurrent nodes both take the last unit of a cap", async () => {
    const p = fresh();
    const nodes = [await open(p), await open(p), await open(p)];
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (nodes[i % 3] as RedisSharedCounters).reserve([marketing(8613700000001, "ent_a")]),
      ),
    );
    expect(results.flat().filter(Boolean)).toHaveLength(1);
  });

  it("takes back released reservations", async () => {
    const c = await open(fresh());
    const r = marketing(8613600000001, "ent_a");
    expect(await c.reserve([r])).toEqual([true]);
    await c.release([r]);
    expect(await c.reserve([marketing(8613600000001, "ent_a")])).toEqual([true]);
  });

  it("caps verification codes per minute, hour and day, and releases one by its token", async () => {
    const c = await open(fresh());
    const v = (at: number, token = `t${at}`): CapReservation => ({
      query: {
        kind: "verification",
        digits: 8613500000001,
        signatureId: "sig_x",
        perMinute: 1,
        perHour: 2,
        perDay: 3,
      },
      commit: true,
      at,
      token,
    });
    const t = 1_000_000_000;
    expect(await c.reserve([v(t)])).toEqual([true]);
    expect(await c.reserve([v(t + 30_000)])).toEqual([false]); // same minute
    expect(await c.reserve([v(t + 61_000)])).toEqual([true]);
    expect(await c.reserve([v(t + 122_000)])).toEqual([false]); // two in the hour
    await c.release([v(t + 61_000)]);
    expect(await c.reserve([v(t + 123_000)])).toEqual([true]);
    expect(await c.reserve([v(t + 3_700_000)])).toEqual([true]); // a new hour: third of the day
    expect(await c.reserve([v(t + 7_400_000)])).toEqual([false]); // three in the day
    expect(await c.reserve([v(t + 86_500_000)])).toEqual([true]); // the oldest have left the day
  });

  it("takes a sender's per-second budget in the same call, counting nothing when over it", async () => {
    const c = await open(fresh());
    const now = 1_700_000_000_500;
    const rate = { senderId: "ent_a", perSecond: 2, n: 1, now };
    expect(await c.reserve([marketing(8613400000001, "ent_a", true, 5, 5)], rate)).toEqual([true]);
    expect(await c.reserve([], rate)).toEqual([]);
    await expect(c.reserve([marketing(8613400000001, "ent_a", true, 5, 5)], rate)).rejects.toMatchObject({
      code: "RATE_LIMITED",
    });
    // nothing counted by the refused call; the next second has a fresh budget
    const next = { ...rate, now: now + 1000 };
    expect(await c.reserve([marketing(8613400000001, "ent_a", true, 2, 2)], next)).toEqual([true]);
    expect(await c.reserve([marketing(8613400000001, "ent_a", true, 2, 2)], next)).toEqual([false]);
  });

  it("rebuilds the counts from the message log after Redis lost them, degraded meanwhile", async () => {
    const p = fresh();
    const snapshot: CountsSnapshot = {
      marketing: [{ day: DAY, digits: 8613300000001, senderId: "ent_a", count: 1 }],
      verification: [],
    };
    const c = await open(p, snapshot);
    // what a Redis restart does: every key gone
    const raw = new Redis(parseRedisUrl(TEST_REDIS_URL).url);
    const keys = await raw.keys(`${p}:*`);
    if (keys.length) await raw.del(...keys);
    await expect(c.reserve([marketing(8613300000001, "ent_a")])).rejects.toMatchObject({
      code: "SERVICE_DEGRADED",
    });
    expect(await c.ensureReady(5000)).toBe(true);
    expect(await c.reserve([marketing(8613300000001, "ent_a")])).toEqual([false]);
    expect(await c.reserve([marketing(8613300000001, "ent_b")])).toEqual([true]);
    expect(await c.health()).toBe("ok");
    raw.disconnect();
  });

  it("answers SERVICE_DEGRADED, not a hang, while Redis cannot be reached", async () => {
    const c = RedisSharedCounters.open({
      url: "redis://127.0.0.1:1?prefix=nowhere",
      rebuildFrom: async () => ({ marketing: [], verification: [] }),
      log: silentLogger,
    });
    opened.push(c);
    expect(await c.ensureReady(300)).toBe(false);
    await expect(c.reserve([marketing(8613200000001, "ent_a")])).rejects.toMatchObject({
      code: "SERVICE_DEGRADED",
      // the caller learns what to do, not the client library's internals
      message: "the shared counters (Redis) are unavailable; nothing was recorded, retry later",
    });
    expect(await c.health()).toMatch(/^down/);
  });
});
