/**
 * An open-addressing hash table keyed by (phone digits, 32-bit tag), held in typed arrays so ten
 * million keys cost about 17 bytes a slot instead of the 170 a `Map` of strings needs. Each slot holds
 * a one-byte state and a 32-bit value. Keys are never deleted: a state of 0 means "nothing".
 */
export class PhoneKeyTable {
  private phones: Float64Array;
  private tags: Uint32Array;
  private states: Uint8Array;
  private values: Uint32Array;
  private mask: number;
  private used = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap * 0.7 < expected) cap *= 2;
    this.phones = new Float64Array(cap);
    this.tags = new Uint32Array(cap);
    this.states = new Uint8Array(cap);
    this.values = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  /** Number of keys held. */
  get size(): number {
    return this.used;
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    return this.phones.byteLength + this.tags.byteLength + this.states.byteLength + this.values.byteLength;
  }

  private slot(phone: number, tag: number): number {
    const lo = phone >>> 0;
    const hi = (phone / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ Math.imul(tag, 0x85ebca6b), 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x27d4eb2f);
    h ^= h >>> 13;
    let i = h & this.mask;
    const phones = this.phones;
    const tags = this.tags;
    while (phones[i] !== 0 && (phones[i] !== phone || tags[i] !== tag)) i = (i + 1) & this.mask;
    return i;
  }

  /** State of a key (0 when absent). */
  state(phone: number, tag: number): number {
    return this.states[this.slot(phone, tag)] ?? 0;
  }

  /** Value of a key (0 when absent). */
  value(phone: number, tag: number): number {
    return this.values[this.slot(phone, tag)] ?? 0;
  }

  /** Sets state and value of a key, adding it when absent. `phone` must be a positive integer. */
  set(phone: number, tag: number, state: number, value: number): void {
    let i = this.slot(phone, tag);
    if (this.phones[i] === 0) {
      if ((this.used + 1) / (this.mask + 1) > 0.7) {
        this.grow();
        i = this.slot(phone, tag);
      }
      this.phones[i] = phone;
      this.tags[i] = tag;
      this.used++;
    }
    this.states[i] = state;
    this.values[i] = value;
  }

  /** Adds `delta` to a key's value (creating it with state 1) and returns the new value. */
  add(phone: number, tag: number, delta: number): number {
    const i = this.slot(phone, tag);
    if (this.phones[i] === 0) {
      this.set(phone, tag, 1, delta);
      return delta;
    }
    const v = (this.values[i] ?? 0) + delta;
    this.values[i] = v;
    return v;
  }

  private grow(): void {
    const { phones, tags, states, values } = this;
    const cap = (this.mask + 1) * 2;
    this.phones = new Float64Array(cap);
    this.tags = new Uint32Array(cap);
    this.states = new Uint8Array(cap);
    this.values = new Uint32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < phones.length; j++) {
      const p = phones[j] ?? 0;
      if (p === 0) continue;
      const i = this.slot(p, tags[j] ?? 0);
      this.phones[i] = p;
      this.tags[i] = tags[j] ?? 0;
      this.states[i] = states[j] ?? 0;
      this.values[i] = values[j] ?? 0;
    }
  }
}
