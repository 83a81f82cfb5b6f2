import type { Redis } from "ioredis";

/** What the shared counters held, as the message log tells it: used after Redis lost its data. */
export interface CountsSnapshot {
  marketing: Array<{ day: number; digits: number; senderId: string; count: number }>;
  verification: Array<{ signatureId: string; digits: number; at: number }>;
}

/** Commands per pipeline while writing a snapshot back. */
const BATCH = 1000;

/**
 * Writes a snapshot of the counts under `prefix`, in the keys the caps script reads. Idempotent (HSET of
 * absolute counts and totals, ZADD of fixed members), so a rebuild cut short and redone adds nothing twice.
 */
export async function writeCounts(redis: Redis, prefix: string, snap: CountsSnapshot): Promise<void> {
  let pipe = redis.pipeline();
  let queued = 0;
  const queue = async () => {
    if (++queued < BATCH) return;
    await pipe.exec();
    pipe = redis.pipeline();
    queued = 0;
  };
  const totals = new Map<string, number>();
  for (const m of snap.marketing) {
    const key = `${prefix}:m:${m.day}:${m.digits}`;
    pipe.hset(key, m.senderId, m.count);
    pipe.pexpire(key, 259_200_000);
    totals.set(key, (totals.get(key) ?? 0) + m.count);
    await queue();
  }
  for (const [key, total] of totals) {
    pipe.hset(key, "*", total);
    await queue();
  }
  const seen = new Map<string, number>();
  for (const v of snap.verification) {
    const key = `${prefix}:v:${v.signatureId}:${v.digits}`;
    const n = (seen.get(`${key}|${v.at}`) ?? 0) + 1;
    seen.set(`${key}|${v.at}`, n);
    pipe.zadd(key, v.at, `rebuilt:${v.at}:${n}`);
    pipe.pexpire(key, 86_400_000);
    await queue();
  }
  if (queued > 0) await pipe.exec();
}
