/**
 * IPv4 and IPv6 addresses and CIDR blocks, parsed to numbers in plain code (the domain may not use
 * node:net). IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) count as the IPv4 address they carry.
 */

/** An address as a number, with its family. */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

/** A CIDR block (a single address is a block of full length). */
export interface IpBlock {
  family: 4 | 6;
  /** The network address: `value` with the host bits cleared. */
  network: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    // no leading zeros: "010" is octal to some parsers and decimal to others
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return null;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseGroups(s: string): bigint[] | null {
  if (s === "") return [];
  const out: bigint[] = [];
  const parts = s.split(":");
  for (const [i, p] of parts.entries()) {
    if (i === parts.length - 1 && p.includes(".")) {
      const v4 = parseV4(p);
      if (v4 === null) return null;
      out.push(v4 >> 16n, v4 & 0xffffn);
    } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(BigInt(`0x${p}`));
    else return null;
  }
  return out;
}

function parseV6(s: string): bigint | null {
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  // an embedded IPv4 address may only end the address
  if (halves.length === 2 && (halves[0] ?? "").includes(".")) return null;
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...tail];
  return groups.reduce((v, g) => (v << 16n) | g, 0n);
}

/** Parses an address; a zone (`fe80::1%eth0`) is ignored; null when it is not an address. */
export function parseIp(raw: string): IpAddress | null {
  const s = raw.trim();
  if (s.includes(":")) {
    const v = parseV6(s.replace(/%[\w.-]+$/, ""));
    if (v === null) return null;
    // an IPv4-mapped address is the IPv4 address it carries
    if (v >> 32n === 0xffffn) return { family: 4, value: v & 0xffffffffn };
    return { family: 6, value: v };
  }
  const v = parseV4(s);
  return v === null ? null : { family: 4, value: v };
}

/** Parses `addr` or `addr/prefix`; null when it is neither. Host bits are ignored. */
export function parseIpBlock(raw: string): IpBlock | null {
  const [addr = "", len, ...rest] = raw.trim().split("/");
  if (rest.length > 0 || addr.includes("%")) return null;
  const ip = parseIp(addr);
  if (ip === null) return null;
  const mapped = ip.family === 4 && addr.includes(":");
  let prefix: number = BITS[ip.family];
  if (len !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(len)) return null;
    const n = Number(len);
    // an IPv4-mapped block (::ffff:10.0.0.0/104) is the IPv4 block it covers
    if (mapped) {
      if (n < 96 || n > 128) return null;
      prefix = n - 96;
    } else if (n > prefix) return null;
    else prefix = n;
  }
  const hostBits = BigInt(BITS[ip.family] - prefix);
  return { family: ip.family, network: (ip.value >> hostBits) << hostBits, prefix };
}

/** Whether an address falls in a block (families must match, after unmapping IPv4-mapped ones). */
export function blockContains(block: IpBlock, ip: IpAddress): boolean {
  if (block.family !== ip.family) return false;
  const hostBits = BigInt(BITS[block.family] - block.prefix);
  return (ip.value >> hostBits) << hostBits === block.network;
}
