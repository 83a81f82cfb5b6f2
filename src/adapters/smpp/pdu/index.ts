/** SMPP 3.4 PDUs: types, binary codec, stream framer, text codings, concatenation, delivery receipts. */
export { CSTR_MAX, decodePdu, encodePdu, encodePduAs, readHeader } from "./codec.js";
export { type ConcatInfo, readUdh, type SmsPart, splitText, type Udh } from "./concat.js";
export { PduFramer } from "./framer.js";
export {
  type BarePdu,
  type BindPdu,
  type BindRespPdu,
  type CancelSmPdu,
  CMD,
  type CommandName,
  type DistributiveOmit,
  isResponseId,
  MESSAGE_STATE,
  type MultiDest,
  type Pdu,
  type PduBody,
  PduError,
  type QuerySmPdu,
  type QuerySmRespPdu,
  RESPONSE_OF,
  type SmPdu,
  type SmRespPdu,
  STATUS,
  type SubmitMultiPdu,
  type SubmitMultiRespPdu,
  TLV_TAG,
  type Tlvs,
  type UnsuccessSme,
} from "./pdu.js";
export {
  formatReceipt,
  type ParsedReceipt,
  parseReceipt,
  type ReceiptInput,
  type ReceiptStat,
} from "./receipt.js";
export { type SmBody, smBody } from "./sm-body.js";
export { decodeText, encodeGsm, encodeText, encodeUcs2, isWholeText } from "./text.js";
