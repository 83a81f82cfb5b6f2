/**
 * A session's requests awaiting responses: sequence numbers, the window of requests on the wire (extra
 * ones queue FIFO), matching responses to them, and one timer for all their timeouts.
 */
import { performance } from "node:perf_hooks";
import type { Pdu } from "./pdu/pdu.js";
import { RequestNotSentError, SessionTimeoutError } from "./session-errors.js";
import type { SessionWriter } from "./session-writer.js";

interface Pending {
  deadline: number;
  resolve(pdu: Pdu): void;
  reject(err: Error): void;
}

interface Queued {
  seq: number;
  frame: Buffer;
  resolve(pdu: Pdu): void;
  reject(err: Error): void;
}

const MAX_SEQ = 0x7fffffff;

export class RequestWindow {
  readonly #writer: SessionWriter;
  readonly #window: number;
  readonly #timeoutMs: number;

  /** Our requests on the wire, by sequence; insertion order is deadline order. */
  readonly #pending = new Map<number, Pending>();
  /** Our requests waiting for a window slot: a FIFO read from #queueHead. */
  #queue: Array<Queued | undefined> = [];
  #queueHead = 0;
  #seq = 0;
  #timeoutTimer: NodeJS.Timeout | null = null;
  #closed = false;

  /** `window`: max requests on the wire (at least 1); `timeoutMs`: how long each waits for its response. */
  constructor(writer: SessionWriter, window: number, timeoutMs: number) {
    this.#writer = writer;
    this.#window = window;
    this.#timeoutMs = timeoutMs;
  }

  /** Our requests awaiting responses. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Our requests waiting for a window slot. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /** The next sequence number 1..0x7FFFFFFF (wrapping) not in flight. */
  nextSeq(): number {
    do this.#seq = this.#seq >= MAX_SEQ ? 1 : this.#seq + 1;
    while (this.#pending.has(this.#seq));
    return this.#seq;
  }

  /** Writes the request now when the window has room and nothing is queued, else queues it. */
  submit(seq: number, frame: Buffer, resolve: (pdu: Pdu) => void, reject: (err: Error) => void): void {
    if (this.#pending.size < this.#window && this.queued === 0) this.dispatch(seq, frame, resolve, reject);
    else this.#queue.push({ seq, frame, resolve, reject });
  }

  /** Writes the request now, whether or not the window has room. */
  dispatch(seq: number, frame: Buffer, resolve: (pdu: Pdu) => void, reject: (err: Error) => void): void {
    this.#pending.set(seq, { deadline: performance.now() + this.#timeoutMs, resolve, reject });
    this.#writer.write(frame);
    if (this.#timeoutTimer === null) this.#armTimeout(this.#timeoutMs);
  }

  /** Resolves the request a response answers and fills its slot; false when no request has its sequence. */
  settle(resp: Pdu): boolean {
    const p = this.#pending.get(resp.sequence);
    if (p === undefined) return false;
    this.#pending.delete(resp.sequence);
    p.resolve(resp);
    this.#pump();
    return true;
  }

  /** Rejects the requests waiting for a window slot with `err` (they never left); those on the wire stay. */
  dropQueued(err: RequestNotSentError): void {
    const queued = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const q of queued) q?.reject(err);
  }

  /**
   * Stops the timer and rejects every request: those on the wire with `err` (their outcome is unknown),
   * then the queued ones with a RequestNotSentError (they never left).
   */
  close(err: Error): void {
    this.#closed = true;
    if (this.#timeoutTimer !== null) clearTimeout(this.#timeoutTimer);
    this.#timeoutTimer = null;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
    // never written: the peer never saw them
    this.dropQueued(new RequestNotSentError(err.message));
  }

  /** Moves queued requests onto the wire while the window has room. */
  #pump(): void {
    while (this.#pending.size < this.#window && this.#queueHead < this.#queue.length) {
      const q = this.#queue[this.#queueHead] as Queued;
      this.#queue[this.#queueHead++] = undefined;
      this.dispatch(q.seq, q.frame, q.resolve, q.reject);
    }
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead >= 1024 && this.#queueHead * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #armTimeout(ms: number): void {
    this.#timeoutTimer = setTimeout(() => this.#sweepTimeouts(), Math.max(1, Math.ceil(ms)));
    this.#timeoutTimer.unref();
  }

  /** One timer for all requests: they share one timeout, so the oldest pending is always the next due. */
  #sweepTimeouts(): void {
    this.#timeoutTimer = null;
    if (this.#closed) return;
    const now = performance.now();
    for (const [seq, p] of this.#pending) {
      if (p.deadline > now) {
        this.#armTimeout(p.deadline - now);
        break;
      }
      this.#pending.delete(seq);
      p.reject(new SessionTimeoutError(`no response to sequence ${seq} within ${this.#timeoutMs} ms`));
    }
    this.#pump();
  }
}
