/**
 * SMPP 3.4 binary codec: one PDU value ⇄ one frame (header + body + TLVs). Encoding computes the length
 * first and writes into a single buffer; decoding walks the frame once and copies out what it keeps, so a
 * decoded PDU never holds on to the socket's buffers.
 */
import {
  CMD,
  type Pdu,
  type PduBody,
  PduError,
  RESPONSE_OF,
  type SmPdu,
  STATUS,
  TLV_TAG,
  type Tlvs,
} from "./pdu.js";

const HEADER = 16;

/** Maximum C-octet string sizes in octets, NUL included (SMPP 3.4 §4). */
export const CSTR_MAX = {
  systemId: 16,
  password: 9,
  systemType: 13,
  addressRange: 41,
  serviceType: 6,
  address: 21,
  time: 17,
  messageId: 65,
} as const;

/** The 16-byte header of the PDU at `offset`. @throws PduError (fatal) when fewer than 16 bytes are there. */
export function readHeader(
  buf: Buffer,
  offset = 0,
): { length: number; commandId: number; status: number; sequence: number } {
  if (buf.length - offset < HEADER) {
    throw new PduError("PDU header truncated", STATUS.ESME_RINVCMDLEN, 0, 0, true);
  }
  return {
    length: buf.readUInt32BE(offset),
    commandId: buf.readUInt32BE(offset + 4),
    status: buf.readUInt32BE(offset + 8),
    sequence: buf.readUInt32BE(offset + 12),
  };
}

/**
 * Encodes a PDU into one frame. A refused submit_sm_resp (status ≠ 0) is sent as a bare header
 * (SMPP 3.4 §4.4.2).
 *
 * @throws Error when a field does not fit: short_message over 254 octets (put longer bodies in
 * `tlvs.messagePayload`), a C-octet string over its maximum, a character outside Latin-1 or a NUL in a
 * string, a TLV value over 65535 octets.
 */
export function encodePdu(pdu: Pdu): Buffer {
  return encodePduAs(pdu, pdu.sequence, pdu.status);
}

/**
 * encodePdu with the header's sequence and status given apart from the body, so that a session can send
 * a request or a response without copying the caller's object. Same errors as encodePdu.
 */
export function encodePduAs(pdu: PduBody, sequence: number, status: number): Buffer {
  switch (pdu.command) {
    case "submit_sm":
    case "deliver_sm":
      return encodeSm(pdu, sequence, status);
    case "submit_sm_resp":
    case "deliver_sm_resp": {
      if (status !== 0 && pdu.command === "submit_sm_resp") return header(HEADER, pdu, sequence, status);
      const len = HEADER + cstrLength(pdu.messageId, CSTR_MAX.messageId, "message_id");
      const buf = header(len, pdu, sequence, status);
      writeCStr(buf, HEADER, pdu.messageId);
      return buf;
    }
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver": {
      const len =
        HEADER +
        cstrLength(pdu.systemId, CSTR_MAX.systemId, "system_id") +
        cstrLength(pdu.password, CSTR_MAX.password, "password") +
        cstrLength(pdu.systemType, CSTR_MAX.systemType, "system_type") +
        3 +
        cstrLength(pdu.addressRange, CSTR_MAX.addressRange, "address_range");
      const buf = header(len, pdu, sequence, status);
      let o = writeCStr(buf, HEADER, pdu.systemId);
      o = writeCStr(buf, o, pdu.password);
      o = writeCStr(buf, o, pdu.systemType);
      buf[o++] = pdu.interfaceVersion;
      buf[o++] = pdu.addrTon;
      buf[o++] = pdu.addrNpi;
      writeCStr(buf, o, pdu.addressRange);
      return buf;
    }
    case "bind_transmitter_resp":
    case "bind_receiver_resp":
    case "bind_transceiver_resp": {
      const len = HEADER + cstrLength(pdu.systemId, CSTR_MAX.systemId, "system_id") + tlvsLength(pdu.tlvs);
      const buf = header(len, pdu, sequence, status);
      encodeTlvs(buf, writeCStr(buf, HEADER, pdu.systemId), pdu.tlvs);
      return buf;
    }
    default:
      return header(HEADER, pdu, sequence, status);
  }
}

