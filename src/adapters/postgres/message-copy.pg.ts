import type { Message, MessageEvent } from "../../domain/messages/message.js";
import type { Reason } from "../../domain/policy/reason-codes.js";
import { historyJson, MESSAGE_COLUMNS, reasonsJson } from "./message-rows.pg.js";

/** COPY of the message log in PostgreSQL's text format (tab-separated, `\N` for null). */
export const COPY_MESSAGES_SQL = `COPY messages (${MESSAGE_COLUMNS}) FROM STDIN`;

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A text value escaped for COPY's text format: backslash, tab, newline and carriage return. */
export function copyText(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : s;
}

function field(v: string | null): string {
  return v === null ? "\\N" : copyText(v);
}

/** Whether two messages' reason lists are the same (both empty, or one shared list object). */
function sameReasons(a: readonly Reason[], b: readonly Reason[]): boolean {
  return a === b || (a.length === 0 && b.length === 0);
}

/**
 * Whether two histories encode alike, judged cheaply: a single event without a note, with the same
 * status, time and reasons list object (the history of every freshly decided message). Anything else
 * counts as different, so it is encoded on its own.
 */
function sameFreshHistory(a: readonly MessageEvent[], b: readonly MessageEvent[]): boolean {
  const x = a.length === 1 ? a[0] : undefined;
  const y = b.length === 1 ? b[0] : undefined;
  return (
    x !== undefined &&
    y !== undefined &&
    x.note === undefined &&
    y.note === undefined &&
    x.status === y.status &&
    x.at === y.at &&
    x.reasons === y.reasons
  );
}

/** Columns 2–6 (sender_id … port_id) of a message: the same for every message of a campaign. */
function sameHead(a: Message, b: Message): boolean {
  return (
    a.senderId === b.senderId &&
    a.signatureId === b.signatureId &&
    a.signature === b.signature &&
    a.port === b.port &&
    a.portId === b.portId
  );
}

/** `sender_id\t…\tport_id\t`, encoded. */
function encodeHead(m: Message): Buffer {
  return Buffer.from(
    `${field(m.senderId)}\t${field(m.signatureId)}\t${field(m.signature)}\t${field(m.port)}\t${field(m.portId)}\t`,
  );
}

/** Columns 8–21 (text … smpp_parts) of a message: one of a few variants across a decided chunk. */
function sameTail(a: Message, b: Message): boolean {
  return (
    a.status === b.status &&
    a.createdAt === b.createdAt &&
    a.text === b.text &&
    a.category === b.category &&
    sameReasons(a.reasons, b.reasons) &&
    a.campaignId === b.campaignId &&
    a.idempotencyKey === b.idempotencyKey &&
    a.parts === b.parts &&
    a.updatedAt === b.updatedAt &&
    a.notBefore === b.notBefore &&
    a.validUntil === b.validUntil &&
    a.upstreamId === b.upstreamId &&
    a.smppParts === b.smppParts &&
    sameFreshHistory(a.history, b.history)
  );
}

/** `\ttext\t…\thistory\tsmpp_parts\n`, encoded. */
function encodeTail(m: Message): Buffer {
  return Buffer.from(
    `\t${field(m.text)}\t${field(m.category)}\t${field(m.status)}\t${copyText(reasonsJson(m.reasons))}\t` +
      `${field(m.campaignId)}\t${field(m.idempotencyKey)}\t${m.parts}\t${m.createdAt}\t${m.updatedAt}\t` +
      `${m.notBefore}\t${m.validUntil}\t${field(m.upstreamId)}\t${copyText(historyJson(m.history))}\t` +
      `${m.smppParts ?? 0}\n`,
  );
}

/** Encoded parts of recent messages, looked up by a cheap comparison with the message they came from. */
class SegmentMemo {
  private readonly from: Message[] = [];
  private readonly bytes: Buffer[] = [];
  private next = 0;

  constructor(
    private readonly size: number,
    private readonly same: (a: Message, b: Message) => boolean,
    private readonly encode: (m: Message) => Buffer,
  ) {}

  of(m: Message): Buffer {
    for (let i = 0; i < this.from.length; i++)
      if (this.same(this.from[i] as Message, m)) return this.bytes[i] as Buffer;
    const b = this.encode(m);
    this.from[this.next] = m;
    this.bytes[this.next] = b;
    this.next = (this.next + 1) % this.size;
    return b;
  }
}

const BACKSLASH = 0x5c;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/** How many bytes of rows go into one COPY data chunk (at least; a longer row gets a chunk of its own). */
const CHUNK_BYTES = 1 << 20;

/**
 * Writes the COPY rows of messages into fresh chunks of about a megabyte. Per row only the id
 * and the phone are encoded afresh; the other columns are copied from a few cached encodings (a
 * campaign chunk repeats its sender, text, times and a handful of status/reason/history variants).
 */
class CopyWriter {
  private buf = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly heads = new SegmentMemo(2, sameHead, encodeHead);
  private readonly tails = new SegmentMemo(8, sameTail, encodeTail);

  /** Adds one row; returns a full chunk to send when the row did not fit in the current one. */
  add(m: Message): Buffer | null {
    const head = this.heads.of(m);
    const tail = this.tails.of(m);
    // UTF-8 takes at most 3 bytes per UTF-16 unit, escaping at most doubles them
    const need = 6 * (m.id.length + m.phone.length) + head.length + tail.length + 1;
    let full: Buffer | null = null;
    if (this.pos + need > this.buf.length) {
      full = this.take();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    }
    this.text(m.id);
    this.buf[this.pos++] = TAB;
    this.buf.set(head, this.pos);
    this.pos += head.length;
    this.text(m.phone);
    this.buf.set(tail, this.pos);
    this.pos += tail.length;
    return full;
  }

  /** The rows written so far (null when none), and a fresh buffer for the next. */
  take(): Buffer | null {
    if (this.pos === 0) return null;
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    return out;
  }

  /**
   * Writes a text value. ASCII without characters COPY treats specially (ids, E.164 phones) is copied
   * byte by byte; anything else is escaped and UTF-8 encoded.
   */
  private text(s: string): void {
    const buf = this.buf;
    const start = this.pos;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80 || c === BACKSLASH || c === TAB || c === LF || c === CR) {
        this.pos = start + buf.write(copyText(s), start);
        return;
      }
      buf[start + i] = c;
    }
    this.pos = start + s.length;
  }
}

/**
 * The messages as COPY text-format data, in chunks of about a megabyte, made as the stream asks for them
 * (so the server works on one chunk while the next is encoded).
 */
export function* copyChunks(ms: readonly Message[]): Generator<Buffer> {
  const w = new CopyWriter();
  for (const m of ms) {
    const full = w.add(m);
    if (full !== null) yield full;
  }
  const last = w.take();
  if (last !== null) yield last;
}
