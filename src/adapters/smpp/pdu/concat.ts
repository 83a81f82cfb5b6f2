/**
 * Concatenated SMS (3GPP 23.040 §9.2.3.24.1): reading the user data header of a received part, and
 * splitting a long text into parts that each fit one short_message.
 */
import { PduError, STATUS } from "./pdu.js";
import { encodeGsm, encodeUcs2 } from "./text.js";

/** Concatenation info of one part: reference shared by all parts, total parts, this part's number (1-based). */
export interface ConcatInfo {
  ref: number;
  total: number;
  seq: number;
}

/** A short_message ready for submit_sm: `udh` means esm_class needs the UDHI bit (0x40). */
export interface SmsPart {
  dataCoding: 0 | 8;
  shortMessage: Buffer;
  udh: boolean;
}

const MAX_PARTS = 255;
const GSM_SINGLE = 160;
const GSM_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

/** What {@link readUdh} found in a user data header. */
export interface Udh {
  /** Octets of the header, the UDHL octet included: the text starts at `sm.subarray(headerLength)`. */
  headerLength: number;
  /** The concatenation element, when there is a valid one (and no invalid one). */
  concat?: ConcatInfo;
  /**
   * True when a concatenation element (IEI 0x00 or 0x08) is there but cannot be a part of a message:
   * total 0, sequence 0, sequence past the total, or an element of the wrong length. A handset ignores
   * such an element (3GPP 23.040 §9.2.3.24.1); an SMSC taking a submit refuses it (`concat` is then absent).
   */
  invalidConcat?: true;
}

/**
 * Parses the user data header at the start of a short_message sent with UDHI set. Information elements
 * 0x00 (8-bit reference) and 0x08 (16-bit reference) give `concat`; a concatenation element with total or
 * sequence 0, sequence > total, or the wrong length sets `invalidConcat` instead. Other elements are
 * skipped.
 *
 * @example
 * const udh = readUdh(sm); // 05 00 03 2a 03 04: part 4 of 3
 * udh; // { headerLength: 6, invalidConcat: true }
 * @throws PduError (ESME_RINVMSGLEN, non-fatal) when the header or one of its elements runs past the end.
 */
export function readUdh(sm: Buffer): Udh {
  const udhl = sm[0];
  if (udhl === undefined || udhl + 1 > sm.length) throw badUdh();
  const headerLength = udhl + 1;
  let concat: ConcatInfo | undefined;
  let invalid = false;
  let i = 1;
  while (i < headerLength) {
    if (i + 2 > headerLength) throw badUdh();
    const iei = sm[i] as number;
    const iel = sm[i + 1] as number;
    const v = i + 2;
    if (v + iel > headerLength) throw badUdh();
    if (iei === 0x00 || iei === 0x08) {
      let c: ConcatInfo | undefined;
      if (iei === 0x00 && iel === 3)
        c = validConcat(sm[v] as number, sm[v + 1] as number, sm[v + 2] as number);
      if (iei === 0x08 && iel === 4)
        c = validConcat(sm.readUInt16BE(v), sm[v + 2] as number, sm[v + 3] as number);
      if (c === undefined) invalid = true;
      else concat = c;
    }
    i = v + iel;
  }
  if (invalid) return { headerLength, invalidConcat: true };
  return concat === undefined ? { headerLength } : { headerLength, concat };
}

function validConcat(ref: number, total: number, seq: number): ConcatInfo | undefined {
  return total === 0 || seq === 0 || seq > total ? undefined : { ref, total, seq };
}

function badUdh(): PduError {
  return new PduError("bad UDH", STATUS.ESME_RINVMSGLEN, 0, 0, false);
}

/**
 * Splits a text into short_messages: GSM 03.38 when every character is representable, else UCS2. A text
 * that fits one SMS (160 septets, extension characters counting 2; or 70 UTF-16 code units) gives one part
 * without UDH; a longer one gives parts with UDH `05 00 03 ref total seq`, 153 septets or 67 code units
 * each, never splitting an escape or a surrogate pair.
 *
 * @example
 * for (const p of splitText(body, ref)) submit({ dataCoding: p.dataCoding, shortMessage: p.shortMessage, esmClass: p.udh ? 0x40 : 0 });
 * @throws Error when the text needs more than 255 parts.
 */
export function splitText(text: string, ref: number): SmsPart[] {
  const gsm = encodeGsm(text);
  if (gsm !== null) {
    if (gsm.length <= GSM_SINGLE) return [{ dataCoding: 0, shortMessage: gsm, udh: false }];
    const bounds: number[] = [];
    for (let start = 0; start < gsm.length; ) {
      let end = Math.min(start + GSM_PART, gsm.length);
      // Extension septets are never 0x1B, so a trailing 0x1B is always an escape whose character follows.
      if (end < gsm.length && gsm[end - 1] === 0x1b) end--;
      bounds.push(start, end);
      start = end;
    }
    return withUdh(0, gsm, bounds, ref, 1);
  }
  if (text.length <= UCS2_SINGLE) return [{ dataCoding: 8, shortMessage: encodeUcs2(text), udh: false }];
  const ucs2 = encodeUcs2(text);
  const bounds: number[] = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(start + UCS2_PART, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    bounds.push(start, end);
    start = end;
  }
  return withUdh(8, ucs2, bounds, ref, 2);
}

function withUdh(dataCoding: 0 | 8, bytes: Buffer, bounds: number[], ref: number, unit: number): SmsPart[] {
  const total = bounds.length / 2;
  if (total > MAX_PARTS) throw new Error(`text needs ${total} parts; at most ${MAX_PARTS} allowed`);
  const parts: SmsPart[] = [];
  for (let p = 0; p < total; p++) {
    const from = (bounds[2 * p] as number) * unit;
    const to = (bounds[2 * p + 1] as number) * unit;
    const sm = Buffer.allocUnsafe(6 + to - from);
    sm[0] = 5;
    sm[1] = 0x00;
    sm[2] = 3;
    sm[3] = ref & 0xff;
    sm[4] = total;
    sm[5] = p + 1;
    bytes.copy(sm, 6, from, to);
    parts.push({ dataCoding, shortMessage: sm, udh: true });
  }
  return parts;
}
