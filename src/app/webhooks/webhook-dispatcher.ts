import type { Clock } from "../../domain/shared/clock.port.js";
import { signWebhook } from "../../domain/webhooks/webhook-signature.js";
import type { WebhookSubscription } from "../../domain/webhooks/webhook-store.port.js";
import { listSuppressions } from "../consent/suppressions.js";
import type { AppContext } from "../context.js";
import { Waker } from "../waker.js";
import { listMessageEvents } from "./message-events.js";
import type { WebhookSender } from "./webhook-sender.port.js";

/**
 * The two feeds a webhook carries, named as the `x-anning-event` header names them: the suppression
 * feed (withdrawals, DND changes) and the message events (delivery receipts, replies).
 */
export type WebhookFeed = "suppressions" | "messages";

const FEEDS: readonly WebhookFeed[] = ["suppressions", "messages"];

/** One feed's delivery state within a subscription. */
interface FeedState {
  cursor: string;
  attempts: number;
  nextAttemptAt: number;
}

function feedState(s: WebhookSubscription, feed: WebhookFeed): FeedState {
  return feed === "suppressions"
    ? { cursor: s.cursor, attempts: s.attempts, nextAttemptAt: s.nextAttemptAt }
    : { cursor: s.noticesCursor, attempts: s.noticesAttempts, nextAttemptAt: s.noticesNextAttemptAt };
}

export interface WebhookDispatcherOptions {
  /** Pause between rounds when nothing is left to send (default 2 s). */
  pollMs?: number;
  /** Events per delivery, at most (default 500). */
  batchSize?: number;
  /** A delivery not answered within this is a failure (default 10 s). */
  timeoutMs?: number;
  /** Subscriptions delivered to at the same time (default 8). */
  concurrency?: number;
  /**
   * With several nodes: this node's name. Rounds then run under the `webhooks` job lease, so one node
   * delivers at a time and no batch goes out twice from two nodes.
   */
  nodeId?: string;
  /**
   * The clock a signature's `t` is read from (default: the context's). Receivers compare it with their
   * own clock, so a server on a simulated clock (ANNING_TEST_CLOCK_START) still signs with the real time.
   */
  signingClock?: Clock;
}

/** What one round did (deliveries of both feeds counted together). */
export interface WebhookRound {
  /** Subscriptions with at least one feed due. */
  due: number;
  /** Deliveries answered 2xx (their feeds' cursors advanced). */
  delivered: number;
  /** Deliveries that failed (non-2xx, network error, timeout): that feed is retried after a back-off. */
  failed: number;
  /** Some delivery carried a full batch: more events are probably waiting. */
  more: boolean;
}

/** Back-off after a failure, given the failed attempts before it: 5 s × 2^attempts, at most 1 h. */
export function webhookBackoffMs(attempts: number): number {
  return Math.min(5000 * 2 ** attempts, 3_600_000);
}

class Timeout extends Error {}

