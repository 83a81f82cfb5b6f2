import type { Socket } from "node:net";
import { authenticateBind } from "../../../app/smpp/accounts.js";
import { type BindEnd, bindEndsAfter } from "../../../app/smpp/live-binds.js";
import type { SmppAccount } from "../../../domain/smpp/smpp-account.js";
import { SMPP_STATUS } from "../command-status.js";
import {
  type BindPdu,
  type CancelSmPdu,
  type Pdu,
  type QuerySmPdu,
  type SmPdu,
  STATUS,
  type SubmitMultiPdu,
} from "../pdu/index.js";
import { type ResponseInit, SmppSession } from "../session.js";
import { BindClaim, type ClaimHost } from "./bind-claim.js";
import type { NoticePusher } from "./notice-pusher.js";
import { answerCancelSm, answerQuerySm, queryRefused } from "./query-cancel.js";
import type { SubmitHandler } from "./submit.js";
import { answerSubmitMulti } from "./submit-multi.js";
import { overRate, type RateHost } from "./submit-rate.js";

/** What a connection needs of the server that accepted it. */
export interface ConnectionHost extends ClaimHost, RateHost {
  readonly opts: { window?: number; enquireLinkMs?: number; inactivityMs?: number; bindTimeoutMs?: number };
  readonly stats: { binds: number; bindFailures: number; submits: number; refused: number };
  readonly submits: SubmitHandler;
  readonly notices: NoticePusher;
  readonly connections: Set<SmppConnection>;
  /** Moves on every account change the server sees (see SmppServer.accountEpoch). */
  readonly accountEpoch: number;
}

type BindMode = "transmitter" | "receiver" | "transceiver";

const BIND_FAILURE: Record<string, number> = {
  UNKNOWN_SYSTEM_ID: STATUS.ESME_RINVSYSID,
  BAD_PASSWORD: STATUS.ESME_RINVPASWD,
};

/** An unknown system_id as logs show it: `13…(11 chars)`. */
export function unknownSystemIdForLog(systemId: string): string {
  return `${systemId.slice(0, 2)}…(${systemId.length} chars)`;
}

/**
 * One sender's SMPP session with anning: unbound until a bind succeeds, then a transmitter (submits), a
 * receiver (gets receipts and replies) or a transceiver (both).
 */
export class SmppConnection {
  readonly session: SmppSession;
  /** This session's place in its account's bind cap (read by the server's bind counts and lease renewals). */
  readonly claim: BindClaim;
  /** The bound account as it is now: changes made since the bind reach it (see {@link follow}). */
  account: SmppAccount | null = null;
  private mode: BindMode | null = null;
  /** Why the bind is being ended after its account changed (unbind sent); submits are refused from then on. */
  private ended: BindEnd | null = null;
  /** The server's account epoch `account` is as new as. */
  private followedAt = 0;
  private binding = false;
  private readonly bindTimer: NodeJS.Timeout;

  constructor(
    socket: Socket,
    private readonly server: ConnectionHost,
  ) {
    const o = server.opts;
    this.claim = new BindClaim(server);
    this.session = new SmppSession(socket, {
      window: o.window ?? 10,
      enquireLinkMs: o.enquireLinkMs ?? 30_000,
      inactivityMs: o.inactivityMs ?? 90_000,
      log: server.ctx.log,
    });
    this.bindTimer = setTimeout(() => {
      if (!this.mode) this.session.close("no bind in time");
    }, o.bindTimeoutMs ?? 10_000);
    this.bindTimer.unref();
    this.session.on("request", (pdu: Pdu) => this.onRequest(pdu));
    // the sender unbinds: no more deliver_sm (the session answers its submits taken, then unbind_resp)
    this.session.on("unbind", () => this.detachNotices());
    this.session.on("close", () => this.onClose());
  }

  get closed(): boolean {
    return this.session.closed;
  }

