/**
 * submit_multi: one message per destination, each through the same path as a submit_sm of its own
 * (rate limit, policy, message log, outbox, receipts), answered with one message_id and the destinations
 * not taken.
 */
import type { SmppAccount } from "../../../domain/smpp/smpp-account.js";
import { SMPP_STATUS } from "../command-status.js";
import {
  type SmPdu,
  STATUS,
  type SubmitMultiPdu,
  type SubmitMultiRespPdu,
  type UnsuccessSme,
} from "../pdu/index.js";
import type { PduInit } from "./query-cancel.js";
import type { SubmitAnswer, SubmitHandler } from "./submit.js";
import { overRate, type RateHost } from "./submit-rate.js";

/** What submit_multi needs of the server and of the bind it came on. */
export interface MultiHost extends RateHost {
  readonly stats: { submits: number; refused: number };
  readonly submits: SubmitHandler;
}

/** The submit_sm a destination of `pdu` would have been sent as. */
function submitSmTo(pdu: SubmitMultiPdu, d: { ton: number; npi: number; addr: string }): SmPdu {
  const { dests: _dests, command: _command, ...fields } = pdu;
  return { ...fields, command: "submit_sm", destTon: d.ton, destNpi: d.npi, destAddr: d.addr };
}

/** Whether the PDU carries one part of a long message (UDH under esm_class 0x40, or SAR TLVs). */
function isPart(pdu: SubmitMultiPdu): boolean {
  const t = pdu.tlvs;
  return (
    (pdu.esmClass & 0x40) !== 0 ||
    t.sarMsgRefNum !== undefined ||
    t.sarTotalSegments !== undefined ||
    t.sarSegmentSeqnum !== undefined
  );
}

/**
 * Handles a submit_multi for `account` (`current()` gives its latest settings, null once the bind has
 * ended: the destinations left are answered ESME_RINVBNDSTS). Destinations go one after another, in
 * order, each counted by the rate limit; a distribution list name is refused ESME_RINVDLNAME. The
 * answer's message_id is the first destination taken's own message id (query_sm and cancel_sm with it
 * act on that destination's message; every destination's receipt names its own message id and comes
 * from that destination). Status 0 when some destination was taken; when none was, the first
 * destination's status; unsuccess_sme lists each destination not taken with its status. A part of a long
 * message is refused as a whole (ESME_RINVESMCLASS): `message_payload` carries a long text instead.
 */
export async function answerSubmitMulti(
  host: MultiHost,
  current: () => SmppAccount | null,
  pdu: SubmitMultiPdu,
): Promise<PduInit<SubmitMultiRespPdu>> {
  if (isPart(pdu))
    return {
      command: "submit_multi_resp",
      status: SMPP_STATUS.CONCAT_IN_MULTI,
      messageId: "",
      unsuccess: [],
    };
  let messageId = "";
  const unsuccess: UnsuccessSme[] = [];
  for (const d of pdu.dests) {
    if (d.kind === "list") {
      unsuccess.push({ ton: 0, npi: 0, addr: d.name, status: SMPP_STATUS.DISTRIBUTION_LIST_UNSUPPORTED });
      continue;
    }
    const answer = await submitOne(host, current, submitSmTo(pdu, d));
    if (answer.status === 0) {
      if (messageId === "") messageId = answer.messageId;
    } else unsuccess.push({ ton: d.ton, npi: d.npi, addr: d.addr, status: answer.status });
  }
  const status = messageId !== "" ? 0 : (unsuccess[0]?.status ?? STATUS.ESME_RSYSERR);
  return { command: "submit_multi_resp", status, messageId, unsuccess };
}

/** One destination, as a submit_sm of its own would go; a failure is that destination's alone. */
async function submitOne(
  host: MultiHost,
  current: () => SmppAccount | null,
  sm: SmPdu,
): Promise<SubmitAnswer> {
  const before = current();
  if (!before) return { status: SMPP_STATUS.NOT_BOUND_FOR_SUBMIT, messageId: "" };
  host.stats.submits++;
  let answer: SubmitAnswer;
  try {
    const over = await overRate(host, before);
    const account = current();
    answer =
      over ??
      (account
        ? await host.submits.handle(account, sm)
        : { status: SMPP_STATUS.NOT_BOUND_FOR_SUBMIT, messageId: "" });
  } catch (err) {
    // this destination only: those before it are recorded, and a retry of the whole PDU would repeat them
    host.ctx.log.error({ err: String(err) }, "submit_multi destination failed");
    answer = { status: STATUS.ESME_RSYSERR, messageId: "" };
  }
  if (answer.status !== 0) host.stats.refused++;
  return answer;
}
