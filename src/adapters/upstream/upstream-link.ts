import type { UpstreamResult } from "../../app/delivery/upstream.port.js";
import type { Logger } from "../../app/logger.port.js";
import { userMessageReferenceOf } from "../../domain/delivery/user-message-reference.js";
import type { Message } from "../../domain/messages/message.js";
import { recipientToSmpp } from "../smpp/addresses.js";
import { isTemporaryStatus } from "../smpp/command-status.js";
import { encodeText, type Pdu, type SmBody, type SmPdu, smBody, splitText } from "../smpp/pdu/index.js";
import { RequestNotSentError } from "../smpp/session-errors.js";
import { RateWindow } from "./rate-window.js";
import { UpstreamConnection } from "./upstream-connection.js";
import type { UpstreamConfig } from "./upstreams-config.js";

/**
 * One configured upstream: its binds, its agreed rate (tps) and its way with long texts. Submits go
 * round-robin over the binds that are up; each bind's window bounds what is in flight on it.
 */
export class UpstreamLink {
  readonly connections: UpstreamConnection[];
  /** The carrier's agreed rate (tps), never exceeded in any one second. */
  private readonly bucket: RateWindow | null;
  private next = 0;
  private ref = 0;

  constructor(
    readonly cfg: UpstreamConfig,
    onDeliver: (route: string, pdu: SmPdu) => Promise<void>,
    log: Logger,
  ) {
    this.connections = Array.from(
      { length: Math.max(1, cfg.binds) },
      () => new UpstreamConnection(cfg, (pdu) => onDeliver(cfg.name, pdu), log),
    );
    this.bucket = cfg.tps > 0 ? new RateWindow(cfg.tps) : null;
  }

  get name(): string {
    return this.cfg.name;
  }

  /** Whether some bind is up. */
  get ready(): boolean {
    return this.connections.some((c) => c.ready);
  }

  /** Submits the bound connections can have outstanding: their windows. */
  get capacity(): number {
    let n = 0;
    for (const c of this.connections) if (c.ready) n += this.cfg.window;
    return n;
  }

  start(): void {
    for (const c of this.connections) c.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.stop()));
  }

  private pick(): UpstreamConnection | null {
    const n = this.connections.length;
    for (let i = 0; i < n; i++) {
      const c = this.connections[(this.next + i) % n];
      if (c?.ready) {
        this.next = (this.next + i + 1) % n;
        return c;
      }
    }
    return null;
  }

  /**
   * Sends one message (all its parts on one bind). Null when nothing was sent: no bind is up, or the one
   * picked closed before any part left its queue (the caller tries the next route, else later). A
   * session lost with parts on the wire throws: the outcome is unknown.
   */
  async submit(m: Message): Promise<UpstreamResult | null> {
    // several hand-overs may wait at once: each goes only with a slot it took itself
    while (this.bucket && !this.bucket.take())
      await new Promise((r) => setTimeout(r, Math.max(1, this.bucket?.waitMs() ?? 1)));
    const conn = this.pick();
    const session = conn?.session;
    if (!session || session.closed) return null;
    const pdus = this.pdusOf(m);
    const settled = await Promise.allSettled(pdus.map((p) => session.request(p)));
    const resps: Pdu[] = [];
    for (const s of settled) {
      if (s.status === "fulfilled") resps.push(s.value);
      // a part on the wire when the session went: the outcome is unknown
      else if (!(s.reason instanceof RequestNotSentError)) throw s.reason;
    }
    // the session went before any part left its queue: the carrier never saw the message, so it may go
    // on another bind or route (null), or later
    if (resps.length === 0) return null;
    if (resps.length < pdus.length)
      throw new Error("session closed with only some parts of the message sent");
    const ids: string[] = [];
    for (const r of resps) {
      if (r.status !== 0) {
        const error = `upstream ${this.cfg.name} refused with status 0x${r.status.toString(16)}`;
        return { ok: false, permanent: !isTemporaryStatus(r.status), error, status: r.status };
      }
      ids.push(r.command === "submit_sm_resp" ? r.messageId : "");
    }
    return { ok: true, upstreamId: ids.join(","), route: this.cfg.name, partIds: ids };
  }

  /** The `submit_sm` PDUs for a message: UDH parts, or one PDU with message_payload. */
  private pdusOf(m: Message): SmBody[] {
    const c = this.cfg;
    const base = smBody("submit_sm", {
      sourceTon: c.sourceTon,
      sourceNpi: c.sourceNpi,
      sourceAddr: m.port,
      destTon: c.destTon,
      destNpi: c.destNpi,
      destAddr: recipientToSmpp(c.destTon, m.phone),
      registeredDelivery: 1,
      tlvs: { userMessageReference: userMessageReferenceOf(m.id) },
    });
    if (c.longMessages === "payload") {
      const { dataCoding, bytes } = encodeText(m.text);
      if (bytes.length > 254) return [{ ...base, dataCoding, tlvs: { ...base.tlvs, messagePayload: bytes } }];
      return [{ ...base, dataCoding, shortMessage: bytes }];
    }
    this.ref = (this.ref + 1) & 0xff;
    return splitText(m.text, this.ref).map((p) => ({
      ...base,
      dataCoding: p.dataCoding,
      esmClass: p.udh ? 0x40 : 0,
      shortMessage: p.shortMessage,
    }));
  }
}
