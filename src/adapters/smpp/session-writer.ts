/**
 * A session's outgoing side: batches the frames written during one event-loop turn into one socket write,
 * and stops reading from the socket while the peer is not reading our writes.
 */
import type { Socket } from "node:net";

export class SessionWriter {
  readonly #socket: Socket;
  /** Called when a socket write throws before close(). */
  readonly #onWriteFailed: (err: unknown) => void;

  #out: Buffer[] = [];
  #outBytes = 0;
  #flushScheduled: NodeJS.Immediate | null = null;
  #readPaused = false;
  #closed = false;

  constructor(socket: Socket, onWriteFailed: (err: unknown) => void) {
    this.#socket = socket;
    this.#onWriteFailed = onWriteFailed;
    // We batch writes ourselves; Nagle would only add a round trip of latency to each batch.
    socket.setNoDelay(true);
    socket.on("drain", () => {
      if (this.#readPaused && !this.#closed) socket.resume();
      this.#readPaused = false;
    });
  }

  /** Queues a frame for this turn's write. */
  write(frame: Buffer): void {
    this.#out.push(frame);
    this.#outBytes += frame.length;
    this.#flushScheduled ??= setImmediate(() => this.flush());
  }

  /** Writes what is queued now, as one buffer; nothing when the socket is no longer writable. */
  flush(): void {
    if (this.#flushScheduled !== null) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = null;
    const out = this.#out;
    if (out.length === 0) return;
    const data = out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out, this.#outBytes);
    this.#out = [];
    this.#outBytes = 0;
    const socket = this.#socket;
    if (socket.destroyed || !socket.writable) return;
    try {
      if (!socket.write(data) && !this.#readPaused) {
        // The peer is not reading: stop reading its requests until our answers drain.
        this.#readPaused = true;
        socket.pause();
      }
    } catch (err) {
      if (!this.#closed) this.#onWriteFailed(err);
    }
  }

  /** Stops for good: writes what is queued first when `graceful`, drops it otherwise. */
  close(graceful: boolean): void {
    this.#closed = true;
    if (graceful) this.flush();
    if (this.#flushScheduled !== null) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = null;
    this.#out = [];
  }
}
