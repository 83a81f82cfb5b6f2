import { readFileSync } from "node:fs";
import { isIP, connect as netConnect, type Socket } from "node:net";
import { rootCertificates, connect as tlsConnect } from "node:tls";
import type { Logger } from "../../app/logger.port.js";
import type { Pdu, SmPdu } from "../smpp/pdu/index.js";
import { STATUS } from "../smpp/pdu/index.js";
import { SmppSession } from "../smpp/session.js";
import type { UpstreamConfig } from "./upstreams-config.js";

/** The carrier answered the bind with an error status. */
class BindRefused extends Error {
  constructor(readonly status: number) {
    super(`bind refused with status 0x${status.toString(16)}`);
  }
}

/** Bind statuses that say the credentials are wrong: ESME_RINVPASWD, ESME_RINVSYSID. */
const CREDENTIAL_STATUSES: ReadonlySet<number> = new Set([0x0e, 0x0f]);

/**
 * One bind to an upstream SMSC: connects, binds (transceiver by default), keeps the link alive with
 * enquire_link, and reconnects with exponential back-off when it drops. `deliver_sm` from the SMSC
 * (receipts, replies) goes to `onDeliver`; it is acknowledged only once that has recorded it, and answered
 * with a temporary status when it failed, so the SMSC sends it again.
 */
export class UpstreamConnection {
  session: SmppSession | null = null;
  private bound = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly cfg: UpstreamConfig,
    private readonly onDeliver: (pdu: SmPdu) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /** Bound and usable for submits. */
  get ready(): boolean {
    return this.bound && this.session !== null && !this.session.closed;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let delay = this.cfg.reconnectMinMs;
    while (!this.stopped) {
      try {
        const session = await this.open();
        delay = this.cfg.reconnectMinMs;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          session.once("close", () => resolve());
        });
      } catch (err) {
        if (err instanceof BindRefused && CREDENTIAL_STATUSES.has(err.status))
          // not a passing state: retrying will not help, and a carrier may lock the account
          this.log.error(
            { upstream: this.cfg.name, status: err.status },
            "upstream refused anning's credentials (check its systemId and password)",
          );
        else this.log.warn({ upstream: this.cfg.name, err: String(err) }, "upstream bind failed");
      }
      this.bound = false;
      this.session = null;
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, delay).unref();
      });
      delay = Math.min(delay * 2, this.cfg.reconnectMaxMs);
    }
  }

  private async open(): Promise<SmppSession> {
    const socket = await dial(this.cfg);
    const session = new SmppSession(socket, {
      window: this.cfg.window,
      responseTimeoutMs: this.cfg.responseTimeoutMs,
      enquireLinkMs: this.cfg.enquireLinkMs,
      log: this.log,
    });
    session.on("request", (pdu: Pdu) => this.onRequest(session, pdu));
    const command = this.cfg.bindMode === "transmitter" ? "bind_transmitter" : "bind_transceiver";
    let resp: Pdu;
    try {
      resp = await session.request({
        command,
        systemId: this.cfg.systemId,
        password: this.cfg.password,
        systemType: this.cfg.systemType,
        interfaceVersion: 0x34,
        addrTon: 0,
        addrNpi: 0,
        addressRange: "",
      });
    } catch (err) {
      // no answer in time (a carrier that hangs): this connection is given up, so it is closed, or the
      // carrier would count it as a bind once it wakes, beside the one the next attempt makes
      session.close("bind not answered");
      throw err;
    }
    if (resp.status !== 0) {
      session.close("bind refused");
      throw new BindRefused(resp.status);
    }
    this.session = session;
    this.bound = true;
    this.log.info({ upstream: this.cfg.name }, "upstream bound");
    return session;
  }

  private onRequest(session: SmppSession, pdu: Pdu): void {
    if (pdu.command !== "deliver_sm") {
      session.respond(pdu, { command: "generic_nack", status: STATUS.ESME_RINVCMDID });
      return;
    }
    this.onDeliver(pdu).then(
      () => session.respond(pdu, { command: "deliver_sm_resp", messageId: "" }),
      (err: unknown) => {
        this.log.warn({ upstream: this.cfg.name, err: String(err) }, "deliver_sm not recorded; asked again");
        session.respond(pdu, { command: "deliver_sm_resp", status: STATUS.ESME_RX_T_APPN, messageId: "" });
      },
    );
  }

  /** Unbinds and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    const s = this.session;
    if (s && !s.closed) await s.unbind();
    this.wake?.();
    await this.loop;
  }
}

function dial(cfg: UpstreamConfig): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = cfg.tls
      ? tlsConnect({
          host: cfg.host,
          port: cfg.port,
          // SNI takes host names only; an IP address is checked against the certificate's IP SANs
          ...(isIP(cfg.host) === 0 ? { servername: cfg.host } : {}),
          // a carrier's private CA beside the system's
          ...(cfg.caFile ? { ca: [...rootCertificates, readFileSync(cfg.caFile, "utf8")] } : {}),
        })
      : netConnect({ host: cfg.host, port: cfg.port });
    const ready = cfg.tls ? "secureConnect" : "connect";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("connect timed out"));
    }, 10_000);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off("error", reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
