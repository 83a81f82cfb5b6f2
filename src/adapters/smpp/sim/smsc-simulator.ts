import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { encodePdu, encodeText, type Pdu, readUdh, type SmPdu, STATUS } from "../pdu/index.js";
import { SmppSession } from "../session.js";
import { type ControlApi, startControlApi } from "./control-api.js";
import { DelayLine } from "./delay-line.js";
import { type DeliverSm, DeliveryRouter } from "./delivery-router.js";
import { formatMessageId, MessageIdCounter } from "./message-ids.js";
import { MessageLog } from "./message-log.js";
import { decideStat, type ReceiptJob, ReceiptTexts, receiptPdu, wantsReceipt } from "./receipts.js";
import {
  type AssembledMessage,
  type PartInfo,
  type ReceivedMessage,
  type ResolvedSimOptions,
  resolveSimOptions,
  type SimOptions,
  type SimStats,
} from "./sim-options.js";

/** submit_sm refused by the SMSC (SMPP 3.4 §5.1.3). */
export const ESME_RSUBMITFAIL = 0x45;

/** The system_id the simulator answers binds with. */
export const SIM_SYSTEM_ID = "ANNINGSIM";

const UDHI = 0x40;
const MAX_SHORT_MESSAGE = 254;

type BindKind = "bind_transmitter" | "bind_receiver" | "bind_transceiver";

interface Conn {
  session: SmppSession;
  bound: { kind: BindKind; systemId: string } | null;
}

/** A submit_sm_resp held back by `latencyMs`, with the receipt to schedule once it is out. */
interface HeldResponse {
  conn: Conn;
  sequence: number;
  status: number;
  messageId: string;
  receipt: ReceiptJob | null;
}

