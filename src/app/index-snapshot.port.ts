import type { ConsentIndexSnapshot } from "../domain/indexes/consent-index.js";

/**
 * Where the consent index is saved at a clean stop, so the next start replays only the ledger events
 * recorded after it instead of the whole ledger. A missing or unreadable snapshot means a full replay.
 */
export interface IndexSnapshotStore {
  load(): ConsentIndexSnapshot | null;
  save(s: ConsentIndexSnapshot & { lastHash: string }): void;
  /** The hash of the event at `lastSeq` when the snapshot was taken, to check it matches this ledger. */
  loadedHash(): string | null;
}
