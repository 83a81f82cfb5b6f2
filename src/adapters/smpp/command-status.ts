import type { ReasonCode } from "../../domain/policy/reason-codes.js";
import type { DomainErrorCode } from "../../domain/shared/domain-error.js";

/**
 * The one table from anning's refusals and caller faults to SMPP 3.4 command_status values.
 *
 * Every policy reason has its own permanent status in the vendor range 0x400–0x4FF (SMPP 3.4 §5.1.3
 * leaves it to the SMSC), numbered 0x400 + its position in {@link REASON_CODES}; an invalid recipient
 * answers the standard ESME_RINVDSTADR instead (its vendor slot 0x40B stays unused). Statuses clients
 * treat as temporary (Kannel re-queues 0x08, 0x14, 0x58 and 0x64 for ever) are used only for the two
 * faults that are temporary: RATE_LIMITED and SERVICE_DEGRADED.
 */

const ESME_RINVMSGLEN = 0x01;
const ESME_RINVBNDSTS = 0x04;
const ESME_RSYSERR = 0x08;
const ESME_RINVSRCADR = 0x0a;
const ESME_RINVDSTADR = 0x0b;
const ESME_RCANCELFAIL = 0x11;
const ESME_RMSGQFUL = 0x14;
const ESME_RINVSERTYP = 0x15;
const ESME_RINVDLNAME = 0x34;
const ESME_RINVESMCLASS = 0x43;
const ESME_RTHROTTLED = 0x58;
const ESME_RINVSCHED = 0x61;
const ESME_RINVEXPIRY = 0x62;
const ESME_RX_T_APPN = 0x64;
const ESME_RQUERYFAIL = 0x67;
const ESME_RINVDCS = 0x104;

/** SMPP-specific refusals that are neither policy reasons nor domain errors. */
export const SMPP_STATUS = {
  /** service_type names no known category, and the account has no default category. */
  SERVICE_TYPE_UNKNOWN: ESME_RINVSERTYP,
  /** data_coding other than the ones anning decodes (GSM 7-bit, Latin-1, UCS-2…). */
  DATA_CODING_UNSUPPORTED: ESME_RINVDCS,
  /** A UCS-2 text (data_coding 8), or one part of it, with an odd number of octets. */
  UCS2_ODD_LENGTH: ESME_RINVMSGLEN,
  /** Inconsistent parts of a long message (total or sequence out of range, duplicate, mixed coding). */
  CONCAT_INVALID: 0x4e1,
  /** submit_sm on a session bound as a receiver (or not bound). */
  NOT_BOUND_FOR_SUBMIT: ESME_RINVBNDSTS,
  /** schedule_delivery_time malformed, or later than the message's validity. */
  SCHEDULE_INVALID: ESME_RINVSCHED,
  /** validity_period malformed or already past. */
  VALIDITY_INVALID: ESME_RINVEXPIRY,
  /** query_sm: no message of the bound account's enterprise has that id. */
  QUERY_FAILED: ESME_RQUERYFAIL,
  /** cancel_sm: no such message of the enterprise, or it was handed to a carrier or is final already. */
  CANCEL_FAILED: ESME_RCANCELFAIL,
  /** submit_multi: a distribution list name (anning keeps no lists); in unsuccess_sme. */
  DISTRIBUTION_LIST_UNSUPPORTED: ESME_RINVDLNAME,
  /** submit_multi: parts of a long message (UDH under esm_class 0x40, or SAR TLVs). */
  CONCAT_IN_MULTI: ESME_RINVESMCLASS,
} as const;

/** Names of {@link SMPP_STATUS}. */
export type SmppRefusal = keyof typeof SMPP_STATUS;

/** Statuses SMPP clients (Kannel among them) treat as temporary and retry. */
export const TEMPORARY_STATUSES: ReadonlySet<number> = new Set([
  ESME_RSYSERR,
  ESME_RMSGQFUL,
  ESME_RTHROTTLED,
  ESME_RX_T_APPN,
]);

/** Whether clients retry a message refused with `status` (Kannel re-queues it). */
export function isTemporaryStatus(status: number): boolean {
  return TEMPORARY_STATUSES.has(status);
}

function unreachable(code: never): never {
  throw new Error(`no SMPP status for ${String(code)}`);
}

