/**
 * Wire-format basics the codec modules share: the header size, the C-octet string limits, writing a
 * C-octet string, and copying octets out of a frame.
 */

/** Octets in every PDU header: command_length, command_id, command_status, sequence_number. */
export const HEADER = 16;

/** Maximum C-octet string sizes in octets, NUL included (SMPP 3.4 §4). */
export const CSTR_MAX = {
  systemId: 16,
  password: 9,
  systemType: 13,
  addressRange: 41,
  serviceType: 6,
  address: 21,
  dlName: 21,
  time: 17,
  messageId: 65,
} as const;

/** Octets of a C-octet string (NUL included). @throws Error when over `max`, NUL included. */
export function cstrLength(s: string, max: number, field: string): number {
  if (s.length >= max) throw new Error(`${field} is ${s.length} characters; at most ${max - 1}`);
  return s.length + 1;
}

/** Writes `s` as Latin-1 plus NUL at `o`; returns the offset after the NUL. */
export function writeCStr(buf: Buffer, o: number, s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0xff) throw new Error(`character U+${c.toString(16)} not allowed in a C-octet string`);
    buf[o++] = c;
  }
  buf[o] = 0;
  return o + 1;
}

/** Octets `from`..`to` of `f` in a buffer of their own, so a decoded PDU never holds on to the socket's buffers. */
export function copyOut(f: Buffer, from: number, to: number): Buffer {
  const b = Buffer.allocUnsafe(to - from);
  f.copy(b, 0, from, to);
  return b;
}
