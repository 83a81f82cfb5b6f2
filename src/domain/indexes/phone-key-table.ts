/**
 * An open-addressing hash table keyed by (phone digits, 32-bit tag), held in typed arrays so ten
 * million keys cost about 24 bytes a slot instead of the 170 a `Map` of strings needs. Each slot holds
 * a one-byte state and a 32-bit value. Keys sit interleaved with their tags, and states with values,
 * so a probe touches two cache lines, not four. Keys are never deleted: a state of 0 means "nothing".
 */
export class PhoneKeyTable {
  /** [phone, tag] pairs; phone 0 marks an empty slot. */
  private keys: Float64Array;
  /** [state, value] pairs. */
  private vals: Uint32Array;
  private mask: number;
  private used = 0;
  /** Bumped whenever the arrays are reallocated: slot numbers from `find` are valid within one generation. */
  generation = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap * 0.7 < expected) cap *= 2;
    this.keys = new Float64Array(cap * 2);
    this.vals = new Uint32Array(cap * 2);
    this.mask = cap - 1;
  }

  /** The raw arrays, for a snapshot. */
  export(): { keys: Float64Array; vals: Uint32Array; used: number } {
    return { keys: this.keys, vals: this.vals, used: this.used };
  }

  /** A table over arrays from `export` (lengths must be a power of two pairs). */
  static fromExport(e: { keys: Float64Array; vals: Uint32Array; used: number }): PhoneKeyTable {
    const cap = e.keys.length / 2;
    if (cap < 2 || (cap & (cap - 1)) !== 0 || e.vals.length !== e.keys.length)
      throw new Error("bad table snapshot");
    const t = new PhoneKeyTable(0);
    t.keys = e.keys;
    t.vals = e.vals;
    t.mask = cap - 1;
    t.used = e.used;
    return t;
  }

  /** Number of keys held. */
  get size(): number {
    return this.used;
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    return this.keys.byteLength + this.vals.byteLength;
  }

  /**
   * The slot of a key: where it is, or where it would go (then `has(slot)` is false). Valid until the
   * next insertion.
   */
  find(phone: number, tag: number): number {
    const lo = phone >>> 0;
    const hi = (phone / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(tag, 0x85ebca6b), 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x27d4eb2f);
    h ^= h >>> 13;
    const mask = this.mask;
    const keys = this.keys;
    let i = h & mask;
    for (;;) {
      const p = keys[i * 2];
      if (p === 0 || (p === phone && keys[i * 2 + 1] === tag)) return i;
      i = (i + 1) & mask;
    }
  }

  has(slot: number): boolean {
    return this.keys[slot * 2] !== 0;
  }

  stateAt(slot: number): number {
    return this.vals[slot * 2] ?? 0;
  }

  valueAt(slot: number): number {
    return this.vals[slot * 2 + 1] ?? 0;
  }

  /** State of a key (0 when absent). */
  state(phone: number, tag: number): number {
    return this.stateAt(this.find(phone, tag));
  }

  /** Value of a key (0 when absent). */
  value(phone: number, tag: number): number {
    return this.valueAt(this.find(phone, tag));
  }

  /** Sets state and value of a key, adding it when absent. `phone` must be a positive integer. */
  set(phone: number, tag: number, state: number, value: number): void {
    let i = this.find(phone, tag);
    if (this.keys[i * 2] === 0) {
      if ((this.used + 1) / (this.mask + 1) > 0.7) {
        this.grow();
        i = this.find(phone, tag);
      }
      this.keys[i * 2] = phone;
      this.keys[i * 2 + 1] = tag;
      this.used++;
    }
    this.vals[i * 2] = state;
    this.vals[i * 2 + 1] = value;
  }

  /** Adds `delta` to a key's value (creating it with state 1) and returns the new value. */
  add(phone: number, tag: number, delta: number): number {
    const i = this.find(phone, tag);
    if (this.keys[i * 2] === 0) {
      this.set(phone, tag, 1, delta);
      return delta;
    }
    const v = (this.vals[i * 2 + 1] ?? 0) + delta;
    this.vals[i * 2 + 1] = v;
    return v;
  }

  /** Adds to the value at a slot that holds a key. */
  addAt(slot: number, delta: number): void {
    this.vals[slot * 2 + 1] = (this.vals[slot * 2 + 1] ?? 0) + delta;
  }

  private grow(): void {
    const { keys, vals } = this;
    const cap = (this.mask + 1) * 2;
    this.keys = new Float64Array(cap * 2);
    this.vals = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.generation++;
    for (let j = 0; j < keys.length; j += 2) {
      const p = keys[j] ?? 0;
      if (p === 0) continue;
      const i = this.find(p, keys[j + 1] ?? 0);
      this.keys[i * 2] = p;
      this.keys[i * 2 + 1] = keys[j + 1] ?? 0;
      this.vals[i * 2] = vals[j] ?? 0;
      this.vals[i * 2 + 1] = vals[j + 1] ?? 0;
    }
  }
}
