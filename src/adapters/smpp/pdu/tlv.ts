/**
 * Optional parameters (TLVs): their length on the wire, writing them after a body, and reading them from
 * the rest of a frame. The named ones of Tlvs go in TLV_TAG order; any other tag round-trips through `other`.
 */
import { PduError, STATUS, TLV_TAG, type Tlvs } from "./pdu.js";
import { CSTR_MAX, copyOut, cstrLength, writeCStr } from "./wire.js";

// ---- encoding --------------------------------------------------------------------------------------------

function tlvValueLength(n: number, tag: number): number {
  if (n > 0xffff) throw new Error(`TLV 0x${tag.toString(16)} value is ${n} octets; at most 65535`);
  return n;
}

/** Octets the TLVs take on the wire. @throws Error when a value is over 65535 octets or a string too long. */
export function tlvsLength(t: Tlvs | undefined): number {
  if (t === undefined) return 0;
  let n = 0;
  if (t.sarMsgRefNum !== undefined) n += 6;
  if (t.sarTotalSegments !== undefined) n += 5;
  if (t.sarSegmentSeqnum !== undefined) n += 5;
  if (t.messagePayload !== undefined)
    n += 4 + tlvValueLength(t.messagePayload.length, TLV_TAG.messagePayload);
  if (t.receiptedMessageId !== undefined) {
    n += 4 + cstrLength(t.receiptedMessageId, CSTR_MAX.messageId, "receipted_message_id");
  }
  if (t.messageState !== undefined) n += 5;
  if (t.userMessageReference !== undefined) n += 6;
  if (t.moreMessagesToSend !== undefined) n += 5;
  if (t.scInterfaceVersion !== undefined) n += 5;
  if (t.other !== undefined) for (const o of t.other) n += 4 + tlvValueLength(o.value.length, o.tag);
  return n;
}

/** Writes a one-octet (size 1) or two-octet (size 2) TLV; returns the offset after it. */
function intTlv(buf: Buffer, o: number, tag: number, size: 1 | 2, value: number): number {
  buf.writeUInt16BE(tag, o);
  buf.writeUInt16BE(size, o + 2);
  if (size === 1) buf[o + 4] = value;
  else buf.writeUInt16BE(value & 0xffff, o + 4);
  return o + 4 + size;
}

function bytesTlv(buf: Buffer, o: number, tag: number, value: Buffer): number {
  buf.writeUInt16BE(tag, o);
  buf.writeUInt16BE(value.length, o + 2);
  return o + 4 + value.copy(buf, o + 4);
}

/**
 * Writes the named TLVs in TLV_TAG order, then `other`; returns the offset after them. The buffer must
 * have the room tlvsLength counted.
 */
export function encodeTlvs(buf: Buffer, o: number, t: Tlvs | undefined): number {
  if (t === undefined) return o;
  if (t.sarMsgRefNum !== undefined) o = intTlv(buf, o, TLV_TAG.sarMsgRefNum, 2, t.sarMsgRefNum);
  if (t.sarTotalSegments !== undefined) o = intTlv(buf, o, TLV_TAG.sarTotalSegments, 1, t.sarTotalSegments);
  if (t.sarSegmentSeqnum !== undefined) o = intTlv(buf, o, TLV_TAG.sarSegmentSeqnum, 1, t.sarSegmentSeqnum);
  if (t.messagePayload !== undefined) o = bytesTlv(buf, o, TLV_TAG.messagePayload, t.messagePayload);
  if (t.receiptedMessageId !== undefined) {
    buf.writeUInt16BE(TLV_TAG.receiptedMessageId, o);
    buf.writeUInt16BE(t.receiptedMessageId.length + 1, o + 2);
    o = writeCStr(buf, o + 4, t.receiptedMessageId);
  }
  if (t.messageState !== undefined) o = intTlv(buf, o, TLV_TAG.messageState, 1, t.messageState);
  if (t.userMessageReference !== undefined) {
    o = intTlv(buf, o, TLV_TAG.userMessageReference, 2, t.userMessageReference);
  }
  if (t.moreMessagesToSend !== undefined)
    o = intTlv(buf, o, TLV_TAG.moreMessagesToSend, 1, t.moreMessagesToSend);
  if (t.scInterfaceVersion !== undefined)
    o = intTlv(buf, o, TLV_TAG.scInterfaceVersion, 1, t.scInterfaceVersion);
  if (t.other !== undefined) for (const x of t.other) o = bytesTlv(buf, o, x.tag, x.value);
  return o;
}

// ---- decoding --------------------------------------------------------------------------------------------

/**
 * The TLVs of frame `f` from offset `p` to `end` (the end of the frame). `commandId` and `sequence` are
 * the frame's, for the errors.
 *
 * @throws PduError (non-fatal): ESME_RINVTLVSTREAM for a TLV header or value running past the end,
 * ESME_RINVTLVLEN for a fixed-size TLV of another size.
 */
export function decodeTlvs(f: Buffer, p: number, end: number, commandId: number, sequence: number): Tlvs {
  const t: Tlvs = {};
  while (p < end) {
    if (end - p < 4) throw fail("TLV header truncated", STATUS.ESME_RINVTLVSTREAM, commandId, sequence);
    const tag = f.readUInt16BE(p);
    const len = f.readUInt16BE(p + 2);
    const v = p + 4;
    p = v + len;
    if (p > end) {
      throw fail(
        `TLV 0x${tag.toString(16)} runs past the end`,
        STATUS.ESME_RINVTLVSTREAM,
        commandId,
        sequence,
      );
    }
    switch (tag) {
      case TLV_TAG.sarMsgRefNum:
        t.sarMsgRefNum = f.readUInt16BE(v + fixed(len, 2, commandId, sequence));
        break;
      case TLV_TAG.sarTotalSegments:
        t.sarTotalSegments = f[v + fixed(len, 1, commandId, sequence)];
        break;
      case TLV_TAG.sarSegmentSeqnum:
        t.sarSegmentSeqnum = f[v + fixed(len, 1, commandId, sequence)];
        break;
      case TLV_TAG.messagePayload:
        t.messagePayload = copyOut(f, v, p);
        break;
      case TLV_TAG.receiptedMessageId: {
        // Tolerates a value without its NUL, as some SMSCs send it.
        const nul = f.indexOf(0, v);
        t.receiptedMessageId = f.toString("latin1", v, nul < 0 || nul > p ? p : nul);
        break;
      }
      case TLV_TAG.messageState:
        t.messageState = f[v + fixed(len, 1, commandId, sequence)];
        break;
      case TLV_TAG.userMessageReference:
        t.userMessageReference = f.readUInt16BE(v + fixed(len, 2, commandId, sequence));
        break;
      case TLV_TAG.moreMessagesToSend:
        t.moreMessagesToSend = f[v + fixed(len, 1, commandId, sequence)];
        break;
      case TLV_TAG.scInterfaceVersion:
        t.scInterfaceVersion = f[v + fixed(len, 1, commandId, sequence)];
        break;
      default:
        if (t.other === undefined) t.other = [];
        t.other.push({ tag, value: copyOut(f, v, p) });
    }
  }
  return t;
}

/** 0 when a fixed-size TLV has its size; throws ESME_RINVTLVLEN otherwise. */
function fixed(len: number, size: number, commandId: number, sequence: number): 0 {
  if (len !== size)
    throw fail(`TLV length ${len}, expected ${size}`, STATUS.ESME_RINVTLVLEN, commandId, sequence);
  return 0;
}

function fail(message: string, status: number, commandId: number, sequence: number): PduError {
  return new PduError(message, status, commandId, sequence, false);
}
