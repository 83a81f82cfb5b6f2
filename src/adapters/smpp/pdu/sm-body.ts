/**
 * A submit_sm or deliver_sm body with every field at its SMPP default, for building requests.
 */
import type { SmPdu } from "./pdu.js";

/** The body of a submit_sm or deliver_sm, without sequence and status. */
export type SmBody = Omit<SmPdu, "sequence" | "status">;

/**
 * A submit_sm or deliver_sm with every field at its SMPP default (empty strings, zero octets, TON 0 /
 * NPI 1, no TLVs) but those given.
 * @example smBody("deliver_sm", { sourceAddr: "8613812345678", destAddr: "1069012345", esmClass: 0x04 })
 */
export function smBody(command: SmPdu["command"], fields: Partial<Omit<SmBody, "command">>): SmBody {
  return {
    command,
    serviceType: "",
    sourceTon: 0,
    sourceNpi: 1,
    sourceAddr: "",
    destTon: 0,
    destNpi: 1,
    destAddr: "",
    esmClass: 0,
    protocolId: 0,
    priority: 0,
    scheduleDeliveryTime: "",
    validityPeriod: "",
    registeredDelivery: 0,
    replaceIfPresent: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    shortMessage: Buffer.alloc(0),
    tlvs: {},
    ...fields,
  };
}
