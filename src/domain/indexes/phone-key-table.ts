/**
 * An open-addressing hash table keyed by (phone digits, 32-bit tag), held in one typed array so ten
 * million keys cost 24 bytes a slot instead of the ~170 a `Map` of strings needs. A slot is three
 * doubles: phone, tag, and a packed `state + 256 × value` (state 0–255, value 0–2^32), so a probe
 * usually touches one cache line. Keys are never deleted: a state of 0 means "nothing".
 */
export class PhoneKeyTable {
  /** [phone, tag, packed] triples; phone 0 marks an empty slot. */
  private slots: Float64Array;
  private mask: number;
  private used = 0;
  /** Bumped whenever the array is reallocated: slot numbers from `find` are valid within one generation. */
  generation = 0;

  /**
   * @param expected keys to size for (the table grows past it)
   * @param byPhoneOnly hash on the phone alone, so every key of one phone sits in neighbouring slots
   *   (one cache line for a phone's few counters); otherwise on phone and tag
   */
  constructor(
    expected = 1024,
    private readonly byPhoneOnly = false,
  ) {
    let cap = 1024;
    while (cap * 0.7 < expected) cap *= 2;
    this.slots = new Float64Array(cap * 3);
    this.mask = cap - 1;
  }

  /** The raw array, for a snapshot. */
  export(): { slots: Float64Array; used: number } {
    return { slots: this.slots, used: this.used };
  }

  /** A table over an array from `export` (a power-of-two number of slots). */
  static fromExport(e: { slots: Float64Array; used: number }): PhoneKeyTable {
    const cap = e.slots.length / 3;
    if (!Number.isInteger(cap) || cap < 2 || (cap & (cap - 1)) !== 0) throw new Error("bad table snapshot");
    const table = new PhoneKeyTable(0);
    table.slots = e.slots;
    table.mask = cap - 1;
    table.used = e.used;
    return table;
  }

  /** Number of keys held. */
  get size(): number {
    return this.used;
  }

  /** Bytes held by the array. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /**
   * The slot of a key: where it is, or where it would go (then `has(slot)` is false). Valid until the
   * next insertion.
   */
  find(phone: number, tag: number): number {
    const lo = phone >>> 0;
    const hi = (phone / 4294967296) >>> 0;
    const t = this.byPhoneOnly ? 0 : tag;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(t, 0x85ebca6b), 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x27d4eb2f);
    h ^= h >>> 13;
    const mask = this.mask;
    const slots = this.slots;
    let i = h & mask;
    for (;;) {
      const p = slots[i * 3];
      if (p === 0 || (p === phone && slots[i * 3 + 1] === tag)) return i;
      i = (i + 1) & mask;
    }
  }

  has(slot: number): boolean {
    return this.slots[slot * 3] !== 0;
  }

  /** `state + 256 × value` of a slot (0 when empty): `packed & 255` is the state. */
  packedAt(slot: number): number {
    return this.slots[slot * 3 + 2] ?? 0;
  }

  stateAt(slot: number): number {
    return (this.slots[slot * 3 + 2] ?? 0) % 256;
  }

  valueAt(slot: number): number {
    return Math.floor((this.slots[slot * 3 + 2] ?? 0) / 256);
  }

  /** State of a key (0 when absent). */
  state(phone: number, tag: number): number {
    return this.stateAt(this.find(phone, tag));
  }

  /** Value of a key (0 when absent). */
  value(phone: number, tag: number): number {
    return this.valueAt(this.find(phone, tag));
  }

  /** Sets state (0–255) and value (0–2^32) of a key, adding it when absent. `phone` must be a positive integer. */
  set(phone: number, tag: number, state: number, value: number): void {
    let i = this.find(phone, tag);
    if (this.slots[i * 3] === 0) {
      if ((this.used + 1) / (this.mask + 1) > 0.7) {
        this.grow();
        i = this.find(phone, tag);
      }
      this.slots[i * 3] = phone;
      this.slots[i * 3 + 1] = tag;
      this.used++;
    }
    this.slots[i * 3 + 2] = state + 256 * value;
  }

  /** Adds `delta` to a key's value (creating it with state 1) and returns the new value. */
  add(phone: number, tag: number, delta: number): number {
    const i = this.find(phone, tag);
    if (this.slots[i * 3] === 0) {
      this.set(phone, tag, 1, delta);
      return delta;
    }
    this.addAt(i, delta);
    return this.valueAt(i);
  }

  /** Adds to the value at a slot that holds a key. */
  addAt(slot: number, delta: number): void {
    this.slots[slot * 3 + 2] = (this.slots[slot * 3 + 2] ?? 0) + 256 * delta;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Float64Array(cap * 3);
    this.mask = cap - 1;
    this.generation++;
    for (let j = 0; j < old.length; j += 3) {
      const p = old[j] ?? 0;
      if (p === 0) continue;
      const tag = old[j + 1] ?? 0;
      const i = this.find(p, tag);
      this.slots[i * 3] = p;
      this.slots[i * 3 + 1] = tag;
      this.slots[i * 3 + 2] = old[j + 2] ?? 0;
    }
  }
}
