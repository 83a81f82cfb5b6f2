import { isTimeZone } from "../../../domain/policy/local-time.js";
import { DEFAULT_POLICY } from "../../../domain/policy/policy.js";

/**
 * Settings and public record shapes of the bundled SMSC simulator (the carrier side anning binds to as
 * an ESME in demos, tests and benchmarks).
 */

/** How message ids are written: upper-case hex padded to 8 digits ("0001A2F3"), or plain decimal. */
export type IdFormat = "hex" | "decimal";

/**
 * How the `id:` field of a receipt's text writes the message id: as in submit_sm_resp, as decimal, or as
 * lower-case hex. Real carriers disagree here; the ESME must match all three.
 */
export type ReceiptIdForm = "same" | "decimal" | "lowerhex";

/** The outcome the simulator reports in a delivery receipt. */
export type ReceiptStat = "DELIVRD" | "UNDELIV" | "EXPIRED";

/** Minimal structured logger (pino and anning's Logger port both fit). */
export interface SimLog {
  info?(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Options of {@link SmscSimulator.start}. */
export interface SimOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** SMPP port; 0 takes a free one. */
  port: number;
  /** When set together with `password`, binds must present these credentials; otherwise any bind succeeds. */
  systemId?: string;
  /** When set, binds must match (ESME_RINVSYSID / ESME_RINVPASWD otherwise). */
  password?: string;
  /** Delay between submit_sm_resp and the delivery receipt; default 100 ms. */
  receiptDelayMs?: number;
  /** Delay before each submit_sm_resp; default 0 (answered at once). */
  latencyMs?: number;
  /** Share (0..1) of accepted messages whose receipt says UNDELIV (err 001); default 0. */
  failRatio?: number;
  /** Share (0..1) of accepted messages whose receipt says EXPIRED; default 0. */
  expireRatio?: number;
  /** Share (0..1) of submit_sm refused with 0x45 ESME_RSUBMITFAIL; default 0. */
  rejectRatio?: number;
  /** Destination suffixes that always get an UNDELIV receipt (a deterministic test hook), e.g. ["0000"]. */
  failDestinations?: string[];
  /** The random source behind the ratios (seed it for reproducible runs); default Math.random. */
  random?: () => number;
  /** Message id format in submit_sm_resp; default "hex". */
  idFormat?: IdFormat;
  /** Form of the id in the receipt text's `id:` field; default "same". */
  receiptIdForm?: ReceiptIdForm;
  /**
   * Whether receipts carry the receipted_message_id and message_state TLVs (default true); false acts like
   * an old SMSC, leaving the ESME only the receipt text to match on.
   */
  receiptTlvs?: boolean;
  /** First message id number; default a random one, so a restarted simulator does not reuse recent ids. */
  firstId?: number;
  /** Receipts echo user_message_reference when the submit had it; default true. */
  echoUserMessageReference?: boolean;
  /** Outstanding deliver_sm per bind (the session window); default the session's. */
  window?: number;
  /** HTTP control API port: default port+1 (0 when `port` is 0); 0 takes a free one; -1 runs none. */
  controlPort?: number;
  /** Warnings (protocol errors, failed deliveries); nothing is logged per message. */
  log?: SimLog;
  /** How many received messages (and assembled ones) to keep for inspection; default 10 000. */
  keepMessages?: number;
  /** SMPP over TLS on `port` (PEM key and certificate), as a carrier's smpps:// endpoint; plain TCP without. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /**
   * IANA time zone of the receipt texts' dates, as a carrier writes them on its local clock; default
   * Asia/Shanghai (anning's own simulator is given the policy's `defaultTimeZone`).
   */
  timeZone?: string;
}

/** Concatenation info of one part (from the UDH or the SAR TLVs). */
export interface PartInfo {
  ref: number;
  total: number;
  seq: number;
}

/** One submit_sm as the simulator accepted it. */
export interface ReceivedMessage {
  /** The message id returned in submit_sm_resp. */
  id: string;
  destination: string;
  source: string;
  /** The decoded text of this part (UDH removed). */
  text: string;
  dataCoding: number;
  esmClass: number;
  parts: PartInfo | null;
  serviceType: string;
  registeredDelivery: number;
  userMessageReference?: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  /** The system_id of the bind it came on. */
  systemId: string;
}

/** A whole message: a single submit, or every part of a concatenated one, in order. */
export interface AssembledMessage {
  destination: string;
  source: string;
  /** The texts of all parts joined in sequence order. */
  text: string;
  parts: number;
  /** Message ids of the parts, in sequence order. */
  ids: string[];
  /** Arrival time of the part that completed it. */
  at: number;
}

/** Counters since start (reset() does not clear them). */
export interface SimStats {
  /** Successful binds. */
  binds: number;
  /** Sessions bound right now. */
  bound: number;
  /** submit_sm received while bound as transmitter or transceiver (including refused ones). */
  submits: number;
  /** submit_sm refused (rejectRatio, bad destination). */
  rejected: number;
  /** Receipts acknowledged by the ESME with status 0. */
  receiptsSent: number;
  /** Mobile-originated messages acknowledged by the ESME with status 0. */
  mosSent: number;
  /** deliver_sm answered with a non-zero status (not retried). */
  deliverFailed: number;
  /** deliver_sm waiting for a receiver bind, or scheduled and not sent yet. */
  pendingDeliveries: number;
}

/** Options with every default applied. */
export interface ResolvedSimOptions {
  host: string;
  port: number;
  systemId: string | undefined;
  password: string | undefined;
  receiptDelayMs: number;
  latencyMs: number;
  failRatio: number;
  expireRatio: number;
  rejectRatio: number;
  failDestinations: readonly string[];
  random: () => number;
  idFormat: IdFormat;
  receiptIdForm: ReceiptIdForm;
  receiptTlvs: boolean;
  firstId: number;
  echoUserMessageReference: boolean;
  window: number | undefined;
  controlPort: number;
  log: SimLog | undefined;
  keepMessages: number;
  tls: { key: string | Buffer; cert: string | Buffer } | undefined;
  timeZone: string;
}

function ratio(name: string, v: number | undefined): number {
  const r = v ?? 0;
  if (!(r >= 0 && r <= 1)) throw new RangeError(`${name} must be between 0 and 1`);
  return r;
}

function nonNegative(name: string, v: number | undefined, fallback: number): number {
  const n = v ?? fallback;
  if (!(Number.isFinite(n) && n >= 0)) throw new RangeError(`${name} must be a non-negative number`);
  return n;
}

/** Applies the defaults and checks ranges (RangeError on nonsense). */
export function resolveSimOptions(o: SimOptions): ResolvedSimOptions {
  const failRatio = ratio("failRatio", o.failRatio);
  const expireRatio = ratio("expireRatio", o.expireRatio);
  if (failRatio + expireRatio > 1) throw new RangeError("failRatio + expireRatio must not exceed 1");
  const controlPort = o.controlPort ?? (o.port === 0 ? 0 : o.port + 1);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)
    throw new RangeError("port must be 0..65535");
  if (!Number.isInteger(controlPort) || controlPort < -1 || controlPort > 65535)
    throw new RangeError("controlPort must be -1..65535");
  // SMPP 3.4 caps system_id at 15 characters and password at 8 (C-Octet Strings of 16 and 9): no client
  // could bind with longer ones
  if (o.systemId !== undefined && o.systemId.length > 15)
    throw new RangeError("systemId must be at most 15 characters (SMPP 3.4)");
  if (o.password !== undefined && o.password.length > 8)
    throw new RangeError("password must be at most 8 characters (SMPP 3.4)");
  const timeZone = o.timeZone ?? DEFAULT_POLICY.defaultTimeZone;
  if (!isTimeZone(timeZone)) throw new RangeError("timeZone must be an IANA time zone");
  const firstId = o.firstId ?? 1 + Math.floor(Math.random() * 0x7fff_ffff);
  if (!Number.isInteger(firstId) || firstId < 1 || firstId > 0xffff_ffff)
    throw new RangeError("firstId must be 1..4294967295");
  return {
    host: o.host ?? "127.0.0.1",
    port: o.port,
    systemId: o.systemId,
    password: o.password,
    receiptDelayMs: nonNegative("receiptDelayMs", o.receiptDelayMs, 100),
    latencyMs: nonNegative("latencyMs", o.latencyMs, 0),
    failRatio,
    expireRatio,
    rejectRatio: ratio("rejectRatio", o.rejectRatio),
    failDestinations: o.failDestinations ?? [],
    random: o.random ?? Math.random,
    idFormat: o.idFormat ?? "hex",
    receiptIdForm: o.receiptIdForm ?? "same",
    receiptTlvs: o.receiptTlvs ?? true,
    firstId,
    echoUserMessageReference: o.echoUserMessageReference ?? true,
    window: o.window,
    controlPort,
    log: o.log,
    keepMessages: Math.floor(nonNegative("keepMessages", o.keepMessages, 10_000)),
    tls: o.tls,
    timeZone,
  };
}
