import type { AppContext } from "../../../app/context.js";
import { isTemporaryStatus } from "../command-status.js";
import { noticeToPdus } from "./notice-pdus.js";

/** A session that can take `deliver_sm` (bound as receiver or transceiver). */
export interface ReceiverBind {
  readonly closed: boolean;
  request(pdu: ReturnType<typeof noticeToPdus>[number]): Promise<{ status: number }>;
}

/**
 * Pushes each enterprise's queued notices (receipts, replies) to its receiver binds on this node, oldest
 * first, and marks them delivered when the client answered. Notices wait in the store while no receiver
 * bind is up, and go when one binds; a poll picks up notices queued by other nodes. A client that
 * answers with a temporary status gets the notice again later; any other answer counts as delivered.
 */
export class NoticePusher {
  private readonly binds = new Map<string, ReceiverBind[]>();
  private readonly draining = new Set<string>();
  private readonly again = new Set<string>();
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly stats = { pushed: 0, failed: 0 };

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: { pollMs: number; batch?: number },
    /** Whether a part asked for a receipt with this outcome (registered_delivery). */
    private readonly wanted: (messageId: string, part: number, stat: string) => boolean = () => true,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      for (const e of this.binds.keys()) this.drain(e);
    }, this.opts.pollMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** A receiver bind came up: what waited for it goes now. */
  attach(enterpriseId: string, bind: ReceiverBind): void {
    const list = this.binds.get(enterpriseId) ?? [];
    list.push(bind);
    this.binds.set(enterpriseId, list);
    this.drain(enterpriseId);
  }

  detach(enterpriseId: string, bind: ReceiverBind): void {
    const list = (this.binds.get(enterpriseId) ?? []).filter((b) => b !== bind);
    if (list.length === 0) this.binds.delete(enterpriseId);
    else this.binds.set(enterpriseId, list);
  }

  /** Something was queued for the enterprise: push it if one of its receivers is bound here. */
  notify(enterpriseId: string): void {
    if (this.binds.has(enterpriseId)) this.drain(enterpriseId);
  }

  private pick(enterpriseId: string): ReceiverBind | null {
    const list = (this.binds.get(enterpriseId) ?? []).filter((b) => !b.closed);
    if (list.length === 0) return null;
    this.next = (this.next + 1) % list.length;
    return list[this.next] ?? null;
  }

  /** Pushes everything pending for one enterprise (one drain at a time per enterprise). */
  drain(enterpriseId: string): void {
    if (this.draining.has(enterpriseId)) {
      this.again.add(enterpriseId);
      return;
    }
    this.draining.add(enterpriseId);
    this.drainNow(enterpriseId)
      .catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, "notice push failed"))
      .finally(() => {
        this.draining.delete(enterpriseId);
        if (this.again.delete(enterpriseId)) this.drain(enterpriseId);
      });
  }

  private async drainNow(enterpriseId: string): Promise<void> {
    const batch = this.opts.batch ?? 500;
    for (;;) {
      const notices = await this.ctx.store.delivery.pendingSmpp(enterpriseId, batch);
      if (notices.length === 0) return;
      const done: string[] = [];
      await Promise.all(
        notices.map(async (n) => {
          for (const pdu of noticeToPdus(n, this.wanted, this.ctx.state.policy.defaultTimeZone)) {
            const bind = this.pick(enterpriseId);
            if (!bind) return;
            try {
              const resp = await bind.request(pdu);
              if (isTemporaryStatus(resp.status)) return;
            } catch {
              return;
            }
          }
          done.push(n.id);
        }),
      );
      this.stats.pushed += done.length;
      this.stats.failed += notices.length - done.length;
      if (done.length > 0) await this.ctx.store.delivery.markSmppDelivered(done, this.ctx.clock.now());
      if (done.length < notices.length || notices.length < batch) return;
    }
  }
}
