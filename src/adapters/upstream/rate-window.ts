/**
 * At most `perSecond` events in any one-second window, exactly: the times of the last `perSecond`
 * events are kept in a ring, and the next may happen once the oldest of them is a second old. A
 * carrier counts its agreed rate per second and throttles (or cuts the bind) past it, so unlike a token
 * bucket (which lets a full bucket out at once and then its refill: twice the rate in the first second
 * after an idle spell or an outage) this never lets more than the rate through.
 */
export class RateWindow {
  private readonly times: Float64Array;
  private next = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(perSecond) || perSecond < 1) throw new RangeError("perSecond must be at least 1");
    this.times = new Float64Array(perSecond).fill(Number.NEGATIVE_INFINITY);
  }

  /** Milliseconds until the next event may happen (0: now). */
  waitMs(): number {
    const oldest = this.times[this.next] as number;
    return Math.max(0, Math.ceil(oldest + 1000 - this.now()));
  }

  /** Records an event now; false (and nothing recorded) when it would exceed the rate. */
  take(): boolean {
    if (this.waitMs() > 0) return false;
    this.times[this.next] = this.now();
    this.next = (this.next + 1) % this.perSecond;
    return true;
  }
}
