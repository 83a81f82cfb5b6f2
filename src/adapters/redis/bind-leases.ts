import type { Redis } from "ioredis";
import type { BindLease, BindLeases } from "../../app/smpp/bind-leases.port.js";
import { DomainError } from "../../domain/shared/domain-error.js";

/**
 * KEYS[1]: the account's sorted set of leases (member: session id, score: expiry in Redis server time,
 * ms). ARGV: session id, ttl ms, max. Drops expired leases, then takes (or renews) the session's when
 * fewer than max live ones remain. Returns 1 when held, 0 when the account is full.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ttl = tonumber(ARGV[2])
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

/** KEYS: accounts' lease sets; ARGV: ttl ms, then per key its session id (same order). Renews what exists. */
const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', now + ttl, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ttl)
end
return #KEYS
`;

/** SMPP binds per account across nodes, as expiring leases in one sorted set per account. */
export class RedisBindLeases implements BindLeases {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly ttlMs = 30_000,
  ) {}

  private key(accountId: string): string {
    return `${this.prefix}:binds:${accountId}`;
  }

  async acquire(lease: BindLease, max: number): Promise<boolean> {
    const r = await this.call(() =>
      this.redis.eval(ACQUIRE, 1, this.key(lease.accountId), lease.sessionId, this.ttlMs, max),
    );
    return r === 1;
  }

  async renew(leases: readonly BindLease[]): Promise<void> {
    if (leases.length === 0) return;
    await this.call(() =>
      this.redis.eval(
        RENEW,
        leases.length,
        ...leases.map((l) => this.key(l.accountId)),
        this.ttlMs,
        ...leases.map((l) => l.sessionId),
      ),
    );
  }

  async release(lease: BindLease): Promise<void> {
    await this.call(() => this.redis.zrem(this.key(lease.accountId), lease.sessionId));
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch {
      // callers see no internals; Redis errors reach the log through the client's error events
      throw new DomainError(
        "SERVICE_DEGRADED",
        `the shared bind counts (Redis) are unreachable; retry later`,
      );
    }
  }
}