/** The permanent command_status for a policy reason (exhaustive: a new reason needs a case here). */
export function reasonToSmppStatus(code: ReasonCode): number {
  switch (code) {
    case "SENDER_UNKNOWN":
      return 0x400;
    case "SENDER_SUSPENDED":
      return 0x401;
    case "SIGNATURE_UNKNOWN":
      return 0x402;
    case "SIGNATURE_INACTIVE":
      return 0x403;
    case "SIGNATURE_SUSPENDED":
      return 0x404;
    case "SIGNATURE_NOT_AUTHORIZED":
      return 0x405;
    case "SIGNATURE_SCOPE":
      return 0x406;
    case "SIGNATURE_MISSING_IN_TEXT":
      return 0x407;
    case "PORT_NOT_ALLOCATED":
      return 0x408;
    case "PORT_SIGNATURE_MISMATCH":
      return 0x409;
    case "PORT_CATEGORY":
      return 0x40a;
    case "RECIPIENT_INVALID":
      return ESME_RINVDSTADR;
    case "DND":
      return 0x40c;
    case "CONSENT_WITHDRAWN":
      return 0x40d;
    case "CONSENT_MISSING":
      return 0x40e;
    case "CONSENT_EXPIRED":
      return 0x40f;
    case "CONSENT_PENDING":
      return 0x410;
    case "OPT_OUT_TEXT_MISSING":
      return 0x411;
    case "QUIET_HOURS":
      return 0x412;
    case "FREQUENCY_CAP":
      return 0x413;
    case "MESSAGE_EXPIRED":
      return 0x414;
    case "MESSAGE_INCOMPLETE":
      return 0x415;
    default:
      return unreachable(code);
  }
}

/**
 * The command_status of a refusal: that of its primary reason, the first of the precedence-ordered
 * reasons. Throws on an empty list (a refusal always has a reason).
 */
export function refusalStatus(reasons: readonly { code: ReasonCode }[]): number {
  const primary = reasons[0];
  if (primary === undefined) throw new Error("a refusal without reasons has no SMPP status");
  return reasonToSmppStatus(primary.code);
}

/**
 * The command_status for a caller fault (exhaustive). Only RATE_LIMITED (ESME_RTHROTTLED) and
 * SERVICE_DEGRADED (ESME_RMSGQFUL) are temporary; every other fault is permanent, with a standard status
 * where one means exactly that and a vendor status (0x4F0–0x4FF) otherwise. ESME_RSYSERR is never used
 * for a permanent fault: clients retry it.
 */
export function errorToSmppStatus(code: DomainErrorCode): number {
  switch (code) {
    case "RATE_LIMITED":
      return ESME_RTHROTTLED;
    case "SERVICE_DEGRADED":
      return ESME_RMSGQFUL;
    case "CATEGORY_UNKNOWN":
      return ESME_RINVSERTYP;
    case "RECIPIENT_INVALID":
      return ESME_RINVDSTADR;
    case "PORT_NUMBER_INVALID":
      return ESME_RINVSRCADR;
    case "VALIDATION_FAILED":
      return ESME_RINVMSGLEN;
    case "NOT_FOUND":
      return 0x4f0;
    case "CONFLICT":
      return 0x4f1;
    case "INVALID_STATE":
      return 0x4f2;
    case "IDEMPOTENCY_MISMATCH":
      return 0x4f3;
    case "CREDIT_CODE_INVALID":
      return 0x4f4;
    case "PARENT_INVALID":
      return 0x4f5;
    case "SIGNATURE_TEXT_INVALID":
      return 0x4f6;
    case "CONSENT_NOT_AFFIRMATIVE":
      return 0x4f7;
    case "CONSENT_CAPTURED_IN_FUTURE":
      return 0x4f8;
    case "CONSENT_PREDATES_WITHDRAWAL":
      return 0x4f9;
    case "OPT_IN_REQUEST_TOO_SOON":
      return 0x4fa;
    case "POLICY_NOT_TIGHTER":
      return 0x4fb;
    case "TEST_CLOCK_DISABLED":
      return 0x4fc;
    case "FORBIDDEN":
      return 0x4ff;
    default:
      return unreachable(code);
  }
}
