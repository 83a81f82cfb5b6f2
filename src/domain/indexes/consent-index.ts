import type { ConsentEventInput } from "../consent/consent.js";
import { PhoneKeyTable } from "./phone-key-table.js";

/** Consent state codes held in the index. */
export const CONSENT_NONE = 0;
export const CONSENT_GRANTED = 1;
export const CONSENT_PENDING = 2;
export const CONSENT_WITHDRAWN = 3;

/** The index's state as plain arrays (see `ConsentIndex.snapshot`). */
export interface ConsentIndexSnapshot {
  lastSeq: number;
  enterprises: Array<[string, number]>;
  categories: Array<[string, number]>;
  consents: { slots: Float64Array; used: number };
  dnd: { slots: Float64Array; used: number };
}

/**
 * The in-memory view of the consent ledger used on the send path: current consent per
 * (phone, enterprise, category) and do-not-disturb scopes per phone, fed event by event in recording
 * order so it stays in step with the ledger. Lookups take a few hundred nanoseconds and never touch
 * the store.
 */
export class ConsentIndex {
  private consents: PhoneKeyTable;
  private dnd = new PhoneKeyTable(1024);
  private enterprises = new Map<string, number>();
  private categories = new Map<string, number>([["all", 0]]);
  /** Seq of the last event applied. */
  lastSeq = 0;

  constructor(
    expectedConsents = 1024,
    private readonly pendingTtlMs = 24 * 3600 * 1000,
  ) {
    this.consents = new PhoneKeyTable(expectedConsents);
  }

  /** Everything needed to restore this index without replaying the ledger. */
  snapshot(): ConsentIndexSnapshot {
    return {
      lastSeq: this.lastSeq,
      enterprises: [...this.enterprises],
      categories: [...this.categories],
      consents: this.consents.export(),
      dnd: this.dnd.export(),
    };
  }

  /** An index restored from a snapshot; events after `snapshot.lastSeq` must then be applied. */
  static restore(snap: ConsentIndexSnapshot, pendingTtlMs: number): ConsentIndex {
    const idx = new ConsentIndex(0, pendingTtlMs);
    idx.consents = PhoneKeyTable.fromExport(snap.consents);
    idx.dnd = PhoneKeyTable.fromExport(snap.dnd);
    idx.enterprises = new Map(snap.enterprises);
    idx.categories = new Map(snap.categories);
    idx.lastSeq = snap.lastSeq;
    return idx;
  }

  get size(): number {
    return this.consents.size;
  }

  get bytes(): number {
    return this.consents.bytes + this.dnd.bytes;
  }

  /** Small integer for an enterprise id, assigned on first sight. */
  enterpriseTag(id: string): number {
    let t = this.enterprises.get(id);
    if (t === undefined) {
      t = this.enterprises.size + 1;
      this.enterprises.set(id, t);
    }
    return t;
  }

  /** Small integer (< 256) for a category, assigned on first sight; 0 is "all". */
  categoryTag(category: string): number {
    let t = this.categories.get(category);
    if (t === undefined) {
      t = this.categories.size;
      if (t > 255) throw new Error("more than 255 categories");
      this.categories.set(category, t);
    }
    return t;
  }

  /** Tag of a (enterprise, category) pair for lookups; compute once per campaign. */
  tagOf(enterpriseId: string, category: string): number {
    return ((this.enterpriseTag(enterpriseId) << 8) | this.categoryTag(category)) >>> 0;
  }

  /** Applies one ledger event for a phone (E.164 digits as a number). Events must come in order. */
  apply(
    phone: number,
    e: Pick<ConsentEventInput, "type" | "enterpriseId" | "category" | "expiresAt" | "recordedAt"> & {
      seq?: number;
    },
  ): void {
    if (e.seq !== undefined && e.seq > this.lastSeq) this.lastSeq = e.seq;
    if (e.type === "dnd_set" || e.type === "dnd_remove") {
      this.dnd.set(phone, this.categoryTag(e.category), e.type === "dnd_set" ? 1 : 0, 0);
      return;
    }
    if (e.enterpriseId === null) return;
    const tag = this.tagOf(e.enterpriseId, e.category);
    const secs = (ms: number | null) => (ms === null ? 0 : Math.ceil(ms / 1000));
    switch (e.type) {
      case "grant":
        this.consents.set(phone, tag, CONSENT_GRANTED, secs(e.expiresAt));
        break;
      case "request":
        this.consents.set(phone, tag, CONSENT_PENDING, secs(e.recordedAt + this.pendingTtlMs));
        break;
      case "confirm":
        if (this.consents.state(phone, tag) === CONSENT_PENDING)
          this.consents.set(phone, tag, CONSENT_GRANTED, secs(e.expiresAt));
        break;
      case "withdraw":
        this.consents.set(phone, tag, CONSENT_WITHDRAWN, 0);
        break;
    }
  }

  /**
   * State and expiry of a key in one probe, packed for the hot loop: `state + 256 × untilSeconds`
   * (0 when absent). Unpack with `packed & 255` and `Math.floor(packed / 256) * 1000`.
   */
  packed(phone: number, tag: number): number {
    const t = this.consents;
    return t.packedAt(t.find(phone, tag));
  }

  /** State only (no allocation): for the campaign hot loop. */
  stateOf(phone: number, tag: number): number {
    return this.consents.state(phone, tag);
  }

  /** Whether DND covers a category (its tag from `categoryTag`) for a phone: scope "all" or that category. */
  dndCoversTag(phone: number, categoryTag: number): boolean {
    if (this.dnd.size === 0) return false;
    return this.dnd.state(phone, 0) === 1 || this.dnd.state(phone, categoryTag) === 1;
  }
}
