import type { Message } from "../../domain/messages/message.js";
import { maskPhone } from "../../domain/phone/phone.js";
import { byPrecedence } from "../../domain/policy/reason-codes.js";
import type { AppContext } from "../context.js";
import { Waker } from "../waker.js";
import type { DispatcherOptions } from "./dispatcher-options.js";
import { OverdueSweep } from "./expire-overdue.js";
import { refsOf, retryDelay } from "./hand-over-outcomes.js";
import { recheck } from "./recheck.js";
import { receiptErr, transitionWithReceipt } from "./sender-notices.js";
import type { Upstream } from "./upstream.port.js";

export type { DispatcherOptions };

/**
 * Moves accepted messages from the durable outbox to the upstream. A message is marked dispatching
 * (committed) before hand-over, so after a crash it is found in flight and marked unknown, never resent
 * blindly. Just before hand-over every time- or state-dependent rule is checked again.
 */
export class Dispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly waker = new Waker();
  readonly stats = { sent: 0, refused: 0, deferred: 0, unknown: 0, failed: 0 };
  /**
   * Outcomes decided but not yet recorded because the store failed (it went away mid-batch): retried
   * before every batch until recorded. A message stays `dispatching` meanwhile; if this process dies
   * first, the in-flight sweep settles it as `unknown`, never resent.
   */
  private readonly unrecorded: Array<() => Promise<unknown>> = [];
  private readonly overdue: OverdueSweep;

  constructor(
    private readonly ctx: AppContext,
    private readonly upstream: Upstream,
    private readonly opts: DispatcherOptions = {},
  ) {
    this.overdue = new OverdueSweep(ctx, opts.expiryEveryMs);
  }

  /** Settles messages a crash left in flight, then starts the loop. */
  async start(): Promise<void> {
    await this.settleInFlight();
    this.running = true;
    const grace = this.opts.inFlightGraceMs ?? 0;
    if (grace > 0) {
      this.sweep = setInterval(() => {
        this.ctx.store.cluster
          .leaseJob("in-flight-sweep", this.opts.nodeId ?? "node", this.ctx.clock.now(), grace / 2)
          .then((mine) => (mine ? this.settleInFlight() : undefined))
          .catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, "in-flight sweep failed"));
      }, grace / 2);
      this.sweep.unref();
    }
    this.ctx.onAccepted.push(() => this.wake());
    this.loop = this.run();
  }

  private sweep: NodeJS.Timeout | null = null;

  /** Marks unknown what a dead hand-over left dispatching (see {@link DispatcherOptions.inFlightGraceMs}). */
  private async settleInFlight(): Promise<void> {
    const now = this.ctx.clock.now();
    const grace = this.opts.inFlightGraceMs ?? 0;
    const n = await this.ctx.store.messages.markInFlightUnknown(now, grace > 0 ? now - grace : undefined);
    if (n > 0) this.ctx.log.warn({ count: n }, "messages left in flight by a stopped node marked unknown");
  }

  /** Asks the loop to look at the outbox now. */
  wake(): void {
    this.waker.wake();
  }

  /** Finishes the batch in hand and stops. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.sweep) clearInterval(this.sweep);
    this.waker.wake();
    await this.loop;
    await this.recordPending().catch((err: unknown) =>
      this.ctx.log.error(
        { err: String(err), count: this.unrecorded.length },
        "outcomes left unrecorded at stop",
      ),
    );
  }

  /** Dispatches until the outbox holds nothing due (for tests and the CLI). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.dispatchBatch();
      total += n;
      if (n === 0) return total;
    }
  }

  /** Hand-overs started by the loop and not finished. */
  private readonly inFlight = new Set<Promise<void>>();

  private async run(): Promise<void> {
    while (this.running) {
      const max = Math.min(
        this.opts.maxInFlight ?? 2000,
        this.upstream.capacity?.() ?? Number.POSITIVE_INFINITY,
      );
      let n = 0;
      try {
        await this.recordPending();
        await this.settleLostClaim();
        const room = Math.min(this.opts.batchSize ?? 200, max - this.inFlight.size);
        if (room > 0) n = await this.claimAndStart(room);
      } catch (err) {
        this.ctx.log.error({ err: String(err) }, "dispatcher batch failed");
      }
      if (!this.running) break;
      // full: wait for a quarter of the slots, so that the next claim is a batch, not one message
      // (no room at all — every carrier bind down — waits for every hand-over in flight to end)
      if (this.inFlight.size >= max && this.inFlight.size > 0)
        await this.inFlightDownTo(Math.max(0, max - Math.max(1, Math.floor(max / 4))));
      else if (n === 0) await this.waker.sleep(this.opts.idleMs ?? 200);
    }
    await Promise.all(this.inFlight);
  }

  /** Resolves once no more than `target` hand-overs are in flight. */
  private inFlightDownTo(target: number): Promise<void> {
    if (this.inFlight.size <= target) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.lowWater = { target, resolve };
    });
  }

  private lowWater: { target: number; resolve: () => void } | null = null;

  /**
   * A claim that failed may have been committed all the same (the database went away after the commit,
   * before its answer came): its messages are `dispatching` with no hand-over of this process behind them.
   * With several nodes the in-flight sweep settles them after the grace time; on one node (grace 0)
   * nothing would, so once no hand-over of this process is out and every outcome is recorded, what is
   * still dispatching is settled as unknown now (never resent: a claim's answer lost is indistinguishable
   * from a hand-over's).
   */
  private claimLost = false;

  private async settleLostClaim(): Promise<void> {
    if (!this.claimLost || this.inFlight.size > 0 || (this.opts.inFlightGraceMs ?? 0) > 0) return;
    await this.settleInFlight();
    this.claimLost = false;
  }

  /** Claims up to `limit` messages and starts their hand-overs without waiting for them. */
  private async claimAndStart(limit: number): Promise<number> {
    if (this.upstream.ready && !this.upstream.ready()) {
      // nothing is claimed, so nothing is re-checked: what outlives its validity meanwhile expires here
      this.stats.refused += await this.overdue.maybeRun();
      return 0;
    }
    let batch: Message[];
    try {
      batch = await this.ctx.store.messages.claimOutbox(limit, this.ctx.clock.now());
    } catch (err) {
      this.claimLost = true;
      throw err;
    }
    for (const m of batch) {
      const p: Promise<void> = this.handOver(m)
        .catch((err: unknown) => this.ctx.log.error({ err: String(err) }, "hand-over failed"))
        .finally(() => {
          this.inFlight.delete(p);
          // slots are free: the loop may be waiting for them
          const low = this.lowWater;
          if (low && this.inFlight.size <= low.target) {
            this.lowWater = null;
            low.resolve();
          }
          this.waker.wake();
        });
      this.inFlight.add(p);
    }
    return batch.length;
  }

  /** Claims one batch and hands it over; returns how many were claimed. */
  async dispatchBatch(): Promise<number> {
    await this.recordPending();
    const n = await this.claimAndStart(this.opts.batchSize ?? 200);
    await Promise.all(this.inFlight);
    return n;
  }

  /** Retries the outcomes the store did not take; stops at the first that still fails. */
  private async recordPending(): Promise<void> {
    while (this.unrecorded.length > 0) {
      const write = this.unrecorded[0] as () => Promise<unknown>;
      await write();
      this.unrecorded.shift();
    }
  }

  /** Records an outcome, or keeps it for {@link recordPending} when the store fails. */
  private async record(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.ctx.log.warn({ err: String(err) }, "outcome not recorded yet; will retry");
      this.unrecorded.push(write);
    }
  }

  private async handOver(m: Message): Promise<void> {
    const { messages } = this.ctx.store;
    const now = this.ctx.clock.now();
    const r = recheck(this.ctx, m, now);
    if (r.kind === "wait") {
      this.stats.deferred++;
      const event = { status: "accepted" as const, at: now, note: "waiting for the marketing window" };
      await this.record(() => messages.defer(m.id, r.until, event));
      return;
    }
    if (r.kind === "refuse") {
      this.stats.refused++;
      const reasons = byPrecedence(r.codes);
      const event = { status: "refused" as const, at: now, reasons };
      await this.record(() =>
        transitionWithReceipt(
          this.ctx,
          m.id,
          ["dispatching"],
          event,
          {
            stat: reasons[0]?.code === "MESSAGE_EXPIRED" ? "EXPIRED" : "REJECTD",
            err: "000",
            ...(reasons[0] ? { reason: reasons[0].code } : {}),
          },
          { reasons },
        ),
      );
      return;
    }
    let result: Awaited<ReturnType<Upstream["submit"]>>;
    try {
      result = await this.upstream.submit(m);
    } catch (err) {
      this.stats.unknown++;
      this.ctx.log.warn(
        { messageId: m.id, to: maskPhone(m.phone), err: String(err) },
        "hand-over outcome unknown",
      );
      const event = {
        status: "unknown" as const,
        at: this.ctx.clock.now(),
        note: "hand-over outcome unknown",
      };
      await this.record(() => messages.transition(m.id, ["dispatching"], "unknown", event));
      return;
    }
    const at = this.ctx.clock.now();
    if (result.ok) {
      this.stats.sent++;
      const event = { status: "sent" as const, at, note: this.upstream.name };
      const patch = { upstreamId: result.upstreamId };
      const { route, partIds } = result;
      await this.record(async () => {
        // refs first: a receipt may come back before the transition is written
        if (route && partIds) await this.ctx.store.delivery.addRefs(refsOf(m, route, partIds, at));
        await messages.transition(m.id, ["dispatching"], "sent", event, patch);
      });
    } else if (result.permanent) {
      this.stats.failed++;
      const event = { status: "failed" as const, at, note: result.error };
      const err = result.status === undefined ? "000" : receiptErr(result.status);
      await this.record(() =>
        transitionWithReceipt(this.ctx, m.id, ["dispatching"], event, { stat: "UNDELIV", err }),
      );
    } else {
      this.stats.deferred++;
      const event = { status: "accepted" as const, at, note: `upstream: ${result.error}` };
      await this.record(() => messages.defer(m.id, at + retryDelay(m, this.opts.retryMs ?? 5000), event));
    }
  }
}
