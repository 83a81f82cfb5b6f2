import type { UpstreamReceipt } from "../../app/delivery/receipts.js";
import type { Upstream, UpstreamResult, UpstreamStatus } from "../../app/delivery/upstream.port.js";
import type { ReplyInput } from "../../app/inbound/receive-reply.js";
import type { Logger } from "../../app/logger.port.js";
import type { Message } from "../../domain/messages/message.js";
import { parsePhone } from "../../domain/phone/phone.js";
import type { Router } from "../../domain/routing/router.js";
import { portFromSmpp, recipientFromSmpp } from "../smpp/addresses.js";
import { decodeText, MESSAGE_STATE, parseReceipt, readUdh, type SmPdu } from "../smpp/pdu/index.js";
import { UpstreamLink } from "./upstream-link.js";
import type { UpstreamConfig } from "./upstreams-config.js";

/** Where what the carriers send back goes. */
export interface UpstreamHandlers {
  onReceipt(r: UpstreamReceipt): Promise<unknown>;
  onReply(route: string, mo: ReplyInput): Promise<unknown>;
}

const STAT_OF_STATE: Record<number, string> = {
  [MESSAGE_STATE.ENROUTE]: "ENROUTE",
  [MESSAGE_STATE.DELIVERED]: "DELIVRD",
  [MESSAGE_STATE.EXPIRED]: "EXPIRED",
  [MESSAGE_STATE.DELETED]: "DELETED",
  [MESSAGE_STATE.UNDELIVERABLE]: "UNDELIV",
  [MESSAGE_STATE.ACCEPTED]: "ACCEPTD",
  [MESSAGE_STATE.UNKNOWN]: "UNKNOWN",
  [MESSAGE_STATE.REJECTED]: "REJECTD",
};

/**
 * anning as an ESME towards carriers: one link per configured upstream, routing by number prefix and
 * carrier (number portability corrected), failing over to the next route when a link has no bind up.
 * Receipts and replies from any upstream go to the handlers.
 */
export class SmppUpstream implements Upstream {
  readonly name = "smpp";
  readonly links = new Map<string, UpstreamLink>();

  constructor(
    upstreams: readonly UpstreamConfig[],
    private readonly router: Router,
    private readonly handlers: UpstreamHandlers,
    private readonly log: Logger,
  ) {
    for (const cfg of upstreams)
      this.links.set(cfg.name, new UpstreamLink(cfg, (route, pdu) => this.onDeliver(route, pdu), log));
  }

  /**
   * Connects and binds every link (links reconnect by themselves); resolves once one is bound, or after
   * 3 s (the dispatcher then retries until one is).
   */
  async start(): Promise<void> {
    for (const l of this.links.values()) l.start();
    if (!(await this.waitReady(3000)))
      this.log.warn({}, "no upstream bound yet; messages wait in the outbox");
  }

  /** Resolves when some link is bound, or after `timeoutMs`. */
  async waitReady(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ([...this.links.values()].some((l) => l.ready)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    return false;
  }

  ready(): boolean {
    for (const l of this.links.values()) if (l.ready) return true;
    return false;
  }

  capacity(): number {
    let n = 0;
    for (const l of this.links.values()) n += l.capacity;
    return n;
  }

  async submit(m: Message): Promise<UpstreamResult> {
    const routes = this.router.routesFor(m.phone);
    for (const name of routes) {
      const link = this.links.get(name);
      if (!link?.ready) continue;
      const r = await link.submit(m);
      if (r) return r;
    }
    // no route at all is the configuration's answer, not a passing state: the message fails at once
    // (a file without a default route; see the warning at start) rather than waiting out its validity
    if (routes.length === 0) return { ok: false, permanent: true, error: "no route for this number" };
    return { ok: false, permanent: false, error: `no bind up on ${routes.join(", ")}` };
  }

  /** Which links are bound, for health checks. */
  status(): UpstreamStatus[] {
    return [...this.links.values()].map((l) => ({
      name: l.name,
      ready: l.ready,
      binds: l.connections.filter((c) => c.ready).length,
    }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => l.stop()));
  }

  /** A receipt (esm_class 0x04 / 0x08 bits) or a reply from the carrier. */
  private async onDeliver(route: string, pdu: SmPdu): Promise<void> {
    const type = pdu.esmClass & 0x3c;
    const sender = recipientFromSmpp(pdu.sourceTon, pdu.sourceAddr);
    if (type === 0x04 || type === 0x08 || type === 0x20) {
      const body = decodeText(pdu.dataCoding, pdu.tlvs.messagePayload ?? pdu.shortMessage);
      const parsed = parseReceipt(body);
      const upstreamId = pdu.tlvs.receiptedMessageId || parsed?.id;
      if (!upstreamId) {
        this.log.warn({ upstream: route }, "receipt without a message id dropped");
        return;
      }
      const stat =
        parsed?.stat ??
        (pdu.tlvs.messageState !== undefined ? STAT_OF_STATE[pdu.tlvs.messageState] : undefined) ??
        "UNKNOWN";
      const phone = parsePhone(sender);
      const r: UpstreamReceipt = { route, upstreamId, stat, err: parsed?.err || "000", at: Date.now() };
      if (pdu.tlvs.userMessageReference !== undefined) r.userMessageReference = pdu.tlvs.userMessageReference;
      if (phone.ok) r.recipient = phone.e164;
      await this.handlers.onReceipt(r);
      return;
    }
    let body = pdu.tlvs.messagePayload ?? pdu.shortMessage;
    if (pdu.esmClass & 0x40) body = body.subarray(readUdh(body).headerLength);
    const text = decodeText(pdu.dataCoding, body);
    await this.handlers.onReply(route, { from: sender, to: portFromSmpp(pdu.destAddr), text });
  }
}
