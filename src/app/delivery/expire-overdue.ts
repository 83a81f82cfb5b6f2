import { reason } from "../../domain/policy/reason-codes.js";
import type { AppContext } from "../context.js";
import { transitionWithReceipt } from "./sender-notices.js";

/** Outbox rows read per sweep: the longest due, which expire first when validities are alike. */
const SCAN = 10_000;

/**
 * Refuses `MESSAGE_EXPIRED` the accepted messages whose validity ended while nothing took them (no
 * carrier bind up: the dispatcher claims nothing then, so its own re-check never sees them), each with
 * its sender's `EXPIRED` receipt. Each move is a compare-and-set from `accepted`, so a claim by this or
 * another node at the same moment wins or loses cleanly. Returns how many were expired.
 */
export async function expireOverdue(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  const reasons = [reason("MESSAGE_EXPIRED")];
  const ids = await ctx.store.messages.overdue(now, SCAN);
  let n = 0;
  // moves made in one turn share the store's transaction (one commit per chunk, not per message)
  for (let i = 0; i < ids.length; i += 500) {
    const moved = await Promise.all(
      ids
        .slice(i, i + 500)
        .map((id) =>
          transitionWithReceipt(
            ctx,
            id,
            ["accepted"],
            { status: "refused", at: now, reasons },
            { stat: "EXPIRED", err: "000", reason: "MESSAGE_EXPIRED" },
            { reasons },
          ),
        ),
    );
    n += moved.filter((m) => m !== null).length;
  }
  return n;
}

/** Runs {@link expireOverdue} at most once every `everyMs` (the dispatcher asks on every idle turn). */
export class OverdueSweep {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: AppContext,
    private readonly everyMs = 5000,
  ) {}

  /** Expires what is overdue when the last sweep is `everyMs` old; returns how many. */
  async maybeRun(): Promise<number> {
    const now = this.ctx.clock.now();
    if (now - this.last < this.everyMs) return 0;
    this.last = now;
    const n = await expireOverdue(this.ctx);
    if (n > 0) this.ctx.log.info({ count: n }, "messages expired while no carrier was up");
    return n;
  }
}
