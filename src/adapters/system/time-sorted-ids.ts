import { randomBytes } from "node:crypto";
import type { Clock } from "../../domain/shared/clock.port.js";
import type { IdGenerator, IdPrefix } from "../../domain/shared/ids.port.js";

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * Prefixed ids that sort by creation time: 9 base-36 characters of milliseconds, 5 of a per-millisecond
 * counter (so ids made in the same millisecond still sort in order), 6 random.
 * @example `msg_0mht3k2a0000001x9f2qk`
 */
export class TimeSortedIds implements IdGenerator {
  private lastMs = -1;
  private counter = 0;
  private pool = randomBytes(4096);
  private poolAt = 0;

  constructor(private readonly clock: Clock) {}

  next(prefix: IdPrefix): string {
    let ms = this.clock.now();
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.counter++;
      if (this.counter >= 36 ** 5) {
        this.lastMs = ++ms;
        this.counter = 0;
      }
    } else {
      this.lastMs = ms;
      this.counter = 0;
    }
    let rnd = "";
    for (let i = 0; i < 6; i++) {
      if (this.poolAt >= this.pool.length) {
        this.pool = randomBytes(4096);
        this.poolAt = 0;
      }
      rnd += ALPHABET[(this.pool[this.poolAt++] ?? 0) % 36];
    }
    return `${prefix}_${ms.toString(36).padStart(9, "0")}${this.counter.toString(36).padStart(5, "0")}${rnd}`;
  }
}
