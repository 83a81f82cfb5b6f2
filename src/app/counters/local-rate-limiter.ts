import { DomainError } from "../../domain/shared/domain-error.js";

/** Per-sender messages-per-second budgets of one node (used when no Redis shares them). */
export class LocalRateLimiter {
  private second = -1;
  private readonly taken = new Map<string, number>();

  /** Takes `n` from the sender's budget for the second of `now`; throws RATE_LIMITED when over. */
  take(senderId: string, perSecond: number, n: number, now: number): void {
    const sec = Math.floor(now / 1000);
    if (sec !== this.second) {
      this.second = sec;
      this.taken.clear();
    }
    const used = this.taken.get(senderId) ?? 0;
    if (used + n > perSecond)
      throw new DomainError(
        "RATE_LIMITED",
        "the sender is over its messages-per-second limit; retry in a second",
      );
    this.taken.set(senderId, used + n);
  }
}
