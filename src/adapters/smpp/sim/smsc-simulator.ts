import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { encodePdu, type Pdu, STATUS } from "../pdu/index.js";
import { SmppSession } from "../session.js";
import { answerBind, type BindContext, type Conn, closeConn, dropBind } from "./bind-handling.js";
import { type ControlApi, startControlApi } from "./control-api.js";
import { DelayLine } from "./delay-line.js";
import { DeliveryRouter } from "./delivery-router.js";
import { MessageIdCounter } from "./message-ids.js";
import { MessageLog } from "./message-log.js";
import { type MoInput, moPdu } from "./mo-injection.js";
import { type ReceiptJob, ReceiptTexts, receiptPdu } from "./receipts.js";
import {
  type AssembledMessage,
  type ReceivedMessage,
  type ResolvedSimOptions,
  resolveSimOptions,
  type SimOptions,
  type SimStats,
} from "./sim-options.js";
import { type HeldResponse, type SubmitContext, takeSubmit } from "./submit-handling.js";

export { SIM_SYSTEM_ID } from "./bind-handling.js";
export type { MoInput } from "./mo-injection.js";
export { ESME_RSUBMITFAIL } from "./submit-handling.js";

/**
 * The bundled SMSC simulator: the carrier side anning binds to as an ESME in demos, tests and benchmarks.
 * It accepts binds, answers submit_sm with sequential message ids (after `latencyMs`), keeps the most recent
 * messages (decoded and reassembled when inspected), sends delivery receipts after `receiptDelayMs` to a
 * receiver or transceiver bind of the submitter's system_id (round-robin; held in memory while none is
 * bound), and injects mobile-originated messages. An HTTP control API (see control-api.ts) drives it from
 * outside. Nothing is logged or serialised per message: it keeps up with 15 000+ messages a second.
 *
 * @example
 * const sim = await SmscSimulator.start({ port: 0, controlPort: -1, failDestinations: ["0000"] });
 * // … bind to 127.0.0.1:sim.port, submit …
 * await sim.close();
 */
export class SmscSimulator {
  private readonly conns = new Set<Conn>();
  private readonly ids: MessageIdCounter;
  private readonly log: MessageLog;
  private readonly router: DeliveryRouter;
  private readonly held: DelayLine<HeldResponse>;
  private readonly receipts: DelayLine<ReceiptJob>;
  private readonly receiptTexts = new ReceiptTexts();
  /** What bind and submit_sm handling reach of this simulator. */
  private readonly ctx: BindContext & SubmitContext;
  private readonly counts = {
    binds: 0,
    submits: 0,
    rejected: 0,
    receiptsSent: 0,
    mosSent: 0,
    deliverFailed: 0,
  };
  private server: Server | null = null;
  private control: ControlApi | null = null;
  private closing: Promise<void> | null = null;

  private constructor(private readonly o: ResolvedSimOptions) {
    this.ids = new MessageIdCounter(o.firstId);
    this.log = new MessageLog(o.keepMessages);
    this.router = new DeliveryRouter({
      delivered: (d) => {
        if (d.kind === "receipt") this.counts.receiptsSent++;
        else this.counts.mosSent++;
      },
      refused: () => {
        this.counts.deliverFailed++;
      },
    });
    this.held = new DelayLine(o.latencyMs, (h) => this.release(h));
    this.receipts = new DelayLine(o.receiptDelayMs, (job) => this.sendReceipt(job));
    this.ctx = { o, router: this.router, ids: this.ids, log: this.log, counts: this.counts };
  }

  /** Starts listening for SMPP (and HTTP control, unless `controlPort` is -1). */
  static async start(opts: SimOptions): Promise<SmscSimulator> {
    const sim = new SmscSimulator(resolveSimOptions(opts));
    await sim.listen();
    return sim;
  }

  /** The SMPP port. */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The control API port, or -1 when none runs. */
  get controlPort(): number {
    return this.control?.port ?? -1;
  }

  /** The interface both servers listen on. */
  get host(): string {
    return this.o.host;
  }

  /** Accepted messages (each part of a concatenated one), oldest first, at most `keepMessages`. */
  get messages(): ReceivedMessage[] {
    return this.log.messages();
  }

  /** Whole messages: single submits, and concatenated ones once every part arrived. */
  get assembled(): AssembledMessage[] {
    return this.log.assembled();
  }

