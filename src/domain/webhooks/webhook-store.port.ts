/**
 * An enterprise's subscription to its suppression feed (withdrawals and DND changes), delivered as
 * signed HTTP POSTs. At most one per enterprise.
 */
export interface WebhookSubscription {
  enterpriseId: string;
  /** An http: or https: URL. */
  url: string;
  /** The HMAC-SHA256 signing secret (`whsec_…`), kept as is because it signs. */
  secret: string;
  /** The suppression-feed cursor delivered up to ("0": nothing delivered yet). */
  cursor: string;
  /** Failed attempts since the last success. */
  attempts: number;
  /** Epoch milliseconds; the subscription is due when this is not in the future. */
  nextAttemptAt: number;
  /** What the last failed attempt met (an HTTP status, a timeout, a network error); null after a success. */
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** Options of {@link WebhookStore.set}. */
export interface SetWebhookOptions {
  /** On replace, also overwrite the stored cursor with the given one (otherwise the old cursor stays). */
  resetCursor?: boolean;
}

/** Persistence of webhook subscriptions, one per enterprise. */
export interface WebhookStore {
  /**
   * Inserts a subscription, or replaces the enterprise's existing one: url, secret, attempts,
   * nextAttemptAt, lastError and updatedAt are replaced; createdAt is kept, and so is the cursor unless
   * `resetCursor` is asked.
   */
  set(s: WebhookSubscription, opts?: SetWebhookOptions): Promise<void>;
  get(enterpriseId: string): Promise<WebhookSubscription | null>;
  /** Deletes the subscription; false when there was none. */
  remove(enterpriseId: string): Promise<boolean>;
  /** Every subscription, oldest first. */
  list(): Promise<WebhookSubscription[]>;
  /**
   * Records a successful delivery: the cursor moves to `cursor`, attempts go back to 0, lastError to
   * null, and the subscription is due again at `at`. No-op when there is no subscription.
   */
  advance(enterpriseId: string, cursor: string, at: number): Promise<void>;
  /**
   * Records a failed delivery: attempts, the next attempt time and the error; the cursor never moves.
   * No-op when there is no subscription.
   */
  fail(
    enterpriseId: string,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
    at: number,
  ): Promise<void>;
}
