/**
 * Cuts a TCP byte stream into whole PDU frames by command_length. Chunks are kept as a list and read in
 * place: a frame inside one chunk is returned as a view of it, a frame spanning chunks is copied once.
 */
import { PduError, STATUS } from "./pdu.js";

const HEADER = 16;

/**
 * Accumulates stream chunks and hands out whole frames.
 *
 * @example
 * socket.on("data", (chunk) => { framer.push(chunk); for (let f = framer.next(); f; f = framer.next()) handle(f); });
 */
export class PduFramer {
  #chunks: Array<Buffer | undefined> = [];
  /** Index of the first chunk still in use, and the read offset inside it. */
  #head = 0;
  #offset = 0;
  #buffered = 0;
  #error: PduError | null = null;

  /** @param maxPduBytes largest command_length accepted; larger ones are a fatal framing error. */
  constructor(readonly maxPduBytes = 65536) {}

  /** Bytes received and not yet handed out. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds stream bytes. The chunk is not copied: do not modify it afterwards. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * The next whole frame (exactly command_length bytes; it may share memory with pushed chunks), or null
   * when more bytes are needed.
   *
   * @throws PduError (fatal, ESME_RINVCMDLEN) when command_length is under 16 or over maxPduBytes: framing
   * is lost and the connection must close. Every later call throws the same error.
   */
  next(): Buffer | null {
    if (this.#error !== null) throw this.#error;
    if (this.#buffered < 4) return null;
    const len = this.#peek32(0);
    if (len < HEADER || len > this.maxPduBytes) {
      const full = this.#buffered >= HEADER;
      this.#error = new PduError(
        `command_length ${len} outside ${HEADER}..${this.maxPduBytes}`,
        STATUS.ESME_RINVCMDLEN,
        full ? this.#peek32(4) : 0,
        full ? this.#peek32(12) : 0,
        true,
      );
      throw this.#error;
    }
    return this.#buffered < len ? null : this.#take(len);
  }

  /** The big-endian uint32 at `pos` bytes past the read position (the caller checked it is buffered). */
  #peek32(pos: number): number {
    const first = this.#chunks[this.#head] as Buffer;
    const at = this.#offset + pos;
    if (at + 4 <= first.length) return first.readUInt32BE(at);
    let v = 0;
    let c = this.#head;
    let i = at;
    for (let n = 0; n < 4; n++) {
      let chunk = this.#chunks[c] as Buffer;
      while (i >= chunk.length) {
        i -= chunk.length;
        chunk = this.#chunks[++c] as Buffer;
      }
      v = v * 256 + (chunk[i++] as number);
    }
    return v;
  }

  #take(len: number): Buffer {
    this.#buffered -= len;
    const first = this.#chunks[this.#head] as Buffer;
    if (first.length - this.#offset >= len) {
      const frame = first.subarray(this.#offset, this.#offset + len);
      this.#offset += len;
      if (this.#offset === first.length) this.#dropHead();
      return frame;
    }
    const frame = Buffer.allocUnsafe(len);
    let k = 0;
    while (k < len) {
      const chunk = this.#chunks[this.#head] as Buffer;
      const n = Math.min(len - k, chunk.length - this.#offset);
      chunk.copy(frame, k, this.#offset, this.#offset + n);
      k += n;
      this.#offset += n;
      if (this.#offset === chunk.length) this.#dropHead();
    }
    return frame;
  }

  #dropHead(): void {
    this.#chunks[this.#head++] = undefined;
    this.#offset = 0;
    if (this.#head === this.#chunks.length) {
      this.#chunks.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
