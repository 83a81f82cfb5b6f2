/**
 * Per-command body encoders. Each computes the frame's length first, then writes header, body and TLVs
 * into one buffer of exactly that size. The errors are those documented on encodePdu.
 */
import { type BindPdu, type BindRespPdu, CMD, type PduBody, type SmPdu, type SmRespPdu } from "./pdu.js";
import { encodeTlvs, tlvsLength } from "./tlv.js";
import { CSTR_MAX, cstrLength, HEADER, writeCStr } from "./wire.js";

/** A buffer of `len` octets with the header written; a whole frame when `len` is HEADER. */
export function header(len: number, pdu: PduBody, sequence: number, status: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  buf.writeUInt32BE(len, 0);
  buf.writeUInt32BE(CMD[pdu.command], 4);
  buf.writeUInt32BE(status >>> 0, 8);
  buf.writeUInt32BE(sequence >>> 0, 12);
  return buf;
}

/** submit_sm / deliver_sm. */
export function encodeSm(pdu: PduBody<SmPdu>, sequence: number, status: number): Buffer {
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

/** submit_sm_resp / deliver_sm_resp. A refused submit_sm_resp (status ≠ 0) is a bare header (SMPP 3.4 §4.4.2). */
export function encodeSmResp(pdu: PduBody<SmRespPdu>, sequence: number, status: number): Buffer {
  if (status !== 0 && pdu.command === "submit_sm_resp") return header(HEADER, pdu, sequence, status);
  const len = HEADER + cstrLength(pdu.messageId, CSTR_MAX.messageId, "message_id");
  const buf = header(len, pdu, sequence, status);
  writeCStr(buf, HEADER, pdu.messageId);
  return buf;
}

/** bind_transmitter / bind_receiver / bind_transceiver. */
export function encodeBind(pdu: PduBody<BindPdu>, sequence: number, status: number): Buffer {
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

/** bind_transmitter_resp / bind_receiver_resp / bind_transceiver_resp. */
export function encodeBindResp(pdu: PduBody<BindRespPdu>, sequence: number, status: number): Buffer {
  const len = HEADER + cstrLength(pdu.systemId, CSTR_MAX.systemId, "system_id") + tlvsLength(pdu.tlvs);
  const buf = header(len, pdu, sequence, status);
  encodeTlvs(buf, writeCStr(buf, HEADER, pdu.systemId), pdu.tlvs);
  return buf;
}
