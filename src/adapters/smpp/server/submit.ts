import type { AppContext } from "../../../app/context.js";
import { type SubmitResult, submitMessage } from "../../../app/messaging/submit-message.js";
import { recordCancelledParts, recordIncomplete } from "../../../app/smpp/record-incomplete.js";
import { DomainError } from "../../../domain/shared/domain-error.js";
import { bracketedSignatures } from "../../../domain/signatures/signature.js";
import type { SmppAccount } from "../../../domain/smpp/smpp-account.js";
import { portFromSmpp, recipientFromSmpp } from "../addresses.js";
import { errorToSmppStatus, refusalStatus, SMPP_STATUS } from "../command-status.js";
import {
  type ConcatInfo,
  decodeText,
  isWholeText,
  readUdh,
  type SmPdu,
  STATUS,
  type Udh,
} from "../pdu/index.js";
import { categoryForServiceType } from "../service-types.js";
import { parseSmppTime } from "../smpp-time.js";
import type { ArrivedPart, LongMessages } from "./long-messages.js";
import type { ReceiptRequests } from "./receipt-requests.js";

/** What a `submit_sm` is answered with. */
export interface SubmitAnswer {
  status: number;
  messageId: string;
}

/** data_coding values whose text anning can read (and so check): GSM 7-bit, ASCII, Latin-1, UCS-2. */
const READABLE_CODINGS: ReadonlySet<number> = new Set([0x00, 0x01, 0x03, 0x08]);

/** The fields of a message a `submit_sm` names, before its text is whole. */
interface SubmitFields {
  senderId: string;
  port: string;
  phone: string;
  category: string;
  validUntil?: number;
  notBefore?: number;
}

/**
 * The `submit_sm` use case translator: works out sender (the bound account's enterprise), port
 * (`source_addr`), recipient (`dest_addr`), category (`service_type`) and text (`data_coding`, UDH, SAR
 * or `message_payload`), then hands the message to the same use case as `POST /v1/messages`. Parts of a
 * long message are acknowledged as they come; the decision is taken on the last.
 */
export class SubmitHandler {
  /** Fields of long messages still being assembled, for recording them if they never complete. */
  private readonly pending = new Map<string, SubmitFields>();

  constructor(
    private readonly ctx: AppContext,
    private readonly long: LongMessages,
    private readonly requests: ReceiptRequests,
  ) {}

  async handle(account: SmppAccount, pdu: SmPdu): Promise<SubmitAnswer> {
    const cat = categoryForServiceType(pdu.serviceType, account.defaultCategory);
    if (!cat.ok) return refuse(SMPP_STATUS.SERVICE_TYPE_UNKNOWN);
    if (!READABLE_CODINGS.has(pdu.dataCoding)) return refuse(SMPP_STATUS.DATA_CODING_UNSUPPORTED);
    let body = pdu.tlvs.messagePayload ?? pdu.shortMessage;
    let concat: ConcatInfo | undefined;
    if (pdu.esmClass & 0x40) {
      let udh: Udh;
      try {
        udh = readUdh(body);
      } catch {
        return refuse(SMPP_STATUS.CONCAT_INVALID);
      }
      // a concatenation element naming no part of a message (part 0, part 4 of 3, total 0) is refused,
      // never read as a whole message; a UDH without one is a whole message
      if (udh.invalidConcat) return refuse(SMPP_STATUS.CONCAT_INVALID);
      body = body.subarray(udh.headerLength);
      concat = udh.concat;
    } else if (pdu.tlvs.sarTotalSegments !== undefined && pdu.tlvs.sarSegmentSeqnum !== undefined) {
      concat = {
        ref: pdu.tlvs.sarMsgRefNum ?? 0,
        total: pdu.tlvs.sarTotalSegments,
        seq: pdu.tlvs.sarSegmentSeqnum,
      };
    }
    // SAR TLVs alike (readUdh has checked a UDH's); a part 1 of 1 is a whole message
    if (concat && (concat.total < 1 || concat.seq < 1 || concat.seq > concat.total))
      return refuse(SMPP_STATUS.CONCAT_INVALID);
    // UCS-2 octets come in pairs (each part's, after its UDH): an odd one out is never dropped silently
    if (!isWholeText(pdu.dataCoding, body)) return refuse(SMPP_STATUS.UCS2_ODD_LENGTH);
    const now = this.ctx.clock.now();
    const validity = parseSmppTime(pdu.validityPeriod, now);
    if (!validity.ok || (validity.at !== null && validity.at <= now))
      return refuse(SMPP_STATUS.VALIDITY_INVALID);
    const schedule = parseSmppTime(pdu.scheduleDeliveryTime, now);
    const maxWait = now + this.ctx.state.policy.messageValidityHours * 3600_000;
    if (!schedule.ok || (schedule.at !== null && schedule.at >= Math.min(maxWait, validity.at ?? maxWait)))
      return refuse(SMPP_STATUS.SCHEDULE_INVALID);
    const text = decodeText(pdu.dataCoding, body);
    const fields: SubmitFields = {
      senderId: account.enterpriseId,
      port: portFromSmpp(pdu.sourceAddr),
      phone: recipientFromSmpp(pdu.destTon, pdu.destAddr),
      category: cat.category,
      ...(validity.at !== null ? { validUntil: validity.at } : {}),
      ...(schedule.at !== null ? { notBefore: schedule.at } : {}),
    };
    const rd = pdu.registeredDelivery;
    if (!concat || concat.total === 1) return this.submit(fields, text, rd);
    const key = `${account.id}|${fields.port}|${fields.phone}|${concat.ref}|${concat.total}`;
    if (this.long.full) return refuse(STATUS.ESME_RMSGQFUL);
    this.pending.set(key, fields);
    const r = this.long.add(key, concat.total, concat.seq, text);
    this.requests.note(r.messageId, concat.seq, rd);
    if (r.kind === "part") return { status: 0, messageId: `${r.messageId}-${concat.seq}` };
    this.pending.delete(key);
    if (r.kind === "invalid") {
      await this.recordParts(fields, r.messageId, [], concat.total, r.arrived);
      return refuse(SMPP_STATUS.CONCAT_INVALID);
    }
    // a refusal is answered on this last part; every part's id gets a REJECTD receipt (see submit)
    const answer = await this.submit(fields, r.text, rd, r.messageId, r.total);
    if (answer.status !== 0) return answer;
    return { status: 0, messageId: `${r.messageId}-${concat.seq}` };
  }

