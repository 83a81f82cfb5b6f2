import { PhoneKeyTable } from "./phone-key-table.js";

const TOTAL_TAG = 0xffffffff;

/**
 * Marketing messages accepted per recipient per local calendar day: per sender and across all
 * senders. Counts messages, not parts. Days older than the two most recent are dropped.
 */
export class FrequencyCounters {
  private readonly days = new Map<number, PhoneKeyTable>();

  /** The day's table, created (and days before yesterday dropped) on first use. */
  private table(day: number): PhoneKeyTable {
    let t = this.days.get(day);
    if (!t) {
      // a phone's per-sender and total counts share a cache line
      t = new PhoneKeyTable(1 << 16, true);
      this.days.set(day, t);
      for (const d of this.days.keys()) if (d < day - 1) this.days.delete(d);
    }
    return t;
  }

  /**
   * Whether one more marketing message fits under both caps for (phone, sender) on a day. One probe per
   * counter: this runs once per recipient in campaigns.
   */
  fits(day: number, phone: number, senderTag: number, perSenderCap: number, totalCap: number): boolean {
    const t = this.days.get(day);
    if (!t) return perSenderCap > 0 && totalCap > 0;
    const a = t.find(phone, senderTag);
    const b = t.find(phone, TOTAL_TAG);
    this.probe = { t, phone, senderTag, a, b, generation: t.generation };
    if (t.has(a) ? t.valueAt(a) >= perSenderCap : perSenderCap <= 0) return false;
    return !(t.has(b) ? t.valueAt(b) >= totalCap : totalCap <= 0);
  }

  /** The slots `fits` found last, reused by `increment` when nothing moved since. */
  private probe: {
    t: PhoneKeyTable;
    phone: number;
    senderTag: number;
    a: number;
    b: number;
    generation: number;
  } | null = null;

  /** Counts one accepted marketing message. */
  increment(day: number, phone: number, senderTag: number, n = 1): void {
    const t = this.table(day);
    const p = this.probe;
    if (
      p &&
      p.t === t &&
      p.phone === phone &&
      p.senderTag === senderTag &&
      p.generation === t.generation &&
      t.has(p.a) &&
      t.has(p.b)
    ) {
      t.addAt(p.a, n);
      t.addAt(p.b, n);
      return;
    }
    t.add(phone, senderTag, n);
    t.add(phone, TOTAL_TAG, n);
  }

  /** Forgets everything (before a rebuild from the message log). */
  clear(): void {
    this.days.clear();
  }
}

/**
 * Verification codes sent per (signature, recipient): sliding minute, hour and day windows. Low volume,
 * so plain timestamp lists suffice.
 */
export class VerificationCounters {
  private readonly sent = new Map<string, number[]>();

  /** Timestamps within the last day, oldest first. */
  recent(signatureId: string, phone: number, at: number): number[] {
    const k = `${signatureId}|${phone}`;
    const list = (this.sent.get(k) ?? []).filter((t) => t > at - 86_400_000);
    if (list.length) this.sent.set(k, list);
    else this.sent.delete(k);
    return list;
  }

  record(signatureId: string, phone: number, at: number): void {
    const k = `${signatureId}|${phone}`;
    const list = this.sent.get(k) ?? [];
    list.push(at);
    this.sent.set(k, list);
  }

  /** Removes one recorded timestamp (an undone commit). */
  forget(signatureId: string, phone: number, at: number): void {
    const list = this.sent.get(`${signatureId}|${phone}`);
    const i = list?.lastIndexOf(at) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  clear(): void {
    this.sent.clear();
  }
}