/** Races `p` against a timer; the timer never keeps the process alive. */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
    timer.unref();
  });
  try {
    return await Promise.race([p, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Pushes two feeds of each enterprise to its webhook, signed with its secret: the suppression feed (the
 * very items of `GET /v1/suppressions`, as that enterprise sees them; `x-anning-event: suppressions`)
 * and its message events (receipts and replies of its own and its merchants' messages, see
 * `message-events.ts`; `x-anning-event: messages`). Each feed has its own cursor and back-off, and the
 * two go out side by side, so a failing one never holds up the other. A cursor moves only when the
 * receiver answers 2xx; any other answer, a network error or a timeout backs that feed off
 * exponentially and the same events go again next time. Nothing is lost, and an event may arrive
 * twice: receivers dedupe by cursor (suppressions) or id (message events). Several nodes may run one
 * each: rounds take the `webhooks` job lease first (see `nodeId`).
 */
export class WebhookDispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly waker = new Waker();
  readonly stats = { delivered: 0, failed: 0 };

  constructor(
    private readonly ctx: AppContext,
    private readonly sender: WebhookSender,
    private readonly opts: WebhookDispatcherOptions = {},
  ) {}

  /** Starts polling for due subscriptions. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the round in hand and stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.waker.wake();
    await this.loop;
    this.loop = null;
  }

  /** One round: one delivery of every due feed, of every subscription, that has events after its cursor. */
  async deliverOnce(): Promise<WebhookRound> {
    const now = this.ctx.clock.now();
    const isDue = (s: WebhookSubscription, f: WebhookFeed) => feedState(s, f).nextAttemptAt <= now;
    const due = (await this.ctx.store.webhooks.list()).filter((s) => FEEDS.some((f) => isDue(s, f)));
    const round: WebhookRound = { due: due.length, delivered: 0, failed: 0, more: false };
    let next = 0;
    const worker = async () => {
      for (let s = due[next++]; s !== undefined; s = due[next++]) {
        const sub = s;
        await Promise.all(
          FEEDS.filter((f) => isDue(sub, f)).map(async (feed) => {
            try {
              await this.deliver(sub, feed, round);
            } catch (err) {
              this.ctx.log.error(
                { enterpriseId: sub.enterpriseId, feed, err: String(err) },
                "webhook round failed",
              );
            }
          }),
        );
      }
    };
    const workers = Math.max(1, Math.min(this.opts.concurrency ?? 8, due.length));
    await Promise.all(Array.from({ length: workers }, worker));
    return round;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let more = false;
      try {
        if (await this.holdsLease()) more = (await this.deliverOnce()).more;
      } catch (err) {
        this.ctx.log.error({ err: String(err) }, "webhook round failed");
      }
      if (more || !this.running) continue;
      await this.waker.sleep(this.opts.pollMs ?? 2000);
    }
  }

  /** Without a node id: always. With one: whether this node holds (or now took) the webhooks lease. */
  private async holdsLease(): Promise<boolean> {
    const node = this.opts.nodeId;
    if (node === undefined) return true;
    const ttl = (this.opts.timeoutMs ?? 10_000) * 3 + (this.opts.pollMs ?? 2000);
    return this.ctx.store.cluster.leaseJob("webhooks", node, this.ctx.clock.now(), ttl);
  }

  /** The events of one feed after its cursor, at most `limit`, and the cursor after them. */
  private async page(
    sub: WebhookSubscription,
    feed: WebhookFeed,
    limit: number,
  ): Promise<{ items: unknown[]; nextCursor: string }> {
    if (feed === "messages") return listMessageEvents(this.ctx, sub.enterpriseId, sub.noticesCursor, limit);
    const actor = { kind: "enterprise" as const, enterpriseId: sub.enterpriseId };
    return listSuppressions(this.ctx, actor, { cursor: sub.cursor, limit });
  }

  private async deliver(sub: WebhookSubscription, feed: WebhookFeed, round: WebhookRound): Promise<void> {
    const { ctx } = this;
    const batchSize = this.opts.batchSize ?? 500;
    const page = await this.page(sub, feed, batchSize);
    if (page.items.length === 0) return;
    const body = JSON.stringify({ events: page.items, nextCursor: page.nextCursor });
    const headers = {
      "content-type": "application/json",
      "x-anning-event": feed,
      "x-anning-delivery": ctx.ids.next("whd"),
      "x-anning-signature": signWebhook(
        sub.secret,
        Math.floor((this.opts.signingClock ?? ctx.clock).now() / 1000),
        body,
      ),
    };
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    let error: string | null = null;
    let kind = "";
    try {
      const r = await within(this.sender.post(sub.url, headers, body), timeoutMs);
      if (r.status < 200 || r.status > 299) [kind, error] = ["status", `HTTP ${r.status}`];
    } catch (err) {
      if (err instanceof Timeout) [kind, error] = ["timeout", `timeout after ${timeoutMs} ms`];
      else [kind, error] = ["network", `network error: ${err instanceof Error ? err.message : String(err)}`];
    }
    // Replaced (new URL, secret or cursor) or removed while the request was out: leave the new state be.
    if (!sameState(sub, await ctx.store.webhooks.get(sub.enterpriseId), feed)) return;
    const now = ctx.clock.now();
    const { webhooks } = ctx.store;
    if (error === null) {
      if (feed === "messages") await webhooks.advanceNotices(sub.enterpriseId, page.nextCursor, now);
      else await webhooks.advance(sub.enterpriseId, page.nextCursor, now);
      round.delivered++;
      this.stats.delivered++;
      if (page.items.length >= batchSize) round.more = true;
      return;
    }
    const before = feedState(sub, feed).attempts;
    const attempts = before + 1;
    const nextAttemptAt = now + webhookBackoffMs(before);
    const lastError = error.slice(0, 200);
    if (feed === "messages")
      await webhooks.failNotices(sub.enterpriseId, attempts, nextAttemptAt, lastError, now);
    else await webhooks.fail(sub.enterpriseId, attempts, nextAttemptAt, lastError, now);
    round.failed++;
    this.stats.failed++;
    // The enterprise id only: never a number, a URL or the body.
    ctx.log.warn(
      { enterpriseId: sub.enterpriseId, feed, attempts, reason: kind, retryInMs: nextAttemptAt - now },
      "webhook delivery failed",
    );
  }
}

/**
 * Whether the subscription is still the one a delivery of `feed` started from: same secret (a new one
 * on every `PUT`) and URL, and that feed's cursor and back-off unmoved. The other feed's progress, which
 * runs side by side, does not count.
 */
function sameState(a: WebhookSubscription, b: WebhookSubscription | null, feed: WebhookFeed): boolean {
  if (b === null || a.secret !== b.secret || a.url !== b.url) return false;
  const [x, y] = [feedState(a, feed), feedState(b, feed)];
  return x.cursor === y.cursor && x.attempts === y.attempts && x.nextAttemptAt === y.nextAttemptAt;
}
