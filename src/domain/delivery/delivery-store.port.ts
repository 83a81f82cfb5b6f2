/**
 * The state of one part of a message at its upstream: handed over (`sent`), a final outcome from a
 * receipt, or `unknown` (an unreadable receipt).
 */
export type PartState = "sent" | "delivered" | "failed" | "expired" | "rejected" | "unknown";

/** Part states no later receipt is expected to change. */
export const FINAL_PART_STATES: readonly PartState[] = ["delivered", "failed", "expired", "rejected"];

/** One part of a message as an upstream knows it: the id its receipts will name. */
export interface UpstreamRef {
  /** The upstream (route) the part was handed to: upstream ids are unique only within one. */
  route: string;
  /** The id the upstream gave the part (submit_sm_resp message_id), as it gave it. */
  upstreamId: string;
  messageId: string;
  /** 1-based. */
  part: number;
  parts: number;
  state: PartState;
  /** When the part reached `state` (first: when it was handed over). */
  at: number;
}

/**
 * Something to push to a sender: a delivery receipt or a recipient's reply. A durable queue read by
 * the sender's SMPP receiver binds (which mark what they delivered) and, as a feed in id order, by
 * webhooks.
 */
export interface SenderNotice {
  /** `ntc_…`, time-sorted: the queue's order. */
  id: string;
  enterpriseId: string;
  kind: "receipt" | "mo";
  /** The message a receipt is about; null for a reply. */
  messageId: string | null;
  /** What the notice says, as JSON. */
  payload: Record<string, unknown>;
  createdAt: number;
  /**
   * When an SMPP receiver bind took it (deliver_sm_resp received); null while pending. A receipt for a
   * message that did not come over SMPP is never pending: it carries its creation time here.
   */
  smppDeliveredAt: number | null;
}

/** Upstream references of messages in flight, and the notices queued for senders. */
export interface DeliveryStore {
  /**
   * Records parts handed to upstreams, each findable by its upstream id in any of its forms
   * (`upstreamIdKey`, `upstreamIdLookupKeys`). A part already recorded (same messageId and part) is
   * replaced, and no longer found under its old id.
   */
  addRefs(refs: UpstreamRef[]): Promise<void>;
  /**
   * The part an upstream's id names, in whatever form the upstream spelled it (hex or decimal, case,
   * leading zeros); the most recently handed-over one when several match; null when none does.
   */
  findRef(route: string, upstreamId: string): Promise<UpstreamRef | null>;
  /**
   * Sets one part's state and time, and returns every part of the message after the change (so the
   * caller sees whether all are final). Settlements of one message are serialised: of two settling its
   * last two parts at once, the second sees both. Unknown parts change nothing.
   */
  settlePart(messageId: string, part: number, state: PartState, at: number): Promise<UpstreamRef[]>;
  /** Every recorded part of a message, in part order. */
  refsOf(messageId: string): Promise<UpstreamRef[]>;

  /** Queues one notice; StoreConflictError on a duplicate id. */
  addNotice(n: SenderNotice): Promise<void>;
  /** Queues several notices in one transaction. */
  addNotices(ns: SenderNotice[]): Promise<void>;
  /** An enterprise's notices not yet taken by an SMPP bind, oldest (id order) first, at most `limit`. */
  pendingSmpp(enterpriseId: string, limit: number): Promise<SenderNotice[]>;
  /** Marks notices taken by an SMPP bind at `at` (those already marked keep their first time). */
  markSmppDelivered(ids: readonly string[], at: number): Promise<void>;
  /** Notices of some enterprises with id > afterId, id order, at most `limit` (a webhook feed cursor). */
  noticesAfter(enterpriseIds: readonly string[], afterId: string, limit: number): Promise<SenderNotice[]>;
  /** The enterprises with at least one notice pending for SMPP, sorted. */
  pendingSmppEnterprises(): Promise<string[]>;
}
