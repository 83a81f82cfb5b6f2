/**
 * SMPP 3.4 PDUs as plain TypeScript values. The codec (codec.ts) turns them into bytes and back; the
 * session (../session.ts) frames, windows and batches them on a socket.
 */

/** command_id values anning speaks (SMPP 3.4 §5.1.2.1). */
export const CMD = {
  generic_nack: 0x80000000,
  bind_receiver: 0x00000001,
  bind_receiver_resp: 0x80000001,
  bind_transmitter: 0x00000002,
  bind_transmitter_resp: 0x80000002,
  query_sm: 0x00000003,
  query_sm_resp: 0x80000003,
  submit_sm: 0x00000004,
  submit_sm_resp: 0x80000004,
  deliver_sm: 0x00000005,
  deliver_sm_resp: 0x80000005,
  unbind: 0x00000006,
  unbind_resp: 0x80000006,
  replace_sm: 0x00000007,
  replace_sm_resp: 0x80000007,
  cancel_sm: 0x00000008,
  cancel_sm_resp: 0x80000008,
  bind_transceiver: 0x00000009,
  bind_transceiver_resp: 0x80000009,
  outbind: 0x0000000b,
  enquire_link: 0x00000015,
  enquire_link_resp: 0x80000015,
  submit_multi: 0x00000021,
  submit_multi_resp: 0x80000021,
  alert_notification: 0x00000102,
  data_sm: 0x00000103,
  data_sm_resp: 0x80000103,
} as const;

export type CommandName = keyof typeof CMD;

/** Standard command_status values anning uses (SMPP 3.4 §5.1.3). */
export const STATUS = {
  ESME_ROK: 0x00,
  ESME_RINVMSGLEN: 0x01,
  ESME_RINVCMDLEN: 0x02,
  ESME_RINVCMDID: 0x03,
  ESME_RINVBNDSTS: 0x04,
  ESME_RALYBND: 0x05,
  ESME_RSYSERR: 0x08,
  ESME_RINVSRCADR: 0x0a,
  ESME_RINVDSTADR: 0x0b,
  ESME_RINVMSGID: 0x0c,
  ESME_RBINDFAIL: 0x0d,
  ESME_RINVPASWD: 0x0e,
  ESME_RINVSYSID: 0x0f,
  ESME_RCANCELFAIL: 0x11,
  ESME_RMSGQFUL: 0x14,
  ESME_RINVSERTYP: 0x15,
  ESME_RINVNUMDESTS: 0x33,
  ESME_RINVDLNAME: 0x34,
  ESME_RINVDESTFLAG: 0x40,
  ESME_RINVESMCLASS: 0x43,
  ESME_RINVDCS: 0x104,
  ESME_RTHROTTLED: 0x58,
  ESME_RINVSCHED: 0x61,
  ESME_RINVEXPIRY: 0x62,
  ESME_RQUERYFAIL: 0x67,
  ESME_RX_T_APPN: 0x64,
  ESME_RINVTLVSTREAM: 0xc0,
  ESME_RINVTLVLEN: 0xc2,
  ESME_RINVOPTPARAMVAL: 0xc4,
  ESME_RUNKNOWNERR: 0xff,
} as const;

/** Optional parameters (TLVs) anning reads and writes by name; any other tag is kept in `other`. */
export interface Tlvs {
  /** 0x020C, 2 octets. */
  sarMsgRefNum?: number;
  /** 0x020E, 1 octet. */
  sarTotalSegments?: number;
  /** 0x020F, 1 octet. */
  sarSegmentSeqnum?: number;
  /** 0x0424, any length; replaces short_message when present. */
  messagePayload?: Buffer;
  /** 0x001E, C-octet string (NUL-terminated on the wire). */
  receiptedMessageId?: string;
  /** 0x0427, 1 octet (1 ENROUTE, 2 DELIVERED, 3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE, 6 ACCEPTED, 7 UNKNOWN, 8 REJECTED). */
  messageState?: number;
  /** 0x0204, 2 octets. */
  userMessageReference?: number;
  /** 0x0426, 1 octet. */
  moreMessagesToSend?: number;
  /** 0x0210, 1 octet (in bind responses). */
  scInterfaceVersion?: number;
  /** Every other TLV, raw, in wire order. */
  other?: Array<{ tag: number; value: Buffer }>;
}

export const TLV_TAG = {
  sarMsgRefNum: 0x020c,
  sarTotalSegments: 0x020e,
  sarSegmentSeqnum: 0x020f,
  messagePayload: 0x0424,
  receiptedMessageId: 0x001e,
  messageState: 0x0427,
  userMessageReference: 0x0204,
  moreMessagesToSend: 0x0426,
  scInterfaceVersion: 0x0210,
} as const;

/** message_state values (SMPP 3.4 §5.2.28). */
export const MESSAGE_STATE = {
  ENROUTE: 1,
  DELIVERED: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIVERABLE: 5,
  ACCEPTED: 6,
  UNKNOWN: 7,
  REJECTED: 8,
} as const;

/** The header fields a PDU value carries (command_length and command_id follow from its command). */
export interface Header {
  sequence: number;
  /** command_status; 0 in requests. */
  status: number;
}

