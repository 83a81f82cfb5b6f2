/**
 * An enterprise's webhook: one URL that receives two feeds as signed HTTP POSTs, each with its own
 * cursor and back-off — the suppression feed (withdrawals and DND changes) and the message events
 * (delivery receipts and replies, from the sender notices). At most one per enterprise.
 */
export interface WebhookSubscription {
  enterpriseId: string;
  /** An http: or https: URL. */
  url: string;
  /** The HMAC-SHA256 signing secret (`whsec_…`), kept as is because it signs. */
  secret: string;
  /** The suppression-feed cursor delivered up to ("0": nothing delivered yet). */
  cursor: string;
  /** Failed suppression-feed deliveries since the last success. */
  attempts: number;
  /** Epoch milliseconds; the suppression feed is due when this is not in the future. */
  nextAttemptAt: number;
  /**
   * What the last failed suppression-feed delivery met (an HTTP status, a timeout, a network error);
   * null after a success.
   */
  lastError: string | null;
  /**
   * The message-events cursor: the last sender notice id delivered (notices with a greater id follow;
   * "0": the whole backlog).
   */
  noticesCursor: string;
  /** Failed message-events deliveries since the last success. */
  noticesAttempts: number;
  /** Epoch milliseconds; the message-events feed is due when this is not in the future. */
  noticesNextAttemptAt: number;
  /** What the last failed message-events delivery met; null after a success. */
  noticesLastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Options of {@link WebhookStore.set}. */
export interface SetWebhookOptions {
  /** On replace, also overwrite the stored cursor with the given one (otherwise the old cursor stays). */
  resetCursor?: boolean;
  /** On replace, also overwrite the stored notices cursor (otherwise the old one stays). */
  resetNoticesCursor?: boolean;
}

/** Persistence of webhook subscriptions, one per enterprise. */
export interface WebhookStore {
  /**
   * Inserts a subscription, or replaces the enterprise's existing one: url, secret, the back-off state of
   * both feeds (attempts, nextAttemptAt, lastError and their notices twins) and updatedAt are replaced;
   * createdAt is kept, and so are the cursor unless `resetCursor` is asked and the notices cursor unless
   * `resetNoticesCursor` is asked.
   */
  set(s: WebhookSubscription, opts?: SetWebhookOptions): Promise<void>;
  get(enterpriseId: string): Promise<WebhookSubscription | null>;
  /** Deletes the subscription; false when there was none. */
  remove(enterpriseId: string): Promise<boolean>;
  /** Every subscription, oldest first. */
  list(): Promise<WebhookSubscription[]>;
  /**
   * Records a successful suppression-feed delivery: the cursor moves to `cursor`, attempts go back to
   * 0, lastError to null, and the feed is due again at `at`. The message-events state is left alone.
   * No-op when there is no subscription.
   */
  advance(enterpriseId: string, cursor: string, at: number): Promise<void>;
  /**
   * Records a failed suppression-feed delivery: attempts, the next attempt time and the error; the
   * cursor never moves, and the message-events state is left alone. No-op when there is no subscription.
   */
  fail(
    enterpriseId: string,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
    at: number,
  ): Promise<void>;
  /**
   * Records a successful message-events delivery: the notices cursor moves to `cursor`, noticesAttempts
   * go back to 0, noticesLastError to null, and the feed is due again at `at`. The suppression feed's
   * state is left alone. No-op when there is no subscription.
   */
  advanceNotices(enterpriseId: string, cursor: string, at: number): Promise<void>;
  /**
   * Records a failed message-events delivery: noticesAttempts, noticesNextAttemptAt and
   * noticesLastError; the notices cursor never moves, and the suppression feed's state is left alone.
   * No-op when there is no subscription.
   */
  failNotices(
    enterpriseId: string,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
    at: number,
  ): Promise<void>;
}
