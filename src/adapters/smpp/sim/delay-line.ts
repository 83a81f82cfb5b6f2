/**
 * A first-in first-out queue in which every item waits the same delay, served by one timer: thousands of
 * items a second cost one timer, not one each. Items never come out before their delay has passed.
 */
export class DelayLine<T> {
  private items: Array<T | undefined> = [];
  private due: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | null = null;

  /**
   * @param delayMs how long each item waits
   * @param fire called with each item once its delay has passed, in push order
   */
  constructor(
    private readonly delayMs: number,
    private readonly fire: (item: T) => void,
  ) {}

  /** Items waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  /** Queues an item for `delayMs` from now. */
  push(item: T): void {
    this.items.push(item);
    this.due.push(performance.now() + this.delayMs);
    if (this.timer === null) this.arm();
  }

  /** Stops the timer and returns the items still waiting, in order. */
  clear(): T[] {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.due = [];
    this.head = 0;
    return rest;
  }

  private arm(): void {
    const next = this.due[this.head];
    if (next === undefined) return;
    // libuv's clock is whole milliseconds: round up so nothing fires early
    const wait = Math.max(0, Math.ceil(next - performance.now()));
    this.timer = setTimeout(this.drain, wait);
  }

  private readonly drain = (): void => {
    this.timer = null;
    const now = performance.now();
    while (this.head < this.items.length) {
      const due = this.due[this.head] as number;
      if (due > now) break;
      const item = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head++;
      this.fire(item);
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.due = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.due = this.due.slice(this.head);
      this.head = 0;
    }
    if (this.timer === null) this.arm();
  };
}