export interface BindPdu extends Header {
  command: "bind_transmitter" | "bind_receiver" | "bind_transceiver";
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

export interface BindRespPdu extends Header {
  command: "bind_transmitter_resp" | "bind_receiver_resp" | "bind_transceiver_resp";
  systemId: string;
  tlvs: Tlvs;
}

/** submit_sm and deliver_sm share one body (SMPP 3.4 §4.4.1, §4.6.1). */
export interface SmPdu extends Header {
  command: "submit_sm" | "deliver_sm";
  serviceType: string;
  sourceTon: number;
  sourceNpi: number;
  sourceAddr: string;
  destTon: number;
  destNpi: number;
  destAddr: string;
  esmClass: number;
  protocolId: number;
  priority: number;
  scheduleDeliveryTime: string;
  validityPeriod: string;
  registeredDelivery: number;
  replaceIfPresent: number;
  dataCoding: number;
  smDefaultMsgId: number;
  /** Raw short_message octets (UDH included when esm_class has 0x40). */
  shortMessage: Buffer;
  tlvs: Tlvs;
}

export interface SmRespPdu extends Header {
  command: "submit_sm_resp" | "deliver_sm_resp";
  /** Empty in a refused submit_sm_resp and in deliver_sm_resp. */
  messageId: string;
}

/** query_sm (SMPP 3.4 §4.8.1): the state of a message the SMSC gave an id. */
export interface QuerySmPdu extends Header {
  command: "query_sm";
  messageId: string;
  sourceTon: number;
  sourceNpi: number;
  sourceAddr: string;
}

/** query_sm_resp (§4.8.2). A refused one (status ≠ 0) is a bare header. */
export interface QuerySmRespPdu extends Header {
  command: "query_sm_resp";
  messageId: string;
  /** SMPP absolute time (§7.1.1) the message reached its final state; empty while it has not. */
  finalDate: string;
  /** One of {@link MESSAGE_STATE}; error_code: a network error code, 0 when none. */
  messageState: number;
  errorCode: number;
}

/** cancel_sm (§4.9.1); its answer, cancel_sm_resp, has no body. */
export interface CancelSmPdu extends Header {
  command: "cancel_sm";
  serviceType: string;
  /** Empty: cancel every message from source_addr to destination_addr (of service_type). */
  messageId: string;
  sourceTon: number;
  sourceNpi: number;
  sourceAddr: string;
  destTon: number;
  destNpi: number;
  destAddr: string;
}

/** One destination of a submit_multi (§4.5.1.1): an SME address (dest_flag 1) or a distribution list (2). */
export type MultiDest =
  | { kind: "sme"; ton: number; npi: number; addr: string }
  | { kind: "list"; name: string };

/** submit_multi (§4.5.1): the body of a submit_sm with 1–254 destinations in place of one. */
export type SubmitMultiPdu = Omit<SmPdu, "command" | "destTon" | "destNpi" | "destAddr"> & {
  command: "submit_multi";
  dests: MultiDest[];
};

/** A destination a submit_multi did not take, as submit_multi_resp lists it (§4.5.2). */
export interface UnsuccessSme {
  ton: number;
  npi: number;
  addr: string;
  /** The command_status a submit_sm to it alone would have had. */
  status: number;
}

/** submit_multi_resp (§4.5.2); message_id is empty when no destination was taken. */
export interface SubmitMultiRespPdu extends Header {
  command: "submit_multi_resp";
  messageId: string;
  unsuccess: UnsuccessSme[];
}

/** PDUs with a header and no body. */
export interface BarePdu extends Header {
  command:
    | "enquire_link"
    | "enquire_link_resp"
    | "unbind"
    | "unbind_resp"
    | "generic_nack"
    | "cancel_sm_resp";
}

/** The message operations besides submit_sm: query_sm, cancel_sm, submit_multi and their answers. */
type OperationPdu = QuerySmPdu | QuerySmRespPdu | CancelSmPdu | SubmitMultiPdu | SubmitMultiRespPdu;

export type Pdu = BindPdu | BindRespPdu | SmPdu | SmRespPdu | BarePdu | OperationPdu;

/** Omit over each member of a union (plain Omit would collapse the union to its common keys). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A PDU without its header's sequence and status (what a session's request or response carries). */
export type PduBody<P extends Pdu = Pdu> = DistributiveOmit<P, "sequence" | "status">;

/** A request PDU anning may receive or send, and the response command that answers it. */
export const RESPONSE_OF = {
  bind_transmitter: "bind_transmitter_resp",
  bind_receiver: "bind_receiver_resp",
  bind_transceiver: "bind_transceiver_resp",
  submit_sm: "submit_sm_resp",
  submit_multi: "submit_multi_resp",
  query_sm: "query_sm_resp",
  cancel_sm: "cancel_sm_resp",
  deliver_sm: "deliver_sm_resp",
  enquire_link: "enquire_link_resp",
  unbind: "unbind_resp",
} as const;

/** Whether a command_id is a response (its high bit is set). */
export function isResponseId(commandId: number): boolean {
  return (commandId & 0x80000000) !== 0;
}

/**
 * A PDU that could not be decoded. `fatal` means the stream cannot be trusted any more (framing is lost:
 * the connection must close); otherwise answer generic_nack (or the request's response) with `status`
 * and the given sequence number.
 */
export class PduError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly commandId: number,
    readonly sequence: number,
    readonly fatal: boolean,
  ) {
    super(message);
    this.name = "PduError";
  }
}
