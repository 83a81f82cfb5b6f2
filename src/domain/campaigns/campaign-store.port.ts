import type { Message } from "../messages/message.js";
import type { Campaign, CampaignStatus } from "./campaign.js";

/** Persistence of campaigns, their recipient lists and progress. */
export interface CampaignStore {
  /** Stores the campaign and its recipient list (raw phone strings, in order). */
  insert(c: Campaign, phones: readonly string[]): Promise<void>;
  get(id: string): Promise<Campaign | null>;
  /** Recipients [from, from+limit) in list order. */
  recipients(id: string, from: number, limit: number): Promise<string[]>;
  /**
   * Atomically records one decided chunk: inserts its messages, advances the cursor to `cursor`, and
   * adds the counts. Does nothing and returns false when the cursor is not at `expectedCursor` (another
   * node recorded it) or the campaign is no longer running.
   */
  recordChunk(
    id: string,
    expectedCursor: number,
    cursor: number,
    messages: Message[],
    accepted: number,
    refusedByCode: Record<string, number>,
    at: number,
  ): Promise<boolean>;
  /** Sets the status when the current one is in `from`; false otherwise. */
  setStatus(id: string, from: readonly CampaignStatus[], to: CampaignStatus, at: number): Promise<boolean>;
  /**
   * Takes the lease of one runnable campaign (running, or scheduled and due) whose lease is free or
   * expired, marks it running, and returns it.
   */
  lease(owner: string, now: number, leaseMs: number): Promise<Campaign | null>;
  release(id: string, owner: string): Promise<void>;
}