function header(len: number, pdu: PduBody, sequence: number, status: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  buf.writeUInt32BE(len, 0);
  buf.writeUInt32BE(CMD[pdu.command], 4);
  buf.writeUInt32BE(status >>> 0, 8);
  buf.writeUInt32BE(sequence >>> 0, 12);
  return buf;
}

function encodeSm(pdu: PduBody<SmPdu>, sequence: number, status: number): Buffer {
  const sm = pdu.shortMessage;
  if (sm.length > 254) {
    throw new Error(`short_message is ${sm.length} octets; at most 254 (use tlvs.messagePayload)`);
  }
  const len =
    HEADER +
    cstrLength(pdu.serviceType, CSTR_MAX.serviceType, "service_type") +
    2 +
    cstrLength(pdu.sourceAddr, CSTR_MAX.address, "source_addr") +
    2 +
    cstrLength(pdu.destAddr, CSTR_MAX.address, "destination_addr") +
    3 +
    cstrLength(pdu.scheduleDeliveryTime, CSTR_MAX.time, "schedule_delivery_time") +
    cstrLength(pdu.validityPeriod, CSTR_MAX.time, "validity_period") +
    5 +
    sm.length +
    tlvsLength(pdu.tlvs);
  const buf = header(len, pdu, sequence, status);
  let o = writeCStr(buf, HEADER, pdu.serviceType);
  buf[o++] = pdu.sourceTon;
  buf[o++] = pdu.sourceNpi;
  o = writeCStr(buf, o, pdu.sourceAddr);
  buf[o++] = pdu.destTon;
  buf[o++] = pdu.destNpi;
  o = writeCStr(buf, o, pdu.destAddr);
  buf[o++] = pdu.esmClass;
  buf[o++] = pdu.protocolId;
  buf[o++] = pdu.priority;
  o = writeCStr(buf, o, pdu.scheduleDeliveryTime);
  o = writeCStr(buf, o, pdu.validityPeriod);
  buf[o++] = pdu.registeredDelivery;
  buf[o++] = pdu.replaceIfPresent;
  buf[o++] = pdu.dataCoding;
  buf[o++] = pdu.smDefaultMsgId;
  buf[o++] = sm.length;
  o += sm.copy(buf, o);
  encodeTlvs(buf, o, pdu.tlvs);
  return buf;
}

// ---- encoding helpers ------------------------------------------------------------------------------------

/** Octets of a C-octet string (NUL included). @throws Error when over `max`, NUL included. */
function cstrLength(s: string, max: number, field: string): number {
  if (s.length >= max) throw new Error(`${field} is ${s.length} characters; at most ${max - 1}`);
  return s.length + 1;
}

/** Writes `s` as Latin-1 plus NUL at `o`; returns the offset after the NUL. */
function writeCStr(buf: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0xff) throw new Error(`character U+${c.toString(16)} not allowed in a C-octet string`);
    buf[o++] = c;
  }
  buf[o] = 0;
  return o + 1;
}

function tlvValueLength(n: number, tag: number): number {
  if (n > 0xffff) throw new Error(`TLV 0x${tag.toString(16)} value is ${n} octets; at most 65535`);
  return n;
}

