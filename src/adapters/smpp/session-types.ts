/** The public types of an SMPP session (see session.ts). */
import type { Pdu, PduBody, PduError } from "./pdu/pdu.js";

/** A PDU to send as a request: the session assigns the sequence number, status is 0. */
export type RequestPdu = PduBody;

/** A response to send: the session copies the request's sequence number; status defaults to 0. */
export type ResponseInit = PduBody & { status?: number };

/** Tuning and logging for a session. */
export interface SessionOptions {
  /** Max outstanding requests we sent awaiting responses (default 10); extra requests queue FIFO. */
  window?: number;
  /**
   * Default 10_000; the request's promise rejects with SessionTimeoutError. Also how long an unbind, sent
   * or received, waits for the requests taken from the peer to be answered.
   */
  responseTimeoutMs?: number;
  /** Send enquire_link when nothing was received for this long; 0 = off; default 30_000. */
  enquireLinkMs?: number;
  /** Destroy the session when nothing was received for this long; 0 = off; default 0. */
  inactivityMs?: number;
  /** Largest command_length accepted; default 65_536. */
  maxPduBytes?: number;
  log?: { warn(o: object, msg: string): void; debug?(o: object, msg: string): void };
}

/** Events of SmppSession. */
export interface SessionEvents {
  /**
   * Every incoming request except enquire_link and unbind, which the session answers itself, until an
   * unbind is sent or received: later requests are answered by the session (see session-unbind.ts).
   * Each must be answered with respond(): an unbind waits for it (at most responseTimeoutMs).
   */
  request: [pdu: Pdu];
  /**
   * The peer sent unbind: the session takes no more requests, answers unbind_resp once the requests it
   * took are answered (at most responseTimeoutMs), then closes.
   */
  unbind: [];
  /** Exactly once, when the session closes for whatever reason. */
  close: [reason: string];
  /** A PDU that could not be decoded, for logging; the session already answered or dropped it. */
  protocolError: [err: PduError];
}
