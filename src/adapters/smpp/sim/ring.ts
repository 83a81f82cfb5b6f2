/** A fixed-capacity buffer keeping the most recent items; capacity 0 keeps nothing. */
export class Ring<T> {
  private items: Array<T | undefined>;
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  /** Items held. */
  get size(): number {
    return this.count;
  }

  /** Adds an item, dropping the oldest when full. */
  push(item: T): void {
    if (this.capacity === 0) return;
    this.items[this.next] = item;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.count < this.capacity) this.count++;
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const start = (this.next - this.count + this.capacity) % Math.max(1, this.capacity);
    for (let i = 0; i < this.count; i++) out.push(this.items[(start + i) % this.capacity] as T);
    return out;
  }

  /** Drops every item. */
  clear(): void {
    this.items = new Array<T | undefined>(this.capacity);
    this.next = 0;
    this.count = 0;
  }
}
