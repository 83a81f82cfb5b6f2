import type { MoPayload, ReceiptPayload } from "../../../app/delivery/sender-notices.js";
import { receiptErr, senderPartIds } from "../../../app/delivery/sender-notices.js";
import type { SenderNotice } from "../../../domain/delivery/delivery-store.port.js";
import { DEFAULT_POLICY } from "../../../domain/policy/policy.js";
import { recipientToSmpp } from "../addresses.js";
import { reasonToSmppStatus } from "../command-status.js";
import { encodeText, formatReceipt, MESSAGE_STATE, type SmBody, smBody } from "../pdu/index.js";
import type { RequestPdu } from "../session.js";

const STATE_OF_STAT: Record<string, number> = {
  DELIVRD: MESSAGE_STATE.DELIVERED,
  UNDELIV: MESSAGE_STATE.UNDELIVERABLE,
  EXPIRED: MESSAGE_STATE.EXPIRED,
  REJECTD: MESSAGE_STATE.REJECTED,
  DELETED: MESSAGE_STATE.DELETED,
  UNKNOWN: MESSAGE_STATE.UNKNOWN,
};

/** SMPP data_coding 1: IA5 (CCITT T.50), that is ASCII. */
const DATA_CODING_IA5 = 0x01;

/**
 * The ASCII bytes of a receipt text. Its fields are ASCII by construction (ids, digits, the stat, the
 * text with non-ASCII characters left out); anything else (a carrier's odd `err:`) becomes "?".
 */
function asciiBytes(text: string): Buffer {
  return Buffer.from(text.replace(/[^\x20-\x7e]/g, "?"), "latin1");
}

/** A deliver_sm from a handset number (TON 1, international) to a port. */
function deliverSm(fields: Partial<Omit<SmBody, "command">>): RequestPdu {
  return smBody("deliver_sm", { sourceTon: 1, ...fields });
}

/** The three characters of `err:`: the SMPP status of anning's refusal, else the upstream's code. */
function errField(p: ReceiptPayload): string {
  if (p.reason) return receiptErr(reasonToSmppStatus(p.reason));
  return p.err.padStart(3, "0").slice(-3);
}

/**
 * The `deliver_sm` PDUs a notice becomes: one receipt per part id the sender holds (esm_class 0x04, the
 * standard receipt text in data_coding 1, ASCII, its dates on the wall clock of `timeZone`, the policy's
 * `defaultTimeZone`; receipted_message_id and message_state), or one reply (esm_class 0x00, GSM 03.38 or
 * UCS-2).
 */
export function noticeToPdus(
  n: SenderNotice,
  wanted: (messageId: string, part: number, stat: string) => boolean = () => true,
  timeZone: string = DEFAULT_POLICY.defaultTimeZone,
): RequestPdu[] {
  if (n.kind === "mo") {
    const mo = n.payload as unknown as MoPayload;
    const { dataCoding, bytes } = encodeText(mo.text);
    const long = bytes.length > 254;
    return [
      deliverSm({
        sourceAddr: recipientToSmpp(1, mo.from),
        destAddr: mo.to,
        dataCoding,
        shortMessage: long ? Buffer.alloc(0) : bytes,
        tlvs: long ? { messagePayload: bytes } : {},
      }),
    ];
  }
  const r = n.payload as unknown as ReceiptPayload;
  const ids = senderPartIds(r.messageId, r.parts);
  const only = r.onlyParts ? new Set(r.onlyParts) : null;
  const err = errField(r);
  const out: RequestPdu[] = [];
  ids.forEach((id, i) => {
    if (only && !only.has(i + 1)) return;
    if (!wanted(r.messageId, i + 1, r.stat)) return;
    const text = formatReceipt({
      id,
      sub: 1,
      dlvrd: r.stat === "DELIVRD" ? 1 : 0,
      submitDate: new Date(r.submittedAt),
      doneDate: new Date(r.doneAt),
      timeZone,
      stat: r.stat,
      err,
      // receipts are read as plain ASCII by most clients: non-ASCII characters are left out
      text: r.text.replace(/[^\x20-\x7e]/g, ""),
    });
    // data_coding 1 (IA5/ASCII), one byte per character: in GSM 03.38 (data_coding 0) the "_" of every
    // message id would be 0x11, and clients read receipts as ASCII whatever the data_coding says
    const bytes = asciiBytes(text);
    out.push(
      deliverSm({
        sourceAddr: recipientToSmpp(1, r.phone),
        destAddr: r.port,
        esmClass: 0x04,
        dataCoding: DATA_CODING_IA5,
        shortMessage: bytes.length <= 254 ? bytes : bytes.subarray(0, 254),
        tlvs: { receiptedMessageId: id, messageState: STATE_OF_STAT[r.stat] ?? MESSAGE_STATE.UNKNOWN },
      }),
    );
  });
  return out;
}
