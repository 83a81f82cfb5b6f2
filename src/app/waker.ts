/**
 * The idle wait of a polling worker (dispatcher, campaign runner, webhook dispatcher): sleeps up to a
 * poll interval, and `wake()` ends the sleep at once. A wake while the worker is busy is remembered, so
 * the next sleep returns immediately and no wake-up is lost.
 */
export class Waker {
  private wakeUp: (() => void) | null = null;
  private pending = false;

  /** Waits up to `ms`, or until `wake()`. */
  async sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wakeUp = null;
    this.pending = false;
  }

  /** Ends the current sleep, or the next one before it starts. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.pending = true;
  }
}