/** A mobile-originated message to inject. */
export interface MoInput {
  from: string;
  to: string;
  text: string;
  /** Only a bind with this system_id may take it; default any receiver or transceiver. */
  systemId?: string;
}

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
    const { dataCoding, bytes } = encodeText(mo.text);
    const long = bytes.length > MAX_SHORT_MESSAGE;
    const pdu: DeliverSm = {
      command: "deliver_sm",
      serviceType: "",
      sourceTon: 0,
      sourceNpi: 1,
      sourceAddr: mo.from,
      destTon: 0,
      destNpi: 1,
      destAddr: mo.to,
      esmClass: 0x00,
      protocolId: 0,
      priority: 0,
      scheduleDeliveryTime: "",
      validityPeriod: "",
      registeredDelivery: 0,
      replaceIfPresent: 0,
      dataCoding,
      smDefaultMsgId: 0,
      shortMessage: long ? Buffer.alloc(0) : bytes,
      tlvs: long ? { messagePayload: bytes } : {},
    };
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
    await Promise.all(
      [...this.conns].map(async ({ session, bound }) => {
        if (bound !== null && !session.closed) {
          await Promise.race([session.unbind().catch(() => {}), delay(2000)]);
        }
        session.close("simulator closed");
      }),
    );
    await Promise.all([serverClosed, this.control?.close()]);
  }

  private async listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
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
    session.on("unbind", () => this.unbound(conn));
    session.on("close", () => {
      this.unbound(conn);
      this.conns.delete(conn);
    });
    session.on("protocolError", (err: unknown) =>
      this.o.log?.warn({ err: String(err), remote: session.remoteAddress }, "smsc-sim: protocol error"),
    );
  }

  private unbound(conn: Conn): void {
    const b = conn.bound;
    if (b === null) return;
    conn.bound = null;
    if (b.kind !== "bind_transmitter") this.router.removeReceiver(b.systemId, conn.session);
  }

  private onRequest(conn: Conn, pdu: Pdu): void {
    switch (pdu.command) {
      case "submit_sm":
        this.onSubmit(conn, pdu);
        return;
      case "bind_transmitter":
      case "bind_receiver":
      case "bind_transceiver":
        this.onBind(conn, pdu.command, pdu.systemId, pdu.password, pdu.sequence);
        return;
      default:
        conn.session.respond(pdu, { command: "generic_nack", status: STATUS.ESME_RINVCMDID });
    }
  }

  private onBind(conn: Conn, kind: BindKind, systemId: string, password: string, sequence: number): void {
    const command = `${kind}_resp` as const;
    const o = this.o;
    let status: number = STATUS.ESME_ROK;
    if (conn.bound !== null) status = STATUS.ESME_RALYBND;
    else if (o.systemId !== undefined && systemId !== o.systemId) status = STATUS.ESME_RINVSYSID;
    else if (o.password !== undefined && password !== o.password) status = STATUS.ESME_RINVPASWD;
    conn.session.respond(
      { sequence },
      { command, status, systemId: SIM_SYSTEM_ID, tlvs: status === 0 ? { scInterfaceVersion: 0x34 } : {} },
    );
    if (status !== 0) return;
    conn.bound = { kind, systemId };
    this.counts.binds++;
    // after the response, so a waiting deliver_sm follows the bind_resp on the wire
    if (kind !== "bind_transmitter") this.router.addReceiver(systemId, conn.session);
  }

  private onSubmit(conn: Conn, pdu: SmPdu): void {
    const bound = conn.bound;
    if (bound === null || bound.kind === "bind_receiver") {
      conn.session.respond(pdu, { command: "submit_sm_resp", messageId: "", status: STATUS.ESME_RINVBNDSTS });
      return;
    }
    this.counts.submits++;
    const o = this.o;
    let body = pdu.tlvs.messagePayload ?? pdu.shortMessage;
    let parts: PartInfo | null = null;
    let status = 0;
    if ((pdu.esmClass & UDHI) !== 0) {
      try {
        const udh = readUdh(body);
        if (udh.concat !== undefined) parts = udh.concat;
        body = body.subarray(udh.headerLength);
      } catch {
        status = STATUS.ESME_RINVESMCLASS;
      }
    } else {
      const t = pdu.tlvs;
      if (
        t.sarMsgRefNum !== undefined &&
        t.sarTotalSegments !== undefined &&
        t.sarSegmentSeqnum !== undefined
      )
        parts = { ref: t.sarMsgRefNum, total: t.sarTotalSegments, seq: t.sarSegmentSeqnum };
    }
    if (status === 0 && pdu.destAddr === "") status = STATUS.ESME_RINVDSTADR;
    if (status === 0 && o.rejectRatio > 0 && o.random() < o.rejectRatio) status = ESME_RSUBMITFAIL;
    if (status !== 0) {
      this.counts.rejected++;
      this.answer({ conn, sequence: pdu.sequence, status, messageId: "", receipt: null });
      return;
    }
    const n = this.ids.next();
    const id = formatMessageId(n, o.idFormat);
    const at = Date.now();
    const umr = pdu.tlvs.userMessageReference;
    this.log.add({
      id,
      destination: pdu.destAddr,
      source: pdu.sourceAddr,
      body,
      dataCoding: pdu.dataCoding,
      esmClass: pdu.esmClass,
      parts,
      serviceType: pdu.serviceType,
      registeredDelivery: pdu.registeredDelivery,
      userMessageReference: umr,
      at,
      systemId: bound.systemId,
    });
    let receipt: ReceiptJob | null = null;
    if ((pdu.registeredDelivery & 0x03) !== 0) {
      const stat = decideStat(pdu.destAddr, o);
      if (wantsReceipt(pdu.registeredDelivery, stat))
        receipt = {
          n,
          id,
          systemId: bound.systemId,
          sourceAddr: pdu.sourceAddr,
          sourceTon: pdu.sourceTon,
          sourceNpi: pdu.sourceNpi,
          destAddr: pdu.destAddr,
          destTon: pdu.destTon,
          destNpi: pdu.destNpi,
          submitAt: at,
          userMessageReference: umr,
          stat,
        };
    }
    this.answer({ conn, sequence: pdu.sequence, status: 0, messageId: id, receipt });
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

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
