/**
 * One SMPP connection, either side: frames and decodes incoming PDUs, matches responses to our requests
 * within a window, answers enquire_link and unbind itself, and batches outgoing PDUs into one socket write
 * per event-loop turn. Nothing thrown by the codec, the socket or a listener escapes its handlers.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { decodePdu, encodePdu, encodePduAs } from "./pdu/codec.js";
import { PduFramer } from "./pdu/framer.js";
import {
  CMD,
  type DistributiveOmit,
  isResponseId,
  type Pdu,
  type PduBody,
  PduError,
  STATUS,
} from "./pdu/pdu.js";

export type { DistributiveOmit };

/** A PDU to send as a request: the session assigns the sequence number, status is 0. */
export type RequestPdu = PduBody;

/** A response to send: the session copies the request's sequence number; status defaults to 0. */
export type ResponseInit = PduBody & { status?: number };

/** Tuning and logging for a session. */
export interface SessionOptions {
  /** Max outstanding requests we sent awaiting responses (default 10); extra requests queue FIFO. */
  window?: number;
  /** Default 10_000; the request's promise rejects with SessionTimeoutError. */
  responseTimeoutMs?: number;
  /** Send enquire_link when nothing was received for this long; 0 = off; default 30_000. */
  enquireLinkMs?: number;
  /** Destroy the session when nothing was received for this long; 0 = off; default 0. */
  inactivityMs?: number;
  /** Largest command_length accepted; default 65_536. */
  maxPduBytes?: number;
  log?: { warn(o: object, msg: string): void; debug?(o: object, msg: string): void };
}

/** Events of SmppSession. */
export interface SessionEvents {
  /** Every incoming request except enquire_link and unbind, which the session answers itself. */
  request: [pdu: Pdu];
  /** The peer unbound (the session already answered unbind_resp and is closing). */
  unbind: [];
  /** Exactly once, when the session closes for whatever reason. */
  close: [reason: string];
  /** A PDU that could not be decoded, for logging; the session already answered or dropped it. */
  protocolError: [err: PduError];
}

/** A request could not complete because the session closed (or was unbinding). */
export class SessionClosedError extends Error {
  override name = "SessionClosedError";
}

/** No response within responseTimeoutMs. */
export class SessionTimeoutError extends Error {
  override name = "SessionTimeoutError";
}

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
const GRACEFUL_DESTROY_MS = 2_000;

/**
 * An SMPP session over a connected socket (net or TLS).
 *
 * @example
 * const s = new SmppSession(socket, { window: 50 });
 * s.on("request", (pdu) => { if (pdu.command === "submit_sm") s.respond(pdu, { command: "submit_sm_resp", messageId: "1" }); });
 * const resp = await s.request({ command: "enquire_link" });
 */
export class SmppSession extends EventEmitter<SessionEvents> {
  /** socket.remoteAddress, or "" when unknown. */
  readonly remoteAddress: string;

  readonly #socket: Socket;
  readonly #framer: PduFramer;
  readonly #window: number;
  readonly #timeoutMs: number;
  readonly #enquireMs: number;
  readonly #inactivityMs: number;
  readonly #log: NonNullable<SessionOptions["log"]>;

  /** Our requests on the wire, by sequence; insertion order is deadline order. */
  readonly #pending = new Map<number, Pending>();
  /** Our requests waiting for a window slot: a FIFO read from #queueHead. */
  #queue: Array<Queued | undefined> = [];
  #queueHead = 0;
  #seq = 0;

  #out: Buffer[] = [];
  #outBytes = 0;
  #flushScheduled: NodeJS.Immediate | null = null;
  #readPaused = false;

  #closed = false;
  #unbinding: Promise<void> | null = null;
  #lastRx = performance.now();
  #enquireOutstanding = false;
  #timeoutTimer: NodeJS.Timeout | null = null;
  #linkTimer: NodeJS.Timeout | null = null;

