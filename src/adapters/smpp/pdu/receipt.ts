import { utcOffsetMs } from "../../../domain/policy/local-time.js";

/**
 * Delivery receipt text carried in a deliver_sm short_message (SMPP 3.4 Appendix B):
 * `id:… sub:001 dlvrd:001 submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DELIVRD err:000 text:…`.
 * The dates carry no zone: they are written on the wall clock of a time zone the caller names.
 */

/** Final or intermediate message states a receipt reports. */
export type ReceiptStat =
  | "DELIVRD"
  | "EXPIRED"
  | "DELETED"
  | "UNDELIV"
  | "ACCEPTD"
  | "UNKNOWN"
  | "REJECTD"
  | "ENROUTE";

/** What formatReceipt writes. `sub` defaults to 1, `dlvrd` to 1 when `stat` is DELIVRD and 0 otherwise. */
export interface ReceiptInput {
  id: string;
  sub?: number;
  dlvrd?: number;
  submitDate: Date;
  doneDate: Date;
  /** IANA time zone the dates are written in (receipts name no zone; Chinese clients read local time). */
  timeZone: string;
  stat: ReceiptStat;
  /** Network-specific error code, 3 characters (left-padded with 0 when shorter). */
  err: string;
  /** The message text; its first 20 characters are included. */
  text?: string;
}

/**
 * What parseReceipt reads: fields as the text carries them. Dates stay the strings they are (usually
 * YYMMDDhhmm, some carriers add seconds): they name no zone, and anning matches receipts without them.
 */
export interface ParsedReceipt {
  id: string;
  stat: string;
  /** "" when the receipt has no err: field. */
  err: string;
  sub?: string;
  dlvrd?: string;
  submitDate?: string;
  doneDate?: string;
  text?: string;
}

/**
 * Formats a receipt; dates are written on the wall clock of `timeZone`.
 *
 * @example
 * formatReceipt({ id: "7", submitDate, doneDate, stat: "DELIVRD", err: "000", timeZone: "Asia/Shanghai" });
 */
export function formatReceipt(r: ReceiptInput): string {
  const dlvrd = r.dlvrd ?? (r.stat === "DELIVRD" ? 1 : 0);
  const submit = date(r.submitDate, r.timeZone);
  const done = date(r.doneDate, r.timeZone);
  return (
    `id:${r.id} sub:${count(r.sub ?? 1)} dlvrd:${count(dlvrd)} submit date:${submit} ` +
    `done date:${done} stat:${r.stat} err:${r.err.padStart(3, "0")} text:${(r.text ?? "").slice(0, 20)}`
  );
}

function count(n: number): string {
  return String(Math.max(0, Math.min(999, Math.trunc(n)))).padStart(3, "0");
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function date(at: Date, timeZone: string): string {
  const d = new Date(at.getTime() + utcOffsetMs(timeZone, at.getTime()));
  return (
    two(d.getUTCFullYear() % 100) +
    two(d.getUTCMonth() + 1) +
    two(d.getUTCDate()) +
    two(d.getUTCHours()) +
    two(d.getUTCMinutes())
  );
}

/** A key at the start or after white space; `text:` takes the rest of the string. Built once. */
const KEY = /(?:^|\s)(id|sub|dlvrd|submit[ _]date|done[ _]date|stat|err|text)\s*:/gi;

const FIELD: Record<string, keyof ParsedReceipt> = {
  id: "id",
  sub: "sub",
  dlvrd: "dlvrd",
  "submit date": "submitDate",
  submit_date: "submitDate",
  "done date": "doneDate",
  done_date: "doneDate",
  stat: "stat",
  err: "err",
  text: "text",
};

/**
 * Parses receipt text, tolerant of key case, `_` for the space in the date keys, extra white space and
 * missing fields. Returns null when there is no `id:` or no `stat:`.
 */
export function parseReceipt(text: string): ParsedReceipt | null {
  const found: Partial<Record<keyof ParsedReceipt, string>> = {};
  KEY.lastIndex = 0;
  let m = KEY.exec(text);
  while (m !== null) {
    const field = FIELD[(m[1] as string).toLowerCase()];
    const valueStart = KEY.lastIndex;
    if (field === "text") {
      found.text ??= text.slice(valueStart);
      break;
    }
    m = KEY.exec(text);
    if (field !== undefined)
      found[field] ??= text.slice(valueStart, m === null ? text.length : m.index).trim();
  }
  KEY.lastIndex = 0;
  if (found.id === undefined || found.stat === undefined) return null;
  const out: ParsedReceipt = { id: found.id, stat: found.stat, err: found.err ?? "" };
  if (found.sub !== undefined) out.sub = found.sub;
  if (found.dlvrd !== undefined) out.dlvrd = found.dlvrd;
  if (found.submitDate !== undefined) out.submitDate = found.submitDate;
  if (found.doneDate !== undefined) out.doneDate = found.doneDate;
  if (found.text !== undefined) out.text = found.text;
  return out;
}
