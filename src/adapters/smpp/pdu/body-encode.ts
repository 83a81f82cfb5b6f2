/**
 * Per-command body encoders. Each computes the frame's length first, then writes header, body and TLVs
 * into one buffer of exactly that size. The errors are those documented on encodePdu.
 */
import {
  type BindPdu,
  type BindRespPdu,
  type CancelSmPdu,
  CMD,
  type PduBody,
  type QuerySmPdu,
  type QuerySmRespPdu,
  type SmPdu,
  type SmRespPdu,
  type SubmitMultiPdu,
  type SubmitMultiRespPdu,
} from "./pdu.js";
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

/** The fields from esm_class to the TLVs, shared by submit_sm, deliver_sm and submit_multi. */
type SmTail = Pick<
  SmPdu,
  | "esmClass"
  | "protocolId"
  | "priority"
  | "scheduleDeliveryTime"
  | "validityPeriod"
  | "registeredDelivery"
  | "replaceIfPresent"
  | "dataCoding"
  | "smDefaultMsgId"
  | "shortMessage"
  | "tlvs"
>;

/** Octets of the fields from esm_class on. @throws Error when short_message is over 254 octets. */
function smTailLength(pdu: SmTail): number {
  const sm = pdu.shortMessage;
  if (sm.length > 254) {
    throw new Error(`short_message is ${sm.length} octets; at most 254 (use tlvs.messagePayload)`);
  }
  return (
    3 +
    cstrLength(pdu.scheduleDeliveryTime, CSTR_MAX.time, "schedule_delivery_time") +
    cstrLength(pdu.validityPeriod, CSTR_MAX.time, "validity_period") +
    5 +
    sm.length +
    tlvsLength(pdu.tlvs)
  );
}

function writeSmTail(buf: Buffer, at: number, pdu: SmTail): void {
  let o = at;
  buf[o++] = pdu.esmClass;
  buf[o++] = pdu.protocolId;
  buf[o++] = pdu.priority;
  o = writeCStr(buf, o, pdu.scheduleDeliveryTime);
  o = writeCStr(buf, o, pdu.validityPeriod);
  buf[o++] = pdu.registeredDelivery;
  buf[o++] = pdu.replaceIfPresent;
  buf[o++] = pdu.dataCoding;
  buf[o++] = pdu.smDefaultMsgId;
  buf[o++] = pdu.shortMessage.length;
  o += pdu.shortMessage.copy(buf, o);
  encodeTlvs(buf, o, pdu.tlvs);
}

/** Writes TON, NPI and the address at `o`; returns the offset after it. */
function writeAddress(buf: Buffer, o: number, ton: number, npi: number, addr: string): number {
  buf[o] = ton;
  buf[o + 1] = npi;
  return writeCStr(buf, o + 2, addr);
}

const addressLength = (addr: string, field: string) => 2 + cstrLength(addr, CSTR_MAX.address, field);

/** submit_sm / deliver_sm. */
export function encodeSm(pdu: PduBody<SmPdu>, sequence: number, status: number): Buffer {
  const len =
    HEADER +
    cstrLength(pdu.serviceType, CSTR_MAX.serviceType, "service_type") +
    addressLength(pdu.sourceAddr, "source_addr") +
    addressLength(pdu.destAddr, "destination_addr") +
    smTailLength(pdu);
  const buf = header(len, pdu, sequence, status);
  let o = writeCStr(buf, HEADER, pdu.serviceType);
  o = writeAddress(buf, o, pdu.sourceTon, pdu.sourceNpi, pdu.sourceAddr);
  o = writeAddress(buf, o, pdu.destTon, pdu.destNpi, pdu.destAddr);
  writeSmTail(buf, o, pdu);
  return buf;
}

