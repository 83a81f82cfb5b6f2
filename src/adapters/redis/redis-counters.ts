import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import type { CapReservation, RateTake, SharedCounters } from "../../app/counters/shared-counters.port.js";
import type { Logger } from "../../app/logger.port.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { encodeReservations } from "./reserve-args.js";
import { RELEASE, RESERVE } from "./scripts.js";
import { type CountsSnapshot, writeCounts } from "./write-counts.js";

export type { CountsSnapshot } from "./write-counts.js";

export interface RedisCountersOptions {
  /** `redis://host:port[/db][?prefix=name]`; keys are `<prefix>:…` (default prefix `anning`). */
  url: string;
  /** Reads the counts back from the message log when Redis has lost them. */
  rebuildFrom: () => Promise<CountsSnapshot>;
  log: Logger;
}

/** Items per script call: a campaign chunk is split into several calls sent in one pipeline. */
const ITEMS_PER_CALL = 10_000;

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");
const SCRIPTS = { reserve: RESERVE, release: RELEASE } as const;
type ScriptName = keyof typeof SCRIPTS;
const SHAS = Object.fromEntries(Object.entries(SCRIPTS).map(([k, v]) => [k, sha1(v)])) as Record<
  ScriptName,
  string
>;

function degraded(what: string): DomainError {
  return new DomainError("SERVICE_DEGRADED", `${what}; nothing was recorded, retry later`);
}

/** Splits anning's `prefix` query parameter off a Redis URL. */
export function parseRedisUrl(raw: string): { url: string; prefix: string } {
  const u = new URL(raw);
  if (u.protocol !== "redis:" && u.protocol !== "rediss:")
    throw new Error("a Redis URL starts with redis://");
  const prefix = u.searchParams.get("prefix") ?? "anning";
  if (!/^[\w.-]{1,64}$/.test(prefix)) throw new Error("prefix must be 1–64 letters, digits, _ . -");
  u.searchParams.delete("prefix");
  return { url: u.toString(), prefix };
}

/**
 * The shared counters in Redis: frequency caps (a hash per recipient and day), verification caps (a
 * sorted set per signature and recipient) and per-sender rate limits (a counter per second), all of
 * a request or campaign chunk checked and counted by one Lua script in one round trip. Commands fail fast while Redis is away (no
 * offline queue), and callers answer SERVICE_DEGRADED rather than letting caps lapse. When Redis comes
 * back empty, the first node to notice rebuilds the counts from the message log.
 */
export class RedisSharedCounters implements SharedCounters {
  private trips = 0;
  private rebuilding: Promise<void> | null = null;

  private constructor(
    readonly redis: Redis,
    readonly prefix: string,
    private readonly opts: RedisCountersOptions,
  ) {}