  private onRequest(pdu: Pdu): void {
    switch (pdu.command) {
      case "bind_transmitter":
      case "bind_receiver":
      case "bind_transceiver":
        void this.bind(pdu);
        return;
      case "submit_sm":
        void this.submit(pdu);
        return;
      case "query_sm":
      case "cancel_sm":
      case "submit_multi":
        void this.operate(pdu);
        return;
      default:
        this.session.respond(pdu, { command: "generic_nack", status: STATUS.ESME_RINVCMDID });
    }
  }

  private async bind(pdu: BindPdu): Promise<void> {
    const resp = `${pdu.command}_resp` as const;
    const answer = (status: number) =>
      this.session.respond(pdu, {
        command: resp,
        status,
        systemId: "anning",
        tlvs: status === 0 ? { scInterfaceVersion: 0x34 } : {},
      });
    if (this.mode || this.binding) return answer(STATUS.ESME_RALYBND);
    this.binding = true;
    const ctx = this.server.ctx;
    let epoch = this.server.accountEpoch;
    try {
      const auth = await authenticateBind(ctx, {
        systemId: pdu.systemId,
        password: pdu.password,
        ip: this.session.remoteAddress,
        now: ctx.clock.now(),
      });
      if (!auth.ok) {
        this.server.stats.bindFailures++;
        // an unknown system_id is whatever the client typed (a phone number, a password in the wrong
        // field): only its first two characters and its length are logged
        const systemId =
          auth.reason === "UNKNOWN_SYSTEM_ID" ? unknownSystemIdForLog(pdu.systemId) : pdu.systemId;
        ctx.log.warn({ systemId, reason: auth.reason }, "smpp bind refused");
        answer(BIND_FAILURE[auth.reason] ?? STATUS.ESME_RBINDFAIL);
        setTimeout(() => this.session.close("bind refused"), 50).unref();
        return;
      }
      if (!(await this.claim.take(auth.account))) {
        this.server.stats.bindFailures++;
        ctx.log.warn(
          { systemId: pdu.systemId, maxBinds: auth.account.maxBinds },
          "smpp bind refused: too many binds",
        );
        answer(STATUS.ESME_RBINDFAIL);
        setTimeout(() => this.session.close("too many binds"), 50).unref();
        return;
      }
      // an account changed while this bind was checked (disabled, a new password…): look at it again
      let account = auth.account;
      while (epoch !== this.server.accountEpoch) {
        epoch = this.server.accountEpoch;
        const now = await ctx.store.smppAccounts.get(account.id);
        const end = bindEndsAfter(account, now, this.session.remoteAddress);
        if (end !== null || !now) {
          this.server.stats.bindFailures++;
          ctx.log.warn({ systemId: pdu.systemId, reason: end }, "smpp bind refused: its account changed");
          this.claim.release(true);
          answer(STATUS.ESME_RBINDFAIL);
          setTimeout(() => this.session.close("bind refused"), 50).unref();
          return;
        }
        account = now;
      }
      if (this.session.closed) {
        // the client went away while its bind was being checked
        this.claim.release();
        return;
      }
      // from here to the answer nothing awaits: a change seen after this reaches the bind by follow()
      this.account = account;
      this.followedAt = epoch;
      this.mode = pdu.command.slice(5) as BindMode;
      clearTimeout(this.bindTimer);
      this.server.stats.binds++;
      answer(0);
      if (this.mode !== "transmitter") this.server.notices.attach(account.enterpriseId, this.session);
    } catch (err) {
      ctx.log.error({ err: String(err) }, "smpp bind failed");
      answer(STATUS.ESME_RBINDFAIL);
    } finally {
      this.binding = false;
    }
  }

