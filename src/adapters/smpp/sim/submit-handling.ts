/**
 * submit_sm handling of the SMSC simulator: checking the bind, decoding the parts of a concatenated
 * message (UDH or SAR TLVs), refusing, recording, choosing the receipt outcome, and building the response
 * to hold back for `latencyMs`.
 */
import { readUdh, type SmPdu, STATUS } from "../pdu/index.js";
import type { Conn } from "./bind-handling.js";
import { formatMessageId, type MessageIdCounter } from "./message-ids.js";
import type { MessageLog } from "./message-log.js";
import { decideStat, type ReceiptJob, wantsReceipt } from "./receipts.js";
import type { PartInfo, ResolvedSimOptions } from "./sim-options.js";

/** submit_sm refused by the SMSC (SMPP 3.4 §5.1.3). */
export const ESME_RSUBMITFAIL = 0x45;

const UDHI = 0x40;

/** A submit_sm_resp held back by `latencyMs`, with the receipt to schedule once it is out. */
export interface HeldResponse {
  conn: Conn;
  sequence: number;
  status: number;
  messageId: string;
  receipt: ReceiptJob | null;
}

/** What submit_sm handling needs from the simulator. */
export interface SubmitContext {
  readonly o: ResolvedSimOptions;
  readonly ids: MessageIdCounter;
  readonly log: MessageLog;
  readonly counts: { submits: number; rejected: number };
}

/**
 * Takes one submit_sm. Without a transmitter or transceiver bind it answers ESME_RINVBNDSTS at once and
 * returns null. Otherwise it returns the response to send: an error status (ESME_RINVESMCLASS for a
 * malformed UDH, ESME_RINVDSTADR for no destination, ESME_RSUBMITFAIL by `rejectRatio`), or the next
 * message id, with the message recorded and, when registered_delivery asks for one with the outcome
 * drawn, the receipt to schedule.
 */
export function takeSubmit(conn: Conn, pdu: SmPdu, sim: SubmitContext): HeldResponse | null {
  const bound = conn.bound;
  if (bound === null || bound.kind === "bind_receiver") {
    conn.session.respond(pdu, { command: "submit_sm_resp", messageId: "", status: STATUS.ESME_RINVBNDSTS });
    return null;
  }
  sim.counts.submits++;
  const o = sim.o;
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
    if (t.sarMsgRefNum !== undefined && t.sarTotalSegments !== undefined && t.sarSegmentSeqnum !== undefined)
      parts = { ref: t.sarMsgRefNum, total: t.sarTotalSegments, seq: t.sarSegmentSeqnum };
  }
  if (status === 0 && pdu.destAddr === "") status = STATUS.ESME_RINVDSTADR;
  if (status === 0 && o.rejectRatio > 0 && o.random() < o.rejectRatio) status = ESME_RSUBMITFAIL;
  if (status !== 0) {
    sim.counts.rejected++;
    return { conn, sequence: pdu.sequence, status, messageId: "", receipt: null };
  }
  const n = sim.ids.next();
  const id = formatMessageId(n, o.idFormat);
  const at = Date.now();
  const umr = pdu.tlvs.userMessageReference;
  sim.log.add({
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
  return { conn, sequence: pdu.sequence, status: 0, messageId: id, receipt };
}
