import { expect } from "vitest";
import { decodePdu } from "../adapters/smpp/pdu/codec.js";
import { PduError } from "../adapters/smpp/pdu/pdu.js";

/** A frame with a correct header around `body`, for decoding tests. */
export function frame(commandId: number, body: Buffer | number[], sequence = 9, status = 0): Buffer {
  const b = Buffer.from(body);
  const h = Buffer.alloc(16);
  h.writeUInt32BE(16 + b.length, 0);
  h.writeUInt32BE(commandId, 4);
  h.writeUInt32BE(status, 8);
  h.writeUInt32BE(sequence, 12);
  return Buffer.concat([h, b]);
}

/** The PduError decoding `buf` throws (fails the test when it decodes). */
export function decodeError(buf: Buffer): PduError {
  try {
    decodePdu(buf);
  } catch (e) {
    expect(e).toBeInstanceOf(PduError);
    return e as PduError;
  }
  throw new Error("decodePdu did not throw");
}
