/**
 * Runs tasks one at a time per key, in the order they were queued; tasks of different keys run side by
 * side. A key is forgotten as soon as nothing runs or waits under it, so the map holds only keys busy now.
 */
export class KeyedQueue {
  /** Per busy key: settles when the last task queued under it has finished. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Keys with a task running or waiting. */
  get busyKeys(): number {
    return this.tails.size;
  }

  /** Runs `task` once every task queued under `key` before it has finished (at once if none). */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    let finished!: () => void;
    const mine = new Promise<void>((resolve) => {
      finished = resolve;
    });
    this.tails.set(key, mine);
    const go = async () => {
      try {
        return await task();
      } finally {
        finished();
        if (this.tails.get(key) === mine) this.tails.delete(key);
      }
    };
    // `before` never rejects: it is another caller's `mine`, which only ever resolves
    return before === undefined ? go() : before.then(go);
  }
}
