import { REASON_CODES, type ReasonCode, reason } from "../../domain/policy/reason-codes.js";
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
const ESME_RMSGQFUL = 0x14;
const ESME_RINVSERTYP = 0x15;
const ESME_RTHROTTLED = 0x58;
const ESME_RINVSCHED = 0x61;
const ESME_RINVEXPIRY = 0x62;
const ESME_RX_T_APPN = 0x64;
const ESME_RINVDCS = 0x104;

/** SMPP-specific refusals that are neither policy reasons nor domain errors. */
export const SMPP_STATUS = {
  /** service_type names no known category, and the account has no default category. */
  SERVICE_TYPE_UNKNOWN: ESME_RINVSERTYP,
  /** data_coding other than the ones anning decodes (GSM 7-bit, Latin-1, UCS-2…). */
  DATA_CODING_UNSUPPORTED: ESME_RINVDCS,
  /** Inconsistent parts of a long message (total or sequence out of range, duplicate, mixed coding). */
  CONCAT_INVALID: 0x4e1,
  /** submit_sm on a session bound as a receiver (or not bound). */
  NOT_BOUND_FOR_SUBMIT: ESME_RINVBNDSTS,
  /** schedule_delivery_time malformed, or later than the message's validity. */
  SCHEDULE_INVALID: ESME_RINVSCHED,
  /** validity_period malformed or already past. */
  VALIDITY_INVALID: ESME_RINVEXPIRY,
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

/** Every domain error code, for tables and tests (the Record type makes the list exhaustive). */
const ERROR_MEANINGS: Readonly<Record<DomainErrorCode, string>> = {
  VALIDATION_FAILED: "A field is not valid (in SMPP: the text is empty or longer than anning accepts).",
  NOT_FOUND: "No such object (or another tenant's).",
  FORBIDDEN: "The account may not do this.",
  CONFLICT: "The object exists already.",
  CREDIT_CODE_INVALID: "The unified social credit code is not valid.",
  PARENT_INVALID: "The merchant's platform is not valid.",
  SIGNATURE_TEXT_INVALID: "The signature text is not a valid 【signature】.",
  CATEGORY_UNKNOWN: "The category is not known.",
  PORT_NUMBER_INVALID: "The source address is not a valid port number.",
  RECIPIENT_INVALID: "The recipient number is not valid.",
  CONSENT_NOT_AFFIRMATIVE: "The consent was not given by an affirmative act.",
  CONSENT_CAPTURED_IN_FUTURE: "The consent's capture time is in the future.",
  CONSENT_PREDATES_WITHDRAWAL: "The consent predates a later withdrawal.",
  OPT_IN_REQUEST_TOO_SOON: "A double opt-in request was sent too recently.",
  POLICY_NOT_TIGHTER: "A policy override may only tighten the policy.",
  INVALID_STATE: "The object is not in a state that allows this.",
  TEST_CLOCK_DISABLED: "The test clock is disabled.",
  IDEMPOTENCY_MISMATCH: "The idempotency key was used for a different request.",
  SERVICE_DEGRADED: "A dependency is down: nothing was accepted; retry later.",
  RATE_LIMITED: "The sender is over its messages-per-second limit; retry in a second.",
};

/** Every {@link DomainErrorCode}. */
export const DOMAIN_ERROR_CODES = Object.keys(ERROR_MEANINGS) as DomainErrorCode[];

const SMPP_MEANINGS: Readonly<Record<SmppRefusal, string>> = {
  SERVICE_TYPE_UNKNOWN: "The service_type names no known category and the account has no default.",
  DATA_CODING_UNSUPPORTED: "The data_coding is not supported.",
  CONCAT_INVALID: "The parts of a long message are inconsistent.",
  NOT_BOUND_FOR_SUBMIT: "The session is not bound as a transmitter or transceiver.",
  SCHEDULE_INVALID: "schedule_delivery_time is malformed, or later than the message may wait.",
  VALIDITY_INVALID: "validity_period is malformed or already past.",
};

/** Standard SMPP 3.4 / 5.0 names of the standard statuses used above. */
const STANDARD_NAMES: Readonly<Record<number, string>> = {
  [ESME_RINVMSGLEN]: "ESME_RINVMSGLEN",
  [ESME_RINVBNDSTS]: "ESME_RINVBNDSTS",
  [ESME_RINVSRCADR]: "ESME_RINVSRCADR",
  [ESME_RINVDSTADR]: "ESME_RINVDSTADR",
  [ESME_RMSGQFUL]: "ESME_RMSGQFUL",
  [ESME_RINVSERTYP]: "ESME_RINVSERTYP",
  [ESME_RTHROTTLED]: "ESME_RTHROTTLED",
  [ESME_RINVDCS]: "ESME_RINVDCS",
  [ESME_RINVSCHED]: "ESME_RINVSCHED",
  [ESME_RINVEXPIRY]: "ESME_RINVEXPIRY",
};

/** One row of the documented status table. */
export interface SmppStatusRow {
  /** The status as four hex digits: "0x0400". */
  status: string;
  /** The standard ESME_ name, or anning's code for a vendor status. */
  name: string;
  /** What it means, in one or more plain sentences. */
  meaning: string;
  /** Whether clients retry it (RATE_LIMITED and SERVICE_DEGRADED only). */
  temporary: boolean;
  /** The anning codes answered with it: `reason:DND`, `error:RATE_LIMITED`, `smpp:CONCAT_INVALID`. */
  codes: string[];
}

/** "0x0400" for 0x400. */
export function formatStatus(status: number): string {
  return `0x${status.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * The documentation table: one row per distinct status anning answers, sorted by status, each naming
 * the codes that produce it. Vendor rows are named after their single anning code.
 */
export function smppStatusTable(): SmppStatusRow[] {
  const rows = new Map<number, { meanings: string[]; codes: string[]; vendorName: string }>();
  const add = (status: number, code: string, name: string, meaning: string) => {
    let row = rows.get(status);
    if (!row) {
      row = { meanings: [], codes: [], vendorName: name };
      rows.set(status, row);
    }
    row.codes.push(code);
    if (!row.meanings.includes(meaning)) row.meanings.push(meaning);
  };
  for (const code of REASON_CODES) {
    const message = reason(code).message; // "中文。 English."
    const en = message.slice(message.lastIndexOf("。 ") + 2);
    add(reasonToSmppStatus(code), `reason:${code}`, code, en);
  }
  for (const code of DOMAIN_ERROR_CODES)
    add(errorToSmppStatus(code), `error:${code}`, code, ERROR_MEANINGS[code]);
  for (const [code, status] of Object.entries(SMPP_STATUS) as [SmppRefusal, number][])
    add(status, `smpp:${code}`, code, SMPP_MEANINGS[code]);
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, row]) => ({
      status: formatStatus(status),
      name: STANDARD_NAMES[status] ?? row.vendorName,
      meaning: row.meanings.join(" "),
      temporary: isTemporaryStatus(status),
      codes: row.codes,
    }));
}
