import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import type { IndexSnapshotStore } from "../../app/index-snapshot.port.js";
import type { ConsentIndexSnapshot } from "../../domain/indexes/consent-index.js";

const MAGIC = "ANNING-CONSENT-INDEX-1";

/**
 * The consent index snapshot as one file: a length-prefixed JSON header (sequence, hash, tag maps, array
 * lengths) followed by the four typed arrays. Written to a temporary file and renamed, so a crash during
 * the write leaves the previous snapshot (or none).
 */
export class FileIndexSnapshotStore implements IndexSnapshotStore {
  private hash: string | null = null;

  constructor(private readonly path: string) {}

  load(): ConsentIndexSnapshot | null {
    if (!existsSync(this.path)) return null;
    try {
      const buf = readFileSync(this.path);
      const headerLen = buf.readUInt32LE(0);
      const h = JSON.parse(buf.subarray(4, 4 + headerLen).toString("utf8")) as {
        magic: string;
        lastSeq: number;
        lastHash: string;
        enterprises: Array<[string, number]>;
        categories: Array<[string, number]>;
        lengths: [number, number, number, number];
        used: [number, number];
      };
      if (h.magic !== MAGIC) return null;
      let at = 4 + headerLen;
      at += (8 - (at % 8)) % 8;
      const take = <T>(n: number, bytesPer: number, make: (b: ArrayBuffer) => T): T => {
        const bytes = n * bytesPer;
        const copy = new ArrayBuffer(bytes);
        new Uint8Array(copy).set(buf.subarray(at, at + bytes));
        at += bytes;
        return make(copy);
      };
      const [ck, cv, dk, dv] = h.lengths;
      const consents = {
        keys: take(ck, 8, (b) => new Float64Array(b)),
        vals: take(cv, 4, (b) => new Uint32Array(b)),
        used: h.used[0],
      };
      const dnd = {
        keys: take(dk, 8, (b) => new Float64Array(b)),
        vals: take(dv, 4, (b) => new Uint32Array(b)),
        used: h.used[1],
      };
      this.hash = h.lastHash;
      return { lastSeq: h.lastSeq, enterprises: h.enterprises, categories: h.categories, consents, dnd };
    } catch {
      return null;
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
        lengths: [s.consents.keys.length, s.consents.vals.length, s.dnd.keys.length, s.dnd.vals.length],
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
      for (const a of [s.consents.keys, s.consents.vals, s.dnd.keys, s.dnd.vals]) {
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
