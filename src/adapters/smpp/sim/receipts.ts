import { formatReceipt, MESSAGE_STATE, smBody, type Tlvs } from "../pdu/index.js";
import type { DeliverSm } from "./delivery-router.js";
import { formatReceiptId } from "./message-ids.js";
import type { ReceiptStat, ResolvedSimOptions } from "./sim-options.js";

/** Everything needed to write the receipt of one accepted submit_sm (flat: one object per message). */
export interface ReceiptJob {
  /** The message id number and its text as returned in submit_sm_resp. */
  n: number;
  id: string;
  /** Bind system_id the receipt must go to. */
  systemId: string;
  /** The submit's source and destination (swapped in the receipt). */
  sourceAddr: string;
  sourceTon: number;
  sourceNpi: number;
  destAddr: string;
  destTon: number;
  destNpi: number;
  submitAt: number;
  userMessageReference: number | undefined;
  stat: ReceiptStat;
}

const STATE: Record<ReceiptStat, number> = {
  DELIVRD: MESSAGE_STATE.DELIVERED,
  UNDELIV: MESSAGE_STATE.UNDELIVERABLE,
  EXPIRED: MESSAGE_STATE.EXPIRED,
};

/**
 * The outcome of one message: UNDELIV for destinations ending in a `failDestinations` suffix, otherwise
 * UNDELIV / EXPIRED / DELIVRD by `failRatio` and `expireRatio` (one draw from `random`, none at ratio 0).
 */
export function decideStat(destination: string, o: ResolvedSimOptions): ReceiptStat {
  for (const suffix of o.failDestinations) if (destination.endsWith(suffix)) return "UNDELIV";
  if (o.failRatio === 0 && o.expireRatio === 0) return "DELIVRD";
  const r = o.random();
  if (r < o.failRatio) return "UNDELIV";
  if (r < o.failRatio + o.expireRatio) return "EXPIRED";
  return "DELIVRD";
}

/**
 * Whether registered_delivery asks for a receipt with this outcome (SMPP 3.4 §5.2.17, bits 0-1): 1 (and
 * the reserved 3) on any final outcome, 2 on failure only, 0 never.
 */
export function wantsReceipt(registeredDelivery: number, stat: ReceiptStat): boolean {
  const r = registeredDelivery & 0x03;
  return r === 1 || r === 3 || (r === 2 && stat !== "DELIVRD");
}

const MINUTE = 60_000;

/**
 * Receipt texts by formatReceipt, dates on the wall clock of `timeZone`. Everything after the id depends
 * only on the minutes of the two dates, the zone and the outcome, so that tail is formatted once per
 * minute and outcome, not once per receipt.
 */
export class ReceiptTexts {
  private submitMinute = -1;
  private doneMinute = -1;
  private timeZone = "";
  private readonly tails = new Map<ReceiptStat, string>();

  /** The receipt text for `idText`. */
  text(idText: string, submitAt: number, doneAt: number, stat: ReceiptStat, timeZone: string): string {
    const sm = Math.floor(submitAt / MINUTE);
    const dm = Math.floor(doneAt / MINUTE);
    if (sm !== this.submitMinute || dm !== this.doneMinute || timeZone !== this.timeZone) {
      this.tails.clear();
      this.submitMinute = sm;
      this.doneMinute = dm;
      this.timeZone = timeZone;
    }
    let tail = this.tails.get(stat);
    if (tail === undefined) {
      const full = formatReceipt({
        id: "",
        sub: 1,
        submitDate: new Date(submitAt),
        doneDate: new Date(doneAt),
        timeZone,
        stat,
        err: stat === "UNDELIV" ? "001" : "000",
      });
      if (!full.startsWith("id: ")) throw new Error(`unexpected receipt format: ${full}`);
      tail = full.slice(3);
      this.tails.set(stat, tail);
    }
    return `id:${idText}${tail}`;
  }
}

/** The deliver_sm carrying a receipt (esm_class 0x04), text as in SMPP 3.4 Appendix B. */
export function receiptPdu(
  job: ReceiptJob,
  o: ResolvedSimOptions,
  texts: ReceiptTexts,
  now: number,
): DeliverSm {
  const stat = job.stat;
  const id = formatReceiptId(job.n, o.idFormat, o.receiptIdForm);
  const text = texts.text(id, job.submitAt, now, stat, o.timeZone);
  const tlvs: Tlvs = {};
  if (o.receiptTlvs) {
    tlvs.receiptedMessageId = job.id;
    tlvs.messageState = STATE[stat];
  }
  if (o.echoUserMessageReference && job.userMessageReference !== undefined)
    tlvs.userMessageReference = job.userMessageReference;
  return smBody("deliver_sm", {
    sourceTon: job.destTon,
    sourceNpi: job.destNpi,
    sourceAddr: job.destAddr,
    destTon: job.sourceTon,
    destNpi: job.sourceNpi,
    destAddr: job.sourceAddr,
    esmClass: 0x04,
    shortMessage: Buffer.from(text, "latin1"),
    tlvs,
  });
}
