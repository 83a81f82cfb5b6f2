/**
 * A session's link check: sends enquire_link when nothing was received for a while, and gives up on the
 * link when nothing was received for longer still or an enquire_link goes unanswered.
 */
import { performance } from "node:perf_hooks";
import { SessionTimeoutError } from "./session-errors.js";

/** What the link check asks of its session. */
export interface LinkHooks {
  /** Sends enquire_link; rejects with SessionTimeoutError when it is not answered in time. */
  enquire(): Promise<unknown>;
  /** The link is dead: close the session (not gracefully) for `reason`. */
  dead(reason: string): void;
}

export class LinkMonitor {
  /** 0 = never enquire. */
  readonly #enquireMs: number;
  /** 0 = never give up on silence alone. */
  readonly #inactivityMs: number;
  readonly #hooks: LinkHooks;

  #lastRx = performance.now();
  #enquireOutstanding = false;
  #linkTimer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(enquireMs: number, inactivityMs: number, hooks: LinkHooks) {
    this.#enquireMs = enquireMs;
    this.#inactivityMs = inactivityMs;
    this.#hooks = hooks;
  }

  /** Something was received just now. */
  received(): void {
    this.#lastRx = performance.now();
  }

  /** Arms the timer for the next check (nothing when both checks are off or after stop()). */
  start(): void {
    if (this.#stopped || (this.#enquireMs <= 0 && this.#inactivityMs <= 0)) return;
    const now = performance.now();
    let due = Number.POSITIVE_INFINITY;
    if (this.#inactivityMs > 0) due = this.#lastRx + this.#inactivityMs;
    if (this.#enquireMs > 0) {
      const next = this.#lastRx + this.#enquireMs;
      due = Math.min(due, this.#enquireOutstanding || next <= now ? now + this.#enquireMs : next);
    }
    this.#linkTimer = setTimeout(() => this.#onLinkTimer(), Math.max(1, Math.ceil(due - now)));
    this.#linkTimer.unref();
  }

  /** Stops checking for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#linkTimer !== null) clearTimeout(this.#linkTimer);
    this.#linkTimer = null;
  }

  #onLinkTimer(): void {
    this.#linkTimer = null;
    if (this.#stopped) return;
    const idle = performance.now() - this.#lastRx;
    if (this.#inactivityMs > 0 && idle >= this.#inactivityMs) {
      this.#hooks.dead(`nothing received for ${this.#inactivityMs} ms`);
      return;
    }
    if (this.#enquireMs > 0 && idle >= this.#enquireMs && !this.#enquireOutstanding) {
      this.#enquireOutstanding = true;
      this.#hooks.enquire().then(
        () => {
          this.#enquireOutstanding = false;
        },
        (err: unknown) => {
          this.#enquireOutstanding = false;
          if (err instanceof SessionTimeoutError) this.#hooks.dead("enquire_link not answered");
        },
      );
    }
    this.start();
  }
}