  private async submit(pdu: SmPdu): Promise<void> {
    const notBound = { status: SMPP_STATUS.NOT_BOUND_FOR_SUBMIT, messageId: "" };
    const account = this.account;
    if (!account || this.mode === "receiver" || this.ended) {
      this.session.respond(pdu, { command: "submit_sm_resp", ...notBound });
      return;
    }
    const stats = this.server.stats;
    stats.submits++;
    let answer: { status: number; messageId: string };
    try {
      const over = await overRate(this.server, account);
      // the account may have changed meanwhile: its latest settings decide, and an ended bind sends nothing
      answer =
        over ?? (this.ended ? notBound : await this.server.submits.handle(this.account ?? account, pdu));
    } catch (err) {
      this.server.ctx.log.error({ err: String(err) }, "submit_sm failed");
      answer = { status: STATUS.ESME_RSYSERR, messageId: "" };
    }
    if (answer.status !== 0) stats.refused++;
    this.session.respond(pdu, {
      command: "submit_sm_resp",
      status: answer.status,
      messageId: answer.messageId,
    });
  }

  /**
   * query_sm, cancel_sm and submit_multi, on a bind that may submit (else ESME_RINVBNDSTS); a store
   * failure answers ESME_RSYSERR (submit_multi's destinations fail one by one instead).
   */
  private async operate(pdu: QuerySmPdu | CancelSmPdu | SubmitMultiPdu): Promise<void> {
    const ctx = this.server.ctx;
    const account = this.account;
    let answer: ResponseInit;
    try {
      if (!account || this.mode === "receiver" || this.ended)
        answer = refusedAnswer(pdu, SMPP_STATUS.NOT_BOUND_FOR_SUBMIT);
      else if (pdu.command === "query_sm")
        answer = await answerQuerySm(ctx, account, pdu, this.server.submits);
      else if (pdu.command === "cancel_sm")
        answer = await answerCancelSm(ctx, account, pdu, this.server.submits);
      else answer = await answerSubmitMulti(this.server, () => (this.ended ? null : this.account), pdu);
    } catch (err) {
      ctx.log.error({ err: String(err), command: pdu.command }, "smpp request failed");
      answer = refusedAnswer(pdu, STATUS.ESME_RSYSERR);
    }
    this.session.respond(pdu, answer);
  }

  /**
   * The bound account changed (`now`, null when it is gone), as of the server's account epoch `epoch`: the
   * bind goes on under the new settings from its next submit_sm, or, disabled, with a new password or from
   * an address no longer allowed, is ended: no more submits or deliver_sm, an unbind, then the close (a
   * submit_sm already being handled may still be answered). Older news than the bind holds is ignored.
   */
  follow(now: SmppAccount | null, epoch: number): void {
    const bound = this.account;
    if (!bound || !this.mode || this.ended || this.session.closed || epoch < this.followedAt) return;
    this.followedAt = epoch;
    const end = bindEndsAfter(bound, now, this.session.remoteAddress);
    if (end === null && now) {
      this.account = now;
      return;
    }
    this.ended = end ?? "ACCOUNT_GONE";
    this.server.ctx.log.warn(
      { systemId: bound.systemId, reason: this.ended },
      "smpp bind ended: account changed",
    );
    this.detachNotices();
    void this.session.unbind();
  }

  /**
   * Unbinds politely (at shutdown): the requests taken are answered, then unbind goes and the session closes
   * once it is answered (see SmppSession.unbind). A session not bound is closed at once.
   */
  async unbind(): Promise<void> {
    if (this.session.closed) return;
    if (!this.mode) {
      this.session.close("shutdown");
      return;
    }
    this.detachNotices();
    await this.session.unbind();
  }

  /** No more receipts and replies for this bind: they wait for another. */
  private detachNotices(): void {
    if (this.account && this.mode && this.mode !== "transmitter")
      this.server.notices.detach(this.account.enterpriseId, this.session);
  }

  private onClose(): void {
    clearTimeout(this.bindTimer);
    this.server.connections.delete(this);
    this.claim.release();
    this.detachNotices();
  }
}

/** The refused answer to a query_sm, cancel_sm or submit_multi. */
function refusedAnswer(pdu: QuerySmPdu | CancelSmPdu | SubmitMultiPdu, status: number): ResponseInit {
  if (pdu.command === "query_sm") return queryRefused(status);
  if (pdu.command === "cancel_sm") return { command: "cancel_sm_resp", status };
  return { command: "submit_multi_resp", status, messageId: "", unsuccess: [] };
}