/** submit_multi. @throws Error for no destination or more than 254, besides encodeSm's. */
export function encodeSubmitMulti(pdu: PduBody<SubmitMultiPdu>, sequence: number, status: number): Buffer {
  if (pdu.dests.length < 1 || pdu.dests.length > 254)
    throw new Error(`submit_multi has ${pdu.dests.length} destinations; 1–254`);
  let len =
    HEADER +
    cstrLength(pdu.serviceType, CSTR_MAX.serviceType, "service_type") +
    addressLength(pdu.sourceAddr, "source_addr") +
    1 +
    smTailLength(pdu);
  for (const d of pdu.dests)
    len +=
      1 +
      (d.kind === "sme"
        ? addressLength(d.addr, "destination_addr")
        : cstrLength(d.name, CSTR_MAX.dlName, "dl_name"));
  const buf = header(len, pdu, sequence, status);
  let o = writeCStr(buf, HEADER, pdu.serviceType);
  o = writeAddress(buf, o, pdu.sourceTon, pdu.sourceNpi, pdu.sourceAddr);
  buf[o++] = pdu.dests.length;
  for (const d of pdu.dests) {
    buf[o++] = d.kind === "sme" ? 1 : 2;
    o = d.kind === "sme" ? writeAddress(buf, o, d.ton, d.npi, d.addr) : writeCStr(buf, o, d.name);
  }
  writeSmTail(buf, o, pdu);
  return buf;
}

/** submit_multi_resp: message_id and the destinations not taken, each with its status. */
export function encodeSubmitMultiResp(
  pdu: PduBody<SubmitMultiRespPdu>,
  sequence: number,
  status: number,
): Buffer {
  if (pdu.unsuccess.length > 254) throw new Error(`${pdu.unsuccess.length} unsuccess_sme; at most 254`);
  let len = HEADER + cstrLength(pdu.messageId, CSTR_MAX.messageId, "message_id") + 1;
  for (const u of pdu.unsuccess) len += addressLength(u.addr, "destination_addr") + 4;
  const buf = header(len, pdu, sequence, status);
  let o = writeCStr(buf, HEADER, pdu.messageId);
  buf[o++] = pdu.unsuccess.length;
  for (const u of pdu.unsuccess) {
    o = writeAddress(buf, o, u.ton, u.npi, u.addr);
    buf.writeUInt32BE(u.status >>> 0, o);
    o += 4;
  }
  return buf;
}

/** query_sm. */
export function encodeQuerySm(pdu: PduBody<QuerySmPdu>, sequence: number, status: number): Buffer {
  const len =
    HEADER +
    cstrLength(pdu.messageId, CSTR_MAX.messageId, "message_id") +
    addressLength(pdu.sourceAddr, "source_addr");
  const buf = header(len, pdu, sequence, status);
  writeAddress(buf, writeCStr(buf, HEADER, pdu.messageId), pdu.sourceTon, pdu.sourceNpi, pdu.sourceAddr);
  return buf;
}

/** query_sm_resp. A refused one (status ≠ 0) is a bare header, as a refused submit_sm_resp. */
export function encodeQuerySmResp(pdu: PduBody<QuerySmRespPdu>, sequence: number, status: number): Buffer {
  if (status !== 0) return header(HEADER, pdu, sequence, status);
  const len =
    HEADER +
    cstrLength(pdu.messageId, CSTR_MAX.messageId, "message_id") +
    cstrLength(pdu.finalDate, CSTR_MAX.time, "final_date") +
    2;
  const buf = header(len, pdu, sequence, status);
  const o = writeCStr(buf, writeCStr(buf, HEADER, pdu.messageId), pdu.finalDate);
  buf[o] = pdu.messageState;
  buf[o + 1] = pdu.errorCode;
  return buf;
}

/** cancel_sm. */
export function encodeCancelSm(pdu: PduBody<CancelSmPdu>, sequence: number, status: number): Buffer {
  const len =
    HEADER +
    cstrLength(pdu.serviceType, CSTR_MAX.serviceType, "service_type") +
    cstrLength(pdu.messageId, CSTR_MAX.messageId, "message_id") +
    addressLength(pdu.sourceAddr, "source_addr") +
    addressLength(pdu.destAddr, "destination_addr");
  const buf = header(len, pdu, sequence, status);
  let o = writeCStr(buf, HEADER, pdu.serviceType);
  o = writeCStr(buf, o, pdu.messageId);
  o = writeAddress(buf, o, pdu.sourceTon, pdu.sourceNpi, pdu.sourceAddr);
  writeAddress(buf, o, pdu.destTon, pdu.destNpi, pdu.destAddr);
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
