/**
 * short_message text: decoding by data_coding, and encoding as unpacked GSM 03.38 (one septet per octet,
 * as SMPP carries it) or UCS2 (UTF-16BE). Lookup tables are built once, at module load.
 */

/** GSM 03.38 default alphabet, indexed by septet; 0x1B is the escape to the extension table. */
const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/** GSM 03.38 extension table: septet after 0x1B → character. */
const GSM_EXT: ReadonlyArray<readonly [number, string]> = [
  [0x0a, "\f"],
  [0x14, "^"],
  [0x28, "{"],
  [0x29, "}"],
  [0x2f, "\\"],
  [0x3c, "["],
  [0x3d, "~"],
  [0x3e, "]"],
  [0x40, "|"],
  [0x65, "€"],
];

const ESC = 0x1b;

/** Septet → UTF-16 code unit, for decoding. */
const BASIC_DECODE = new Uint16Array(128);
/** Extension septet → code unit, 0 where the extension table has no character. */
const EXT_DECODE = new Uint16Array(128);
/**
 * Code unit → encoding, for encoding: -1 not representable, 0..0x7F a basic septet, 0x1B00|s an escaped
 * extension septet. Covers the whole BMP once (128 KiB) so the hot loop is one array read per character.
 */
const GSM_ENCODE = new Int16Array(0x10000).fill(-1);

for (let s = 0; s < 128; s++) {
  const code = GSM_BASIC.charCodeAt(s);
  BASIC_DECODE[s] = code;
  if (s !== ESC) GSM_ENCODE[code] = s;
}
for (const [s, ch] of GSM_EXT) {
  const code = ch.charCodeAt(0);
  EXT_DECODE[s] = code;
  GSM_ENCODE[code] = (ESC << 8) | s;
}

/**
 * Decodes short_message octets by SMPP data_coding: 0x00 GSM 03.38 (unpacked, with extension table),
 * 0x08 UCS2 (UTF-16BE, surrogate pairs kept, an odd trailing octet ignored: a sender's submit_sm is
 * refused first, see {@link isWholeText}), anything else (IA5, Latin-1, binary, unknown) as Latin-1. Never
 * throws.
 */
export function decodeText(dataCoding: number, bytes: Buffer): string {
  if (dataCoding === 0x00) return decodeGsm(bytes);
  if (dataCoding === 0x08) return decodeUcs2(bytes);
  return bytes.toString("latin1");
}

/**
 * Whether `bytes` hold whole characters of `dataCoding`: UCS-2 (0x08) takes two octets per code unit, so
 * an odd count has lost or gained an octet; the one-octet codings are always whole. Checked per part of a
 * long message (a surrogate pair may still be split between two parts: the code units join up again).
 */
export function isWholeText(dataCoding: number, bytes: Buffer): boolean {
  return dataCoding !== 0x08 || bytes.length % 2 === 0;
}

function decodeGsm(bytes: Buffer): string {
  const n = bytes.length;
  const out = new Uint16Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b >= 0x80) {
      // Not a septet: some SMSCs put Latin-1 under the "SMSC default" coding; keep the octet as is.
      out[k++] = b;
    } else if (b !== ESC) {
      out[k++] = BASIC_DECODE[b] as number;
    } else if (i + 1 < n) {
      const e = (bytes[++i] as number) & 0x7f;
      // An escape to an unknown extension shows the basic character (3GPP 23.038 §6.2.1.1).
      out[k++] = EXT_DECODE[e] || (e === ESC ? 0x20 : (BASIC_DECODE[e] as number));
    }
  }
  return codeUnitsToString(out, k);
}

function decodeUcs2(bytes: Buffer): string {
  const even = bytes.length & ~1;
  if (even === 0) return "";
  const copy = Buffer.allocUnsafe(even);
  bytes.copy(copy, 0, 0, even);
  return copy.swap16().toString("utf16le");
}

function codeUnitsToString(units: Uint16Array, length: number): string {
  let s = "";
  for (let i = 0; i < length; i += 8192) {
    s += String.fromCharCode.apply(
      null,
      units.subarray(i, Math.min(length, i + 8192)) as unknown as number[],
    );
  }
  return s;
}

/** Unpacked GSM 03.38 septets for `text` (extension characters as 0x1B + septet), or null when a character is not representable. */
export function encodeGsm(text: string): Buffer | null {
  const n = text.length;
  const out = Buffer.allocUnsafe(n * 2);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const e = GSM_ENCODE[text.charCodeAt(i)] as number;
    if (e < 0) return null;
    if (e > 0x7f) {
      out[k++] = ESC;
      out[k++] = e & 0x7f;
    } else {
      out[k++] = e;
    }
  }
  return out.subarray(0, k);
}

/** UTF-16BE octets of `text` (SMPP data_coding 0x08); characters outside the BMP become surrogate pairs. */
export function encodeUcs2(text: string): Buffer {
  return Buffer.from(text, "utf16le").swap16();
}

/** GSM 03.38 (data_coding 0) when every character is representable, else UCS2 (data_coding 8). */
export function encodeText(text: string): { dataCoding: 0 | 8; bytes: Buffer } {
  const gsm = encodeGsm(text);
  return gsm === null ? { dataCoding: 8, bytes: encodeUcs2(text) } : { dataCoding: 0, bytes: gsm };
}
