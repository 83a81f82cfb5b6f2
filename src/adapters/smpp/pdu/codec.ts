/**
 * SMPP 3.4 binary codec: one PDU value ⇄ one frame (header + body + TLVs). Encoding computes the length
 * first and writes into a single buffer; decoding walks the frame once and copies out what it keeps, so a
 * decoded PDU never holds on to the socket's buffers.
 *
 * This is the public entry; the bodies are in body-encode.ts and body-decode.ts, the TLVs in tlv.ts.
 */
import { decodeBody } from "./body-decode.js";
import {
  encodeBind,
  encodeBindResp,
  encodeCancelSm,
  encodeQuerySm,
  encodeQuerySmResp,
  encodeSm,
  encodeSmResp,
  encodeSubmitMulti,
  encodeSubmitMultiResp,
  header,
} from "./body-encode.js";
import { CMD, type Pdu, type PduBody, PduError, RESPONSE_OF, STATUS } from "./pdu.js";
import { HEADER } from "./wire.js";

export { CSTR_MAX } from "./wire.js";

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
    case "deliver_sm_resp":
      return encodeSmResp(pdu, sequence, status);
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      return encodeBind(pdu, sequence, status);
    case "bind_transmitter_resp":
    case "bind_receiver_resp":
    case "bind_transceiver_resp":
      return encodeBindResp(pdu, sequence, status);
    case "query_sm":
      return encodeQuerySm(pdu, sequence, status);
    case "query_sm_resp":
      return encodeQuerySmResp(pdu, sequence, status);
    case "cancel_sm":
      return encodeCancelSm(pdu, sequence, status);
    case "submit_multi":
      return encodeSubmitMulti(pdu, sequence, status);
    case "submit_multi_resp":
      return encodeSubmitMultiResp(pdu, sequence, status);
    default:
      return header(HEADER, pdu, sequence, status);
  }
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
  const cmdId = frame.length >= 8 ? frame.readUInt32BE(4) : 0;
  const seq = frame.length >= HEADER ? frame.readUInt32BE(12) : 0;
  if (frame.length < HEADER || frame.readUInt32BE(0) !== frame.length) {
    throw new PduError("command_length does not match the frame", STATUS.ESME_RINVCMDLEN, cmdId, seq, false);
  }
  const name = NAME.get(cmdId);
  if (name === undefined) {
    const hex = cmdId.toString(16).padStart(8, "0");
    throw new PduError(`unsupported command_id 0x${hex}`, STATUS.ESME_RINVCMDID, cmdId, seq, false);
  }
  return decodeBody(frame, name, cmdId, seq);
}
