/**
 * One SMPP connection, either side: frames and decodes incoming PDUs, matches responses to our requests
 * within a window, answers enquire_link and unbind itself, and batches outgoing PDUs into one socket write
 * per event-loop turn. An unbind, sent or received, waits until every request taken from the peer was
 * answered. Nothing thrown by the codec, the socket or a listener escapes its handlers.
 */
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { decodePdu, encodePdu, encodePduAs } from "./pdu/codec.js";
import { PduFramer } from "./pdu/framer.js";
import { CMD, type DistributiveOmit, isResponseId, type Pdu, PduError, STATUS } from "./pdu/pdu.js";
import { RequestNotSentError, SessionClosedError, SessionTimeoutError } from "./session-errors.js";
import { LinkMonitor } from "./session-link.js";
import type { RequestPdu, ResponseInit, SessionEvents, SessionOptions } from "./session-types.js";
import { afterUnbindAnswer, UnbindGate } from "./session-unbind.js";
import { RequestWindow } from "./session-window.js";
import { SessionWriter } from "./session-writer.js";

export type { DistributiveOmit, RequestPdu, ResponseInit, SessionEvents, SessionOptions };
export { RequestNotSentError, SessionClosedError, SessionTimeoutError };

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
  readonly #log: NonNullable<SessionOptions["log"]>;
  /** Batched socket writes. */
  readonly #writer: SessionWriter;
  /** Our requests: sequence numbers, window, queue, timeouts. */
  readonly #requests: RequestWindow;
  /** enquire_link and inactivity checks. */
  readonly #link: LinkMonitor;
  /** The requests taken and not answered yet, which an unbind waits for. */
  readonly #gate: UnbindGate;

  #closed = false;
  #unbinding: Promise<void> | null = null;

  constructor(socket: Socket, opts: SessionOptions = {}) {
    super();
    this.#socket = socket;
    this.remoteAddress = socket.remoteAddress ?? "";
    this.#framer = new PduFramer(opts.maxPduBytes ?? 65_536);
    this.#log = opts.log ?? { warn() {} };
    this.#writer = new SessionWriter(socket, (err) =>
      this.#shutdown(`write failed: ${errorText(err)}`, false),
    );
    const timeoutMs = opts.responseTimeoutMs ?? 10_000;
    this.#requests = new RequestWindow(this.#writer, Math.max(1, opts.window ?? 10), timeoutMs);
    this.#gate = new UnbindGate({
      timeoutMs,
      begin: () => this.#requests.dropQueued(new RequestNotSentError("session unbinding")),
      late: (open) => {
        if (!this.#closed)
          this.#log.warn({ open, remote: this.remoteAddress }, "SMPP unbind: requests not answered in time");
      },
    });
    this.#link = new LinkMonitor(opts.enquireLinkMs ?? 30_000, opts.inactivityMs ?? 0, {
      enquire: () => this.request({ command: "enquire_link" }),
      dead: (reason) => this.#shutdown(reason, false),
    });

    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    socket.on("error", (err: Error) => {
      if (!this.#closed) {
        this.#log.warn({ err: err.message, remote: this.remoteAddress }, "SMPP socket error");
      }
      this.#shutdown(`socket error: ${err.message}`, false);
    });
    socket.on("end", () => this.#shutdown("peer ended the connection", true));
    socket.on("close", () => this.#shutdown("socket closed", false));
    if (socket.destroyed) setImmediate(() => this.#shutdown("socket already closed", false));
    else this.#link.start();
  }

  /** Whether the session has closed (no more sends or events but the one "close"). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Our requests awaiting responses. */
  get inFlight(): number {
    return this.#requests.inFlight;
  }

  /** Our requests waiting for a window slot. */
  get queued(): number {
    return this.#requests.queued;
  }

  /**
   * Sends a request (assigns the next sequence number 1..0x7FFFFFFF, wrapping), resolves with the response
   * PDU (any status, or a generic_nack with that sequence); rejects with SessionClosedError /
   * SessionTimeoutError, or with the codec's Error when the PDU cannot be encoded.
   */
  request(pdu: RequestPdu): Promise<Pdu> {
    if (this.#closed || this.#gate.begun) {
      return Promise.reject(new RequestNotSentError(this.#closed ? "session closed" : "session unbinding"));
    }
    const seq = this.#requests.nextSeq();
    let frame: Buffer;
    try {
      frame = encodePduAs(pdu, seq, 0);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Pdu>((resolve, reject) => this.#requests.submit(seq, frame, resolve, reject));
  }

  /**
   * Answers a received request: same sequence number; status defaults to 0. Dropped when the session has
   * closed. @throws Error when the PDU cannot be encoded.
   */
  respond(req: { sequence: number }, resp: ResponseInit): void {
    if (this.#closed) return;
    try {
      this.#writer.write(encodePduAs(resp, req.sequence, resp.status ?? 0));
    } finally {
      // answered, or never will be: an unbind need not wait for it
      this.#gate.answered(req.sequence);
    }
  }

  /** Writes any PDU as is (batched into this turn's write). Dropped when closed. @throws Error when it cannot be encoded. */
  send(pdu: Pdu): void {
    if (this.#closed) return;
    this.#writer.write(encodePdu(pdu));
    if (isResponseId(CMD[pdu.command])) this.#gate.answered(pdu.sequence);
  }

  /**
   * Takes no more requests (later ones are answered by the session, our own not yet sent are dropped),
   * waits until those taken are answered (at most responseTimeoutMs), sends unbind, waits for unbind_resp
   * (at most responseTimeoutMs), then ends the socket. Resolves even if the peer is gone.
   */
  unbind(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#unbinding ??= this.#gate
      .drain()
      .then(() => this.#sendUnbind())
      .then(() => this.#shutdown("unbound", true));
    return this.#unbinding;
  }

  /** Sends unbind; resolves on its answer, its timeout or the close (the peer's own unbind may have closed us). */
  #sendUnbind(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const seq = this.#requests.nextSeq();
      // Outside the window: an unbind must not wait behind a full window.
      const done = () => resolve();
      this.#requests.dispatch(seq, encodePdu({ command: "unbind", sequence: seq, status: 0 }), done, done);
    });
  }

  /** Destroys the socket now; pending requests reject with SessionClosedError. Idempotent. */
  close(reason = "closed"): void {
    this.#shutdown(reason, false);
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#link.received();
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
    this.#writer.write(
      encodePdu({ command: "generic_nack", sequence: e.sequence, status: STATUS.ESME_RINVCMDLEN }),
    );
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
        this.#writer.write(encodePdu({ command: "generic_nack", sequence: e.sequence, status: e.status }));
      }
      return;
    }
    if (isResponseId(CMD[pdu.command])) {
      if (!this.#requests.settle(pdu)) {
        this.#log.debug?.(
          { command: pdu.command, sequence: pdu.sequence },
          "SMPP response to no pending request",
        );
      }
      return;
    }
    switch (pdu.command) {
      case "enquire_link":
        this.respond(pdu, { command: "enquire_link_resp" });
        return;
      case "unbind":
        this.#onUnbind(pdu);
        return;
      default:
        // after an unbind, sent or received, a request is not processed: it is answered at once
        if (this.#gate.begun) {
          this.respond(pdu, afterUnbindAnswer(pdu));
          return;
        }
        this.#gate.take(pdu.sequence);
        this.#emit("request", pdu);
    }
  }

  /** The peer unbinds: its requests taken so far are answered first, then unbind_resp, then the close. */
  #onUnbind(pdu: Pdu): void {
    if (!this.#gate.peerUnbind(pdu.sequence)) return;
    this.#emit("unbind");
    void this.#gate.drain().then(() => {
      for (const sequence of this.#gate.peerUnbinds) this.respond({ sequence }, { command: "unbind_resp" });
      this.#shutdown("peer unbound", true);
    });
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

  /** Closes once: rejects what is pending, stops timers, ends (graceful: after flushing) or destroys the socket. */
  #shutdown(reason: string, graceful: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writer.close(graceful);
    this.#link.stop();
    this.#requests.close(new SessionClosedError(`session closed: ${reason}`));
    this.#gate.close();

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
