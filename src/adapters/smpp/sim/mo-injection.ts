/** Mobile-originated messages of the SMSC simulator: what to inject, and the deliver_sm that carries it. */
import { encodeText } from "../pdu/index.js";
import type { DeliverSm } from "./delivery-router.js";

const MAX_SHORT_MESSAGE = 254;

/** A mobile-originated message to inject. */
export interface MoInput {
  from: string;
  to: string;
  text: string;
  /** Only a bind with this system_id may take it; default any receiver or transceiver. */
  systemId?: string;
}

/**
 * The deliver_sm (esm_class 0) carrying a mobile-originated message: GSM when every character allows,
 * else UCS2; message_payload carries texts longer than 254 octets.
 */
export function moPdu(mo: MoInput): DeliverSm {
  const { dataCoding, bytes } = encodeText(mo.text);
  const long = bytes.length > MAX_SHORT_MESSAGE;
  return {
    command: "deliver_sm",
    serviceType: "",
    sourceTon: 0,
    sourceNpi: 1,
    sourceAddr: mo.from,
    destTon: 0,
    destNpi: 1,
    destAddr: mo.to,
    esmClass: 0x00,
    protocolId: 0,
    priority: 0,
    scheduleDeliveryTime: "",
    validityPeriod: "",
    registeredDelivery: 0,
    replaceIfPresent: 0,
    dataCoding,
    smDefaultMsgId: 0,
    shortMessage: long ? Buffer.alloc(0) : bytes,
    tlvs: long ? { messagePayload: bytes } : {},
  };
}
