/**
 * Per-command body decoders: walk a frame once from the end of its header and copy out what the PDU
 * keeps. decodeBody is synchronous and not re-entrant, so the cursor lives in module state: no reader
 * object per PDU.
 */
import {
  type BindPdu,
  type CancelSmPdu,
  type MultiDest,
  type Pdu,
  PduError,
  type QuerySmPdu,
  type QuerySmRespPdu,
  type SmPdu,
  STATUS,
  type SubmitMultiPdu,
  type SubmitMultiRespPdu,
  type UnsuccessSme,
} from "./pdu.js";
import { decodeTlvs } from "./tlv.js";
import { CSTR_MAX, copyOut, HEADER } from "./wire.js";

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

/**
 * The PDU in `frame`, whose header decodePdu has checked: command_length matches, `name` is the command
 * of `commandId`. Same errors as decodePdu; anything else thrown while decoding becomes ESME_RSYSERR.
 */
export function decodeBody(frame: Buffer, name: Pdu["command"], commandId: number, sequence: number): Pdu {
  cmdId = commandId;
  seq = sequence;
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
      case "bind_transceiver":
        return decodeBind(name, status);
      case "query_sm":
        return decodeQuerySm(status);
      case "query_sm_resp":
        return decodeQuerySmResp(status);
      case "cancel_sm":
        return decodeCancelSm(status);
      case "submit_multi":
        return decodeSubmitMulti(status);
      case "submit_multi_resp":
        return decodeSubmitMultiResp(status);
      case "bind_transmitter_resp":
      case "bind_receiver_resp":
      case "bind_transceiver_resp": {
        const systemId = end === p ? "" : cstr(CSTR_MAX.systemId, "system_id");
        return { command: name, sequence: seq, status, systemId, tlvs: decodeTlvs(f, p, end, cmdId, seq) };
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

function decodeBind(command: BindPdu["command"], status: number): BindPdu {
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
    command,
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

/** An address: TON, NPI and the C-octet string (`field` names it in errors). */
function address(field: string): { ton: number; npi: number; addr: string } {
  need(2);
  const ton = f[p++] as number;
  const npi = f[p++] as number;
  return { ton, npi, addr: cstr(CSTR_MAX.address, field) };
}

/** What follows the destination in submit_sm, deliver_sm and submit_multi: esm_class to the TLVs. */
function smTail() {
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
  const shortMessage = copyOut(f, p, p + smLength);
  p += smLength;
  return {
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
    tlvs: decodeTlvs(f, p, end, cmdId, seq),
  };
}

function decodeSm(command: SmPdu["command"], status: number): SmPdu {
  const serviceType = cstr(CSTR_MAX.serviceType, "service_type");
  const src = address("source_addr");
  const dst = address("destination_addr");
  return {
    command,
    sequence: seq,
    status,
    serviceType,
    sourceTon: src.ton,
    sourceNpi: src.npi,
    sourceAddr: src.addr,
    destTon: dst.ton,
    destNpi: dst.npi,
    destAddr: dst.addr,
    ...smTail(),
  };
}

function decodeQuerySm(status: number): QuerySmPdu {
  const messageId = cstr(CSTR_MAX.messageId, "message_id");
  const src = address("source_addr");
  return {
    command: "query_sm",
    sequence: seq,
    status,
    messageId,
    sourceTon: src.ton,
    sourceNpi: src.npi,
    sourceAddr: src.addr,
  };
}

/** A refused query_sm_resp may come as a bare header: it decodes with empty fields. */
function decodeQuerySmResp(status: number): QuerySmRespPdu {
  const base = { command: "query_sm_resp" as const, sequence: seq, status };
  if (end === p) return { ...base, messageId: "", finalDate: "", messageState: 0, errorCode: 0 };
  const messageId = cstr(CSTR_MAX.messageId, "message_id");
  const finalDate = cstr(CSTR_MAX.time, "final_date");
  need(2);
  const messageState = f[p++] as number;
  const errorCode = f[p++] as number;
  return { ...base, messageId, finalDate, messageState, errorCode };
}

function decodeCancelSm(status: number): CancelSmPdu {
  const serviceType = cstr(CSTR_MAX.serviceType, "service_type");
  const messageId = cstr(CSTR_MAX.messageId, "message_id");
  const src = address("source_addr");
  const dst = address("destination_addr");
  return {
    command: "cancel_sm",
    sequence: seq,
    status,
    serviceType,
    messageId,
    sourceTon: src.ton,
    sourceNpi: src.npi,
    sourceAddr: src.addr,
    destTon: dst.ton,
    destNpi: dst.npi,
    destAddr: dst.addr,
  };
}

/** At most 254 destinations (§4.5.1); each an SME address (dest_flag 1) or a distribution list name (2). */
function decodeSubmitMulti(status: number): SubmitMultiPdu {
  const serviceType = cstr(CSTR_MAX.serviceType, "service_type");
  const src = address("source_addr");
  const n = u8();
  if (n === 0 || n > 254) throw fail(`number_of_dests ${n}: 1–254`, STATUS.ESME_RINVNUMDESTS);
  const dests: MultiDest[] = [];
  for (let i = 0; i < n; i++) {
    const flag = u8();
    if (flag === 1) dests.push({ kind: "sme", ...address("destination_addr") });
    else if (flag === 2) dests.push({ kind: "list", name: cstr(CSTR_MAX.dlName, "dl_name") });
    else throw fail(`dest_flag ${flag}`, STATUS.ESME_RINVDESTFLAG);
  }
  return {
    command: "submit_multi",
    sequence: seq,
    status,
    serviceType,
    sourceTon: src.ton,
    sourceNpi: src.npi,
    sourceAddr: src.addr,
    dests,
    ...smTail(),
  };
}

/** A refused submit_multi_resp may come as a bare header: it decodes with no id and no list. */
function decodeSubmitMultiResp(status: number): SubmitMultiRespPdu {
  const base = { command: "submit_multi_resp" as const, sequence: seq, status };
  if (end === p) return { ...base, messageId: "", unsuccess: [] };
  const messageId = cstr(CSTR_MAX.messageId, "message_id");
  const n = end === p ? 0 : u8();
  const unsuccess: UnsuccessSme[] = [];
  for (let i = 0; i < n; i++) {
    const a = address("destination_addr");
    need(4);
    const st = f.readUInt32BE(p);
    p += 4;
    unsuccess.push({ ton: a.ton, npi: a.npi, addr: a.addr, status: st });
  }
  return { ...base, messageId, unsuccess };
}
