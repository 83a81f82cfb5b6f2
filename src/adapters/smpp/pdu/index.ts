/** SMPP 3.4 PDUs: types, binary codec, stream framer, text codings, concatenation, delivery receipts. */
export { CSTR_MAX, decodePdu, encodePdu, encodePduAs, readHeader } from "./codec.js";
export { type ConcatInfo, readUdh, type SmsPart, splitText, type Udh } from "./concat.js";
export { PduFramer } from "./framer.js";
export {
  type BarePdu,
  type BindPdu,
  type BindRespPdu,
  CMD,
  type CommandName,
  type DistributiveOmit,
  isResponseId,
  MESSAGE_STATE,
  type Pdu,
  type PduBody,
  PduError,
  RESPONSE_OF,
  type SmBody,
  type SmPdu,
  type SmRespPdu,
  STATUS,
  smBody,
  TLV_TAG,
  type Tlvs,
} from "./pdu.js";
export {
  formatReceipt,
  type ParsedReceipt,
  parseReceipt,
  type ReceiptInput,
  type ReceiptStat,
} from "./receipt.js";
export { decodeText, encodeGsm, encodeText, encodeUcs2 } from "./text.js";
