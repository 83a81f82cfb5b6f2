import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import type { IndexSnapshotStore } from "../../app/index-snapshot.port.js";
import type { ConsentIndexSnapshot } from "../../domain/indexes/consent-index.js";

const MAGIC = "ANNING-CONSENT-INDEX-2";

/** Fills `into` from the file at `position`; a short file is an error. */
function readExactly(fd: number, into: Uint8Array, position: number): void {
  for (let off = 0; off < into.length; ) {
    const n = readSync(fd, into, off, Math.min(into.length - off, 1 << 26), position + off);
    if (n === 0) throw new Error("snapshot truncated");
    off += n;
  }
}

/**
 * The consent index snapshot as one file: a length-prefixed JSON header (sequence, hash, tag maps, array
 * lengths) followed by the two typed arrays. Written to a temporary file and renamed, so a crash during
 * the write leaves the previous snapshot (or none).
 */
export class FileIndexSnapshotStore implements IndexSnapshotStore {
  private hash: string | null = null;

  constructor(private readonly path: string) {}

  load(): ConsentIndexSnapshot | null {
    if (!existsSync(this.path)) return null;
    let fd: number | null = null;
    try {
      fd = openSync(this.path, "r");
      const lenBuf = Buffer.alloc(4);
      readExactly(fd, lenBuf, 0);
      const headerLen = lenBuf.readUInt32LE(0);
      const headerBuf = Buffer.alloc(headerLen);
      readExactly(fd, headerBuf, 4);
      const h = JSON.parse(headerBuf.toString("utf8")) as {
        magic: string;
        lastSeq: number;
        lastHash: string;
        enterprises: Array<[string, number]>;
        categories: Array<[string, number]>;
        lengths: [number, number];
        used: [number, number];
      };
      if (h.magic !== MAGIC) return null;
      let at = 4 + headerLen;
      at += (8 - (at % 8)) % 8;
      // read straight into the arrays: no second copy of a few hundred megabytes
      const take = <T extends Float64Array>(array: T): T => {
        readExactly(fd as number, new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
        at += array.byteLength;
        return array;
      };
      const [c, d] = h.lengths;
      const consents = { slots: take(new Float64Array(c)), used: h.used[0] };
      const dnd = { slots: take(new Float64Array(d)), used: h.used[1] };
      this.hash = h.lastHash;
      return { lastSeq: h.lastSeq, enterprises: h.enterprises, categories: h.categories, consents, dnd };
    } catch {
      return null;
    } finally {
      if (fd !== null) closeSync(fd);
    }
  }

  loadedHash(): string | null {
    return this.hash;
  }

  save(s: ConsentIndexSnapshot & { lastHash: string }): void {
    const header = Buffer.from(
      JSON.stringify({
        magic: MAGIC,
        lastSeq: s.lastSeq,
        lastHash: s.lastHash,
        enterprises: s.enterprises,
        categories: s.categories,
        lengths: [s.consents.slots.length, s.dnd.slots.length],
        used: [s.consents.used, s.dnd.used],
      }),
    );
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, "w", 0o600);
    try {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(header.length);
      writeSync(fd, len);
      writeSync(fd, header);
      const pad = (8 - ((4 + header.length) % 8)) % 8;
      if (pad) writeSync(fd, Buffer.alloc(pad));
      for (const a of [s.consents.slots, s.dnd.slots]) {
        const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        for (let off = 0; off < bytes.length; )
          off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 26));
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }

  /** Removes the snapshot (after the ledger it described was replaced). */
  remove(): void {
    rmSync(this.path, { force: true });
  }
}