  /**
   * A long message of `account` still being assembled, by a part id anning gave for it (`msg_…-k`, part
   * k arrived): what arrived and the total; null for anything else (another account's included).
   */
  pendingPart(account: SmppAccount, id: string): { key: string; arrived: number[]; total: number } | null {
    const m = /^(.+)-(\d+)$/.exec(id);
    const open = m ? this.long.find(m[1] as string) : undefined;
    if (!m || !open?.key.startsWith(`${account.id}|`)) return null;
    return open.arrived.includes(Number(m[2])) ? open : null;
  }

  /** Cancels a long message still being assembled (see pendingPart); false when there is none. */
  async cancelPending(account: SmppAccount, id: string): Promise<boolean> {
    const open = this.pendingPart(account, id);
    const fields = open ? this.pending.get(open.key) : undefined;
    const parts = open && fields ? this.long.take(open.key) : undefined;
    if (!open || !fields || !parts) return false;
    this.pending.delete(open.key);
    const text = parts.map((p) => p.text).join("") || "(incomplete)";
    const messageId = id.slice(0, id.lastIndexOf("-"));
    const f = { ...fields, signature: signatureOf(text), text };
    await recordCancelledParts(this.ctx, f, messageId, open.total, open.arrived);
    return true;
  }

  /** An assembly that timed out: what arrived is recorded as refused and its parts get receipts. */
  async expired(key: string, messageId: string, parts: ArrivedPart[], total: number): Promise<void> {
    const fields = this.pending.get(key);
    this.pending.delete(key);
    if (!fields) return;
    await this.recordParts(
      fields,
      messageId,
      parts.map((p) => p.text),
      total,
      parts.map((p) => p.seq),
    );
  }

  private async recordParts(
    f: SubmitFields,
    messageId: string,
    texts: string[],
    total: number,
    acked: number[],
  ): Promise<void> {
    const text = texts.join("") || "(incomplete)";
    await recordIncomplete(this.ctx, { ...f, signature: signatureOf(text), text }, messageId, total, acked);
  }

  private async submit(
    f: SubmitFields,
    text: string,
    registeredDelivery: number,
    id?: string,
    parts?: number,
  ): Promise<SubmitAnswer> {
    // what it asked for is noted before it is recorded: a refusal's receipt may be pushed as soon as the
    // record commits (a long message's parts noted theirs as they came)
    const messageId = id ?? this.ctx.ids.next("msg");
    if (!id) this.requests.note(messageId, 1, registeredDelivery);
    let r: SubmitResult;
    try {
      r = await submitMessage(
        this.ctx,
        { kind: "enterprise", enterpriseId: f.senderId },
        {
          ...f,
          signature: signatureOf(text),
          text,
          id: messageId,
          // the ids the sender holds: one per part it split the message into, else the message id
          ...(parts ? { parts, smppParts: parts } : { smppParts: 1 }),
          receiptIfRefused: true,
        },
      );
    } catch (err) {
      if (err instanceof DomainError) return refuse(errorToSmppStatus(err.code));
      // the store or a dependency failed: nothing was recorded, a temporary status makes the client retry
      this.ctx.log.error({ err: String(err) }, "submit_sm failed");
      return refuse(STATUS.ESME_RSYSERR);
    }
    // the response carries no message id: the refused message is still recorded, and the sender's
    // receiver binds get a REJECTD receipt naming it (and each part's id, for a long message), queued
    // with it (receiptIfRefused)
    if (r.status === "refused") return refuse(refusalStatus(r.reasons));
    return { status: 0, messageId: r.id };
  }
}

function refuse(status: number): SubmitAnswer {
  return { status, messageId: "" };
}

/** The 【signature】 a text begins (or else ends) with; "" when it has none. */
export function signatureOf(text: string): string {
  const t = text.trim();
  const all = bracketedSignatures(t);
  if (all.length === 0) return "";
  if (t.startsWith("【")) return all[0] ?? "";
  if (t.endsWith("】")) return all[all.length - 1] ?? "";
  return all[0] ?? "";
}