  constructor(socket: Socket, opts: SessionOptions = {}) {
    super();
    this.#socket = socket;
    this.remoteAddress = socket.remoteAddress ?? "";
    this.#framer = new PduFramer(opts.maxPduBytes ?? 65_536);
    this.#window = Math.max(1, opts.window ?? 10);
    this.#timeoutMs = opts.responseTimeoutMs ?? 10_000;
    this.#enquireMs = opts.enquireLinkMs ?? 30_000;
    this.#inactivityMs = opts.inactivityMs ?? 0;
    this.#log = opts.log ?? { warn() {} };

    // We batch writes ourselves; Nagle would only add a round trip of latency to each batch.
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (err: Error) => {
      if (!this.#closed) {
        this.#log.warn({ err: err.message, remote: this.remoteAddress }, "SMPP socket error");
      }
      this.#shutdown(`socket error: ${err.message}`, false);
    });
    socket.on("end", () => this.#shutdown("peer ended the connection", true));
    socket.on("close", () => this.#shutdown("socket closed", false));
    socket.on("drain", () => {
      if (this.#readPaused && !this.#closed) socket.resume();
      this.#readPaused = false;
    });
    if (socket.destroyed) setImmediate(() => this.#shutdown("socket already closed", false));
    else this.#armLink();
  }

  /** Whether the session has closed (no more sends or events but the one "close"). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Our requests awaiting responses. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Our requests waiting for a window slot. */
  get queued(): number {
    return this.#queue.length - this.#queueHead;
  }

  /**
   * Sends a request (assigns the next sequence number 1..0x7FFFFFFF, wrapping), resolves with the response
   * PDU (any status, or a generic_nack with that sequence); rejects with SessionClosedError /
   * SessionTimeoutError, or with the codec's Error when the PDU cannot be encoded.
   */
  request(pdu: RequestPdu): Promise<Pdu> {
    if (this.#closed || this.#unbinding !== null) {
      return Promise.reject(new SessionClosedError(this.#closed ? "session closed" : "session unbinding"));
    }
    const seq = this.#nextSeq();
    let frame: Buffer;
    try {
      frame = encodePduAs(pdu, seq, 0);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Pdu>((resolve, reject) => {
      if (this.#pending.size < this.#window && this.queued === 0) this.#dispatch(seq, frame, resolve, reject);
      else this.#queue.push({ seq, frame, resolve, reject });
    });
  }

  /**
   * Answers a received request: same sequence number; status defaults to 0. Dropped when the session has
   * closed. @throws Error when the PDU cannot be encoded.
   */
  respond(req: { sequence: number }, resp: ResponseInit): void {
    if (this.#closed) return;
    this.#write(encodePduAs(resp, req.sequence, resp.status ?? 0));
  }

  /** Writes any PDU as is (batched into this turn's write). Dropped when closed. @throws Error when it cannot be encoded. */
  send(pdu: Pdu): void {
    if (this.#closed) return;
    this.#write(encodePdu(pdu));
  }

  /** Sends unbind, waits for unbind_resp (at most responseTimeoutMs), then ends the socket. Resolves even if the peer is gone. */
  unbind(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#unbinding ??= new Promise<void>((resolve) => {
      const seq = this.#nextSeq();
      // Outside the window: an unbind must not wait behind a full window.
      const done = () => resolve();
      this.#dispatch(seq, encodePdu({ command: "unbind", sequence: seq, status: 0 }), done, done);
    }).then(() => this.#shutdown("unbound", true));
    return this.#unbinding;
  }

  /** Destroys the socket now; pending requests reject with SessionClosedError. Idempotent. */
  close(reason = "closed"): void {
    this.#shutdown(reason, false);
  }

  #nextSeq(): number {
    do this.#seq = this.#seq >= MAX_SEQ ? 1 : this.#seq + 1;
    while (this.#pending.has(this.#seq));
    return this.#seq;
  }

  #dispatch(seq: number, frame: Buffer, resolve: (pdu: Pdu) => void, reject: (err: Error) => void): void {
    this.#pending.set(seq, { deadline: performance.now() + this.#timeoutMs, resolve, reject });
    this.#write(frame);
    if (this.#timeoutTimer === null) this.#armTimeout(this.#timeoutMs);
  }

  /** Moves queued requests onto the wire while the window has room. */
  #pump(): void {
    while (this.#pending.size < this.#window && this.#queueHead < this.#queue.length) {
      const q = this.#queue[this.#queueHead] as Queued;
      this.#queue[this.#queueHead++] = undefined;
      this.#dispatch(q.seq, q.frame, q.resolve, q.reject);
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

  #write(frame: Buffer): void {
    this.#out.push(frame);
    this.#outBytes += frame.length;
    this.#flushScheduled ??= setImmediate(() => this.#flush());
  }

  #flush(): void {
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
      if (!this.#closed) this.#shutdown(`write failed: ${errorText(err)}`, false);
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#lastRx = performance.now();
    try {
      this.#framer.push(chunk);
      while (!this.#closed) {
        let frame: Buffer | null;
        try {
          frame = this.#framer.next();
        } catch (err) {
          this.#onFramingLost(err);
          return;
        }
        if (frame === null) return;
        this.#onFrame(frame);
      }
    } catch (err) {
      // Only a bug can get here; the session's state is no longer trustworthy.
      this.#log.warn({ err: errorText(err), remote: this.remoteAddress }, "SMPP session failed on input");
      this.#shutdown("internal error", false);
    }
  }

  #onFramingLost(err: unknown): void {
    const e =
      err instanceof PduError ? err : new PduError(errorText(err), STATUS.ESME_RINVCMDLEN, 0, 0, true);
    this.#emit("protocolError", e);
    this.#write(encodePdu({ command: "generic_nack", sequence: e.sequence, status: STATUS.ESME_RINVCMDLEN }));
    this.#shutdown(`framing lost: ${e.message}`, true);
  }

  #onFrame(frame: Buffer): void {
    let pdu: Pdu;
    try {
      pdu = decodePdu(frame);
    } catch (err) {
      const e =
        err instanceof PduError ? err : new PduError(errorText(err), STATUS.ESME_RSYSERR, 0, 0, false);
      this.#emit("protocolError", e);
      if (!isResponseId(e.commandId)) {
        this.#write(encodePdu({ command: "generic_nack", sequence: e.sequence, status: e.status }));
      }
      return;
    }
    if (isResponseId(CMD[pdu.command])) {
      const p = this.#pending.get(pdu.sequence);
      if (p === undefined) {
        this.#log.debug?.(
          { command: pdu.command, sequence: pdu.sequence },
          "SMPP response to no pending request",
        );
        return;
      }
      this.#pending.delete(pdu.sequence);
      p.resolve(pdu);
      this.#pump();
      return;
    }
    switch (pdu.command) {
      case "enquire_link":
        this.respond(pdu, { command: "enquire_link_resp" });
        return;
      case "unbind":
        this.respond(pdu, { command: "unbind_resp" });
        this.#emit("unbind");
        this.#shutdown("peer unbound", true);
        return;
      default:
        this.#emit("request", pdu);
    }
  }

  /** Calls each listener on its own, so one that throws (or rejects) neither kills the session nor skips the others. */
  #emit<K extends keyof SessionEvents>(event: K, ...args: SessionEvents[K]): void {
    for (const listener of this.rawListeners(event) as Array<(...a: unknown[]) => unknown>) {
      try {
        const r = listener.apply(this, args);
        if (r instanceof Promise) r.catch((err: unknown) => this.#listenerFailed(event, err));
      } catch (err) {
        this.#listenerFailed(event, err);
      }
    }
  }

  #listenerFailed(event: string, err: unknown): void {
    this.#log.warn({ event, err: errorText(err), remote: this.remoteAddress }, "SMPP session listener threw");
  }

  #armLink(): void {
    if (this.#closed || (this.#enquireMs <= 0 && this.#inactivityMs <= 0)) return;
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

  #onLinkTimer(): void {
    this.#linkTimer = null;
    if (this.#closed) return;
    const idle = performance.now() - this.#lastRx;
    if (this.#inactivityMs > 0 && idle >= this.#inactivityMs) {
      this.#shutdown(`nothing received for ${this.#inactivityMs} ms`, false);
      return;
    }
    if (this.#enquireMs > 0 && idle >= this.#enquireMs && !this.#enquireOutstanding) {
      this.#enquireOutstanding = true;
      this.request({ command: "enquire_link" }).then(
        () => {
          this.#enquireOutstanding = false;
        },
        (err: unknown) => {
          this.#enquireOutstanding = false;
          if (err instanceof SessionTimeoutError) this.#shutdown("enquire_link not answered", false);
        },
      );
    }
    this.#armLink();
  }

  /** Closes once: rejects what is pending, stops timers, ends (graceful: after flushing) or destroys the socket. */
  #shutdown(reason: string, graceful: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    if (graceful) this.#flush();
    if (this.#flushScheduled !== null) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = null;
    this.#out = [];
    if (this.#timeoutTimer !== null) clearTimeout(this.#timeoutTimer);
    if (this.#linkTimer !== null) clearTimeout(this.#linkTimer);
    this.#timeoutTimer = this.#linkTimer = null;

    const err = new SessionClosedError(`session closed: ${reason}`);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    const queued = this.#queue.slice(this.#queueHead);
    this.#queue = [];
    this.#queueHead = 0;
    for (const p of pending) p.reject(err);
    for (const q of queued) q?.reject(err);

    const socket = this.#socket;
    try {
      if (graceful && !socket.destroyed) {
        socket.end();
        setTimeout(() => socket.destroy(), GRACEFUL_DESTROY_MS).unref();
      } else {
        socket.destroy();
      }
    } catch {
      // A socket that cannot even be closed is gone already.
    }
    this.#emit("close", reason);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