  /** Counters since start. */
  get stats(): SimStats {
    let bound = 0;
    for (const c of this.conns) if (c.bound !== null) bound++;
    return {
      ...this.counts,
      bound,
      pendingDeliveries: this.router.pending + this.receipts.size,
    };
  }

  /** Forgets the recorded messages (counters stay). */
  reset(): void {
    this.log.clear();
  }

  /**
   * Sends a mobile-originated message (deliver_sm, esm_class 0) to a receiver or transceiver bind, GSM
   * when every character allows, else UCS2; message_payload carries texts longer than 254 octets. Resolves
   * when the ESME acknowledged it (after waiting for a bind when none is there); rejects at once when it
   * cannot be encoded (an address over 20 characters), later when the ESME answered with an error status
   * or the simulator closed first.
   */
  injectMo(mo: MoInput): Promise<void> {
    const pdu = moPdu(mo);
    try {
      encodePdu({ ...pdu, sequence: 1, status: 0 }); // fails now, not when a receiver binds
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.router.deliver({
        systemId: mo.systemId ?? null,
        pdu,
        kind: "mo",
        settle: (err) => (err ? reject(err) : resolve()),
      });
    });
  }

  /** Unbinds every session, drops pending responses and deliveries, and closes both servers. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.router.close();
    this.held.clear();
    this.receipts.clear();
    const server = this.server;
    const serverClosed = new Promise<void>((resolve) => {
      if (server === null) resolve();
      else server.close(() => resolve());
    });
    await Promise.all([...this.conns].map(closeConn));
    await Promise.all([serverClosed, this.control?.close()]);
  }

  private async listen(): Promise<void> {
    const server = this.o.tls
      ? createTlsServer({ key: this.o.tls.key, cert: this.o.tls.cert }, (socket) => this.accept(socket))
      : createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.o.port, this.o.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.o.log?.warn({ err: String(err) }, "smsc-sim: server error"));
    if (this.o.controlPort >= 0) {
      try {
        this.control = await startControlApi(this, this.o.host, this.o.controlPort);
      } catch (err) {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        throw err;
      }
    }
  }

  private accept(socket: Socket): void {
    if (this.closing !== null) {
      socket.destroy();
      return;
    }
    const session = new SmppSession(socket, {
      ...(this.o.window !== undefined ? { window: this.o.window } : {}),
      ...(this.o.log !== undefined ? { log: this.o.log } : {}),
    });
    const conn: Conn = { session, bound: null };
    this.conns.add(conn);
    session.on("request", (pdu: Pdu) => this.onRequest(conn, pdu));
    session.on("unbind", () => dropBind(conn, this.router));
    session.on("close", () => {
      dropBind(conn, this.router);
      this.conns.delete(conn);
    });
    session.on("protocolError", (err: unknown) =>
      this.o.log?.warn({ err: String(err), remote: session.remoteAddress }, "smsc-sim: protocol error"),
    );
  }

  private onRequest(conn: Conn, pdu: Pdu): void {
    switch (pdu.command) {
      case "submit_sm": {
        const h = takeSubmit(conn, pdu, this.ctx);
        if (h !== null) this.answer(h);
        return;
      }
      case "bind_transmitter":
      case "bind_receiver":
      case "bind_transceiver":
        answerBind(conn, pdu, this.ctx);
        return;
      default:
        conn.session.respond(pdu, { command: "generic_nack", status: STATUS.ESME_RINVCMDID });
    }
  }

  private answer(h: HeldResponse): void {
    if (this.o.latencyMs > 0) this.held.push(h);
    else this.release(h);
  }

  private release(h: HeldResponse): void {
    const session = h.conn.session;
    // like a real carrier: a message it took is delivered, and its receipt sent (to the next receiver
    // bind), even when the ESME went away before the response could reach it
    if (!session.closed)
      session.respond(
        { sequence: h.sequence },
        { command: "submit_sm_resp", messageId: h.messageId, status: h.status },
      );
    if (h.receipt === null) return;
    if (this.o.receiptDelayMs > 0) this.receipts.push(h.receipt);
    else this.sendReceipt(h.receipt);
  }

  private sendReceipt(job: ReceiptJob): void {
    this.router.deliver({
      systemId: job.systemId,
      pdu: receiptPdu(job, this.o, this.receiptTexts, Date.now()),
      kind: "receipt",
    });
  }
}
