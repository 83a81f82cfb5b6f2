import type { PartState } from "../../domain/delivery/delivery-store.port.js";
import { userMessageReferenceOf } from "../../domain/delivery/user-message-reference.js";
import type { MessageStatus } from "../../domain/messages/message.js";
import type { AppContext } from "../context.js";
import { type ReceiptStat, transitionWithReceipt } from "./sender-notices.js";

/** A delivery receipt as an upstream SMSC reported it. */
export interface UpstreamReceipt {
  /** The upstream (route) it came from: ids are only unique per upstream. */
  route: string;
  /** The id the upstream gave in `submit_sm_resp`, in whatever form the receipt spells it. */
  upstreamId: string;
  /** DELIVRD, UNDELIV, EXPIRED, REJECTD, DELETED, ACCEPTD, ENROUTE, UNKNOWN. */
  stat: string;
  err: string;
  /** Echoed `user_message_reference`, when the upstream echoes it. */
  userMessageReference?: number;
  /** The recipient (E.164): needed to settle an in-flight-at-crash message by its reference. */
  recipient?: string;
  at: number;
}

export type ReceiptOutcome =
  | { matched: false }
  | { matched: true; messageId: string; final: boolean; status?: MessageStatus };

const FINAL: ReadonlySet<PartState> = new Set(["delivered", "failed", "expired", "rejected"]);

/** The part state a receipt's `stat:` means; null for intermediate ones (ENROUTE, ACCEPTD). */
export function partStateOfStat(stat: string): PartState | null {
  switch (stat.trim().toUpperCase()) {
    case "DELIVRD":
    case "DELIVERED":
      return "delivered";
    case "UNDELIV":
    case "DELETED":
    case "UNDELIVERABLE":
      return "failed";
    case "EXPIRED":
      return "expired";
    case "REJECTD":
    case "REJECTED":
      return "rejected";
    case "UNKNOWN":
      return "unknown";
    default:
      return null;
  }
}

/** How far back an unknown message may be settled by a receipt's reference. */
const UNKNOWN_LOOKBACK_MS = 7 * 86_400_000;

/**
 * Records an upstream receipt: finds the message part it is for (by the upstream id in any of its forms,
 * else — for a message whose hand-over outcome is unknown — by the echoed user_message_reference and the
 * recipient), settles the part, and once every part is final moves the message to delivered or failed and
 * queues a receipt for its sender.
 */
export async function recordUpstreamReceipt(ctx: AppContext, r: UpstreamReceipt): Promise<ReceiptOutcome> {
  const { delivery, messages } = ctx.store;
  let ref = await delivery.findRef(r.route, r.upstreamId);
  if (!ref && r.userMessageReference !== undefined && r.recipient) {
    const unknown = await messages.findUnknownToRecipient(r.recipient, r.at - UNKNOWN_LOOKBACK_MS);
    const m = unknown.find((c) => userMessageReferenceOf(c.id) === r.userMessageReference);
    if (m) {
      ref = {
        route: r.route,
        upstreamId: r.upstreamId,
        messageId: m.id,
        part: 1,
        parts: 1,
        state: "unknown",
        at: r.at,
      };
      await delivery.addRefs([ref]);
    }
  }
  if (!ref) return { matched: false };
  const state = partStateOfStat(r.stat);
  if (!state || state === "unknown") return { matched: true, messageId: ref.messageId, final: false };
  // one part: the receipt settles the message itself (no part bookkeeping to read back)
  const parts =
    ref.parts === 1 && ref.part === 1
      ? [{ ...ref, state }]
      : await delivery.settlePart(ref.messageId, ref.part, state, r.at);
  if (!parts.every((p) => FINAL.has(p.state)))
    return { matched: true, messageId: ref.messageId, final: false };
  const status: MessageStatus = parts.every((p) => p.state === "delivered") ? "delivered" : "failed";
  const note = `receipt ${r.stat.toUpperCase()} err:${r.err}`;
  // the status and the sender's receipt commit together: were the receipt lost after the status, the
  // upstream's repeat (its deliver_sm was never answered) would find the message settled and queue none
  await transitionWithReceipt(
    ctx,
    ref.messageId,
    ["sent", "unknown", "dispatching"],
    { status, at: r.at, note },
    { stat: worstStat(parts.map((p) => p.state)), err: r.err },
  );
  return { matched: true, messageId: ref.messageId, final: true, status };
}

/** The stat a sender sees for a whole message: delivered only when every part was. */
function worstStat(states: PartState[]): ReceiptStat {
  if (states.includes("rejected")) return "REJECTD";
  if (states.includes("expired")) return "EXPIRED";
  if (states.includes("failed")) return "UNDELIV";
  return "DELIVRD";
}

/**
 * Matches receipts that may arrive before their hand-over is recorded (the upstream answered, the
 * receipt raced the write): an unmatched receipt is tried again every `retryMs` for `maxTries` times.
 */
export class ReceiptRecorder {
  private readonly waiting: Array<{ r: UpstreamReceipt; tries: number }> = [];
  private timer: NodeJS.Timeout | null = null;
  readonly stats = { matched: 0, unmatched: 0 };

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: { retryMs?: number; maxTries?: number } = {},
  ) {}

  /** Records one receipt; an unmatched one is retried in the background. */
  async record(r: UpstreamReceipt): Promise<ReceiptOutcome> {
    const out = await recordUpstreamReceipt(this.ctx, r);
    if (out.matched) this.stats.matched++;
    else this.later(r, 1);
    return out;
  }

  private later(r: UpstreamReceipt, tries: number): void {
    if (tries >= (this.opts.maxTries ?? 30)) {
      this.stats.unmatched++;
      this.ctx.log.warn(
        { route: r.route, upstreamId: r.upstreamId, stat: r.stat },
        "receipt matched no message",
      );
      return;
    }
    this.waiting.push({ r, tries });
    if (!this.timer) {
      this.timer = setTimeout(() => void this.retry(), this.opts.retryMs ?? 1000);
      this.timer.unref();
    }
  }

  private async retry(): Promise<void> {
    this.timer = null;
    const batch = this.waiting.splice(0);
    for (const w of batch) {
      try {
        const out = await recordUpstreamReceipt(this.ctx, w.r);
        if (out.matched) this.stats.matched++;
        else this.later(w.r, w.tries + 1);
      } catch (err) {
        this.ctx.log.warn({ err: String(err) }, "receipt not recorded yet; will retry");
        this.later(w.r, w.tries + 1);
      }
    }
  }

  /** Stops retrying (at shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