/** Octets the TLVs take on the wire. */
function tlvsLength(t: Tlvs | undefined): number {
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

/** Writes the named TLVs in TLV_TAG order, then `other`; returns the offset after them. */
function encodeTlvs(buf: Buffer, o: number, t: Tlvs | undefined): number {
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
// decodePdu is synchronous and not re-entrant, so the cursor lives in module state: no reader object per PDU.

const EMPTY = Buffer.alloc(0);
let f: Buffer = EMPTY;
let p = 0;
let end = 0;
let cmdId = 0;
let seq = 0;

function fail(message: string, status: number): PduError {
  return new PduError(message, status, cmdId, seq, false);
}

function need(n: number): void {
  if (end - p < n) throw fail("PDU body truncated", STATUS.ESME_RINVCMDLEN);
}

function u8(): number {
  if (p >= end) throw fail("PDU body truncated", STATUS.ESME_RINVCMDLEN);
  return f[p++] as number;
}

/** A C-octet string of at most `max` octets, NUL included. */
function cstr(max: number, field: string): string {
  const start = p;
  const lim = Math.min(end, start + max);
  let i = start;
  while (i < lim && f[i] !== 0) i++;
  if (i >= lim) {
    throw fail(
      i >= end ? `${field} runs past the end of the PDU` : `${field} longer than ${max - 1} octets`,
      STATUS.ESME_RINVCMDLEN,
    );
  }
  p = i + 1;
  return i === start ? "" : f.toString("latin1", start, i);
}

/** Command names by command_id, for the commands Pdu models: the requests of RESPONSE_OF, their responses, generic_nack. */
const NAME = new Map<number, Pdu["command"]>(
  (["generic_nack", ...Object.keys(RESPONSE_OF), ...Object.values(RESPONSE_OF)] as Pdu["command"][]).map(
    (n) => [CMD[n], n],
  ),
);

/**
 * Decodes one frame (exactly command_length bytes). Strings are read as Latin-1; unknown TLVs land in
 * `tlvs.other`; a response with an empty body decodes with empty strings.
 *
 * @throws PduError, never anything else: ESME_RINVCMDID for a command the codec does not model (answer
 * generic_nack); ESME_RINVCMDLEN for a body too short or a C-octet string not terminated within its
 * maximum; ESME_RINVMSGLEN for an sm_length past the end; ESME_RINVTLVSTREAM / ESME_RINVTLVLEN for
 * malformed TLVs. All non-fatal: the frame boundary is intact.
 */
export function decodePdu(frame: Buffer): Pdu {
  cmdId = frame.length >= 8 ? frame.readUInt32BE(4) : 0;
  seq = frame.length >= HEADER ? frame.readUInt32BE(12) : 0;
  if (frame.length < HEADER || frame.readUInt32BE(0) !== frame.length) {
    throw fail("command_length does not match the frame", STATUS.ESME_RINVCMDLEN);
  }
  const name = NAME.get(cmdId);
  if (name === undefined) {
    const hex = cmdId.toString(16).padStart(8, "0");
    throw fail(`unsupported command_id 0x${hex}`, STATUS.ESME_RINVCMDID);
  }
  f = frame;
  p = HEADER;
  end = frame.length;
  const status = frame.readUInt32BE(8);
  try {
    switch (name) {
      case "submit_sm":
      case "deliver_sm":
        return decodeSm(name, status);
      case "submit_sm_resp":
      case "deliver_sm_resp":
        return {
          command: name,
          sequence: seq,
          status,
          messageId: end === p ? "" : cstr(CSTR_MAX.messageId, "message_id"),
        };
      case "bind_transmitter":
      case "bind_receiver":
      case "bind_transceiver": {
        const systemId = cstr(CSTR_MAX.systemId, "system_id");
        const password = cstr(CSTR_MAX.password, "password");
        const systemType = cstr(CSTR_MAX.systemType, "system_type");
        need(3);
        const interfaceVersion = f[p] as number;
        const addrTon = f[p + 1] as number;
        const addrNpi = f[p + 2] as number;
        p += 3;
        const addressRange = cstr(CSTR_MAX.addressRange, "address_range");
        return {
          command: name,
          sequence: seq,
          status,
          systemId,
          password,
          systemType,
          interfaceVersion,
          addrTon,
          addrNpi,
          addressRange,
        };
      }
      case "bind_transmitter_resp":
      case "bind_receiver_resp":
      case "bind_transceiver_resp": {
        const systemId = end === p ? "" : cstr(CSTR_MAX.systemId, "system_id");
        return { command: name, sequence: seq, status, systemId, tlvs: tlvs() };
      }
      default:
        return { command: name, sequence: seq, status };
    }
  } catch (e) {
    if (e instanceof PduError) throw e;
    // A bug in the codec must not escape as another kind of error into a socket handler.
    throw fail(`malformed PDU: ${e instanceof Error ? e.message : String(e)}`, STATUS.ESME_RSYSERR);
  } finally {
    f = EMPTY;
  }
}

/** The TLVs from the cursor to the end of the frame. */
function tlvs(): Tlvs {
  const t: Tlvs = {};
  while (p < end) {
    if (end - p < 4) throw fail("TLV header truncated", STATUS.ESME_RINVTLVSTREAM);
    const tag = f.readUInt16BE(p);
    const len = f.readUInt16BE(p + 2);
    const v = p + 4;
    p = v + len;
    if (p > end) throw fail(`TLV 0x${tag.toString(16)} runs past the end`, STATUS.ESME_RINVTLVSTREAM);
    switch (tag) {
      case TLV_TAG.sarMsgRefNum:
        t.sarMsgRefNum = f.readUInt16BE(v + fixed(len, 2));
        break;
      case TLV_TAG.sarTotalSegments:
        t.sarTotalSegments = f[v + fixed(len, 1)];
        break;
      case TLV_TAG.sarSegmentSeqnum:
        t.sarSegmentSeqnum = f[v + fixed(len, 1)];
        break;
      case TLV_TAG.messagePayload:
        t.messagePayload = copy(v, p);
        break;
      case TLV_TAG.receiptedMessageId: {
        // Tolerates a value without its NUL, as some SMSCs send it.
        const nul = f.indexOf(0, v);
        t.receiptedMessageId = f.toString("latin1", v, nul < 0 || nul > p ? p : nul);
        break;
      }
      case TLV_TAG.messageState:
        t.messageState = f[v + fixed(len, 1)];
        break;
      case TLV_TAG.userMessageReference:
        t.userMessageReference = f.readUInt16BE(v + fixed(len, 2));
        break;
      case TLV_TAG.moreMessagesToSend:
        t.moreMessagesToSend = f[v + fixed(len, 1)];
        break;
      case TLV_TAG.scInterfaceVersion:
        t.scInterfaceVersion = f[v + fixed(len, 1)];
        break;
      default:
        if (t.other === undefined) t.other = [];
        t.other.push({ tag, value: copy(v, p) });
    }
  }
  return t;
}

/** 0 when a fixed-size TLV has its size; throws ESME_RINVTLVLEN otherwise. */
function fixed(len: number, size: number): 0 {
  if (len !== size) throw fail(`TLV length ${len}, expected ${size}`, STATUS.ESME_RINVTLVLEN);
  return 0;
}

function copy(from: number, to: number): Buffer {
  const b = Buffer.allocUnsafe(to - from);
  f.copy(b, 0, from, to);
  return b;
}

function decodeSm(command: SmPdu["command"], status: number): SmPdu {
  const serviceType = cstr(CSTR_MAX.serviceType, "service_type");
  need(2);
  const sourceTon = f[p++] as number;
  const sourceNpi = f[p++] as number;
  const sourceAddr = cstr(CSTR_MAX.address, "source_addr");
  need(2);
  const destTon = f[p++] as number;
  const destNpi = f[p++] as number;
  const destAddr = cstr(CSTR_MAX.address, "destination_addr");
  need(3);
  const esmClass = f[p++] as number;
  const protocolId = f[p++] as number;
  const priority = f[p++] as number;
  const scheduleDeliveryTime = cstr(CSTR_MAX.time, "schedule_delivery_time");
  const validityPeriod = cstr(CSTR_MAX.time, "validity_period");
  need(4);
  const registeredDelivery = f[p++] as number;
  const replaceIfPresent = f[p++] as number;
  const dataCoding = f[p++] as number;
  const smDefaultMsgId = f[p++] as number;
  const smLength = u8();
  if (end - p < smLength) throw fail("sm_length runs past the end of the PDU", STATUS.ESME_RINVMSGLEN);
  const shortMessage = copy(p, p + smLength);
  p += smLength;
  return {
    command,
    sequence: seq,
    status,
    serviceType,
    sourceTon,
    sourceNpi,
    sourceAddr,
    destTon,
    destNpi,
    destAddr,
    esmClass,
    protocolId,
    priority,
    scheduleDeliveryTime,
    validityPeriod,
    registeredDelivery,
    replaceIfPresent,
    dataCoding,
    smDefaultMsgId,
    shortMessage,
    tlvs: tlvs(),
  };
}