  /** Connects (without waiting: a Redis that is down now makes the node degraded, not dead). */
  static open(opts: RedisCountersOptions): RedisSharedCounters {
    const { url, prefix } = parseRedisUrl(opts.url);
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      // commands issued in the same tick (concurrent requests) leave in one socket write
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000),
      lazyConnect: false,
    });
    const c = new RedisSharedCounters(redis, prefix, opts);
    let wasReady = false;
    redis.on("ready", () => {
      if (wasReady) opts.log.info({}, "redis reconnected");
      wasReady = true;
      // a Redis that restarted empty is rebuilt now, not at the first capped message
      c.healIfEmpty();
    });
    redis.on("error", (err: Error) => opts.log.warn({ err: err.message }, "redis error"));
    return c;
  }

  get roundTrips(): number {
    return this.trips;
  }

  /** Waits until connected and the counts are trusted (rebuilding them if needed), up to `ms`. */
  async ensureReady(ms = 5000): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      try {
        if (this.redis.status === "ready") {
          if ((await this.redis.exists(`${this.prefix}:ready`)) === 1) return true;
          await this.rebuild();
          continue;
        }
      } catch {
        // not yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  async reserve(items: readonly CapReservation[], rate?: RateTake): Promise<boolean[]> {
    const groups: string[][] = [];
    for (let i = 0; i < items.length || (i === 0 && rate); i += ITEMS_PER_CALL) {
      // the rate budget is taken by the first call only
      const head =
        i === 0 && rate
          ? [`${rate.senderId}:${Math.floor(rate.now / 1000)}`, String(rate.n), String(rate.perSecond)]
          : ["", "0", "0"];
      groups.push([...head, ...encodeReservations(items.slice(i, i + ITEMS_PER_CALL))]);
    }
    const results = await this.runMany("reserve", groups);
    const out: boolean[] = [];
    for (const r of results) {
      if (r === -1) {
        this.startRebuild();
        throw degraded("the shared counters are being rebuilt");
      }
      if (r === -2)
        throw new DomainError(
          "RATE_LIMITED",
          "the sender is over its messages-per-second limit; retry in a second",
        );
      for (const v of r as number[]) out.push(v === 1);
    }
    return out;
  }

  async release(items: readonly CapReservation[]): Promise<void> {
    const groups: string[][] = [];
    for (let i = 0; i < items.length; i += ITEMS_PER_CALL)
      groups.push(["", "0", "0", ...encodeReservations(items.slice(i, i + ITEMS_PER_CALL))]);
    await this.runMany("release", groups);
  }

  async health(): Promise<string> {
    if (this.redis.status !== "ready") return `down (${this.redis.status})`;
    try {
      if ((await this.redis.exists(`${this.prefix}:ready`)) === 0) {
        this.startRebuild();
        return "rebuilding";
      }
      return "ok";
    } catch (err) {
      return `down (${(err as Error).message})`;
    }
  }

  async close(): Promise<void> {
    await this.rebuilding?.catch(() => {});
    this.redis.disconnect();
  }

  /** One pipeline (one round trip) of script calls; NOSCRIPT (a restarted Redis) reloads and retries. */
  private async runMany(name: ScriptName, argLists: string[][]): Promise<unknown[]> {
    if (argLists.length === 0) return [];
    for (let attempt = 0; ; attempt++) {
      let res: Array<[Error | null, unknown]> | null;
      try {
        this.trips++;
        if (argLists.length === 1) {
          // one call (an HTTP request): auto-pipelining batches it with the other requests' of this tick
          const one = argLists[0] as string[];
          res = [
            await this.redis.evalsha(SHAS[name], 0, this.prefix, ...one).then(
              (v): [Error | null, unknown] => [null, v],
              (e: unknown): [Error | null, unknown] => {
                if (e instanceof Error && /NOSCRIPT|ERR/.test(e.message)) return [e, null];
                throw e;
              },
            ),
          ];
        } else {
          const pipe = this.redis.pipeline();
          for (const args of argLists) pipe.evalsha(SHAS[name], 0, this.prefix, ...args);
          res = await pipe.exec();
        }
      } catch (err) {
        throw this.unavailable(err);
      }
      if (!res) throw degraded("the shared counters (Redis) are unavailable");
      const noScript = res.some(([e]) => e?.message.startsWith("NOSCRIPT"));
      if (noScript && attempt === 0) {
        try {
          await this.redis.script("LOAD", SCRIPTS[name]);
        } catch (err) {
          throw this.unavailable(err);
        }
        continue;
      }
      const failed = res.find(([e]) => e);
      if (failed?.[0]) throw this.unavailable(failed[0]);
      return res.map(([, v]) => v);
    }
  }

  /** Starts a rebuild when the ready mark is missing (checked after every connect). */
  healIfEmpty(): void {
    this.redis
      .exists(`${this.prefix}:ready`)
      .then((n) => {
        if (n === 0) this.startRebuild();
      })
      .catch(() => {});
  }

  private startRebuild(): void {
    this.rebuild().catch((err: unknown) =>
      this.opts.log.error({ err: String(err) }, "rebuilding the shared counters failed"),
    );
  }

  /** The caller's error names no internals; the operator's log has them. */
  private unavailable(err: unknown): DomainError {
    this.opts.log.warn({ err: String(err) }, "shared counters call failed");
    return degraded("the shared counters (Redis) are unavailable");
  }

  /**
   * Rebuilds the counts from the message log under a lock (one node does it; the others wait for the
   * ready mark). Writes are idempotent (HSET of absolute counts, ZADD of fixed members), so a rebuild
   * cut short and redone adds nothing twice.
   */
  private rebuild(): Promise<void> {
    this.rebuilding ??= (async () => {
      const p = this.prefix;
      const got = await this.redis.set(`${p}:rebuilding`, "1", "PX", 60_000, "NX");
      if (got !== "OK") return;
      try {
        const snap = await this.opts.rebuildFrom();
        await writeCounts(this.redis, p, snap);
        await this.redis.set(`${p}:ready`, String(Date.now()));
        this.opts.log.info(
          { marketing: snap.marketing.length, verification: snap.verification.length },
          "shared counters rebuilt from the message log",
        );
      } finally {
        await this.redis.del(`${p}:rebuilding`).catch(() => 0);
      }
    })().finally(() => {
      this.rebuilding = null;
    });
    return this.rebuilding;
  }
}
