/**
 * The documented command_status table (README, SMPP section): one row per status anning answers, built
 * from the mappings in command-status.ts so that the documentation cannot drift from the code.
 */
import { REASON_CODES, reason } from "../../domain/policy/reason-codes.js";
import type { DomainErrorCode } from "../../domain/shared/domain-error.js";
import {
  errorToSmppStatus,
  isTemporaryStatus,
  reasonToSmppStatus,
  SMPP_STATUS,
  type SmppRefusal,
} from "./command-status.js";

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
  UCS2_ODD_LENGTH: "A UCS-2 text (data_coding 8), or a part of one, has an odd number of octets.",
  CONCAT_INVALID: "The parts of a long message are inconsistent.",
  NOT_BOUND_FOR_SUBMIT: "The session is not bound as a transmitter or transceiver.",
  SCHEDULE_INVALID: "schedule_delivery_time is malformed, or later than the message may wait.",
  VALIDITY_INVALID: "validity_period is malformed or already past.",
  QUERY_FAILED: "query_sm: no message of the account's enterprise has that id.",
  CANCEL_FAILED: "cancel_sm: no such message, or it was handed to a carrier or is final already.",
  DISTRIBUTION_LIST_UNSUPPORTED: "submit_multi: a distribution list name; anning keeps none.",
  CONCAT_IN_MULTI: "submit_multi: parts of a long message (UDH or SAR) are not taken.",
};

/** Standard SMPP 3.4 / 5.0 names of the standard statuses used above. */
const STANDARD_NAMES: Readonly<Record<number, string>> = {
  1: "ESME_RINVMSGLEN",
  4: "ESME_RINVBNDSTS",
  10: "ESME_RINVSRCADR",
  11: "ESME_RINVDSTADR",
  17: "ESME_RCANCELFAIL",
  20: "ESME_RMSGQFUL",
  21: "ESME_RINVSERTYP",
  52: "ESME_RINVDLNAME",
  67: "ESME_RINVESMCLASS",
  88: "ESME_RTHROTTLED",
  97: "ESME_RINVSCHED",
  98: "ESME_RINVEXPIRY",
  103: "ESME_RQUERYFAIL",
  260: "ESME_RINVDCS",
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
