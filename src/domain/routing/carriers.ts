/**
 * Chinese mobile carriers and the number segments (号段) they were allocated. A number's segment names
 * its original carrier; a ported number (携号转网) is served by another, which only a number
 * portability source knows.
 */

/** China Mobile, China Unicom, China Telecom, China Broadnet (广电). */
export type Carrier = "cmcc" | "cucc" | "ctcc" | "cbn";

/** Every {@link Carrier}. */
export const CARRIERS: readonly Carrier[] = ["cmcc", "cucc", "ctcc", "cbn"];

/** Segments decided by their first four digits (1340–1349, 1700–1709, 1740–1749). */
type FourDigit = "by4";

const SEGMENTS = new Map<number, Carrier | FourDigit>();
function assign(carrier: Carrier | FourDigit, ...segments: number[]): void {
  for (const s of segments) SEGMENTS.set(s, carrier);
}
// China Mobile (165 is its virtual-operator segment)
assign("cmcc", 135, 136, 137, 138, 139, 147, 148, 150, 151, 152, 157, 158, 159, 165, 172, 178);
assign("cmcc", 182, 183, 184, 187, 188, 195, 197, 198);
// China Unicom (167 and 171 are its virtual-operator segments)
assign("cucc", 130, 131, 132, 145, 146, 155, 156, 166, 167, 171, 175, 176, 185, 186, 196);
// China Telecom (162 is its virtual-operator segment)
assign("ctcc", 133, 149, 153, 162, 173, 177, 180, 181, 189, 190, 191, 193, 199);
assign("cbn", 192);
assign("by4", 134, 170, 174);

/** 134x: 1340–1348 China Mobile, 1349 China Telecom's satellite service. */
function of134(d4: number): Carrier {
  return d4 === 9 ? "ctcc" : "cmcc";
}

/** 170x, virtual operators by host network: 1700–1702 Telecom, 1703/1705/1706 Mobile, others Unicom. */
function of170(d4: number): Carrier {
  if (d4 <= 2) return "ctcc";
  if (d4 === 3 || d4 === 5 || d4 === 6) return "cmcc";
  return "cucc";
}

/**
 * The carrier that was allocated a Chinese mobile number's segment, or null for a number outside +86,
 * a malformed one or an unallocated segment. Accepts E.164 with or without the "+".
 *
 * @example
 * carrierOfNumber("+8613812345678"); // "cmcc"
 * carrierOfNumber("+8613491234567"); // "ctcc" (1349, satellite)
 * carrierOfNumber("+14155552671");   // null
 */
export function carrierOfNumber(e164: string): Carrier | null {
  const digits = e164.startsWith("+") ? e164.slice(1) : e164;
  if (digits.length !== 13 || !digits.startsWith("861") || !/^\d+$/.test(digits)) return null;
  const segment = Number(digits.slice(2, 5));
  const found = SEGMENTS.get(segment);
  if (found !== "by4") return found ?? null;
  const d4 = Number(digits[5]);
  if (segment === 134) return of134(d4);
  if (segment === 170) return of170(d4);
  // 174: 17400–17405 is China Telecom's satellite service; the rest is not for public mobiles
  return d4 === 0 && Number(digits[6]) <= 5 ? "ctcc" : null;
}

const NAMES: Readonly<Record<string, Carrier>> = {
  cmcc: "cmcc",
  cucc: "cucc",
  ctcc: "ctcc",
  cbn: "cbn",
  移动: "cmcc",
  中国移动: "cmcc",
  联通: "cucc",
  中国联通: "cucc",
  电信: "ctcc",
  中国电信: "ctcc",
  广电: "cbn",
  中国广电: "cbn",
};

/** A carrier from its code (any case) or Chinese name (移动, 中国联通, 电信, 广电…); null otherwise. */
export function parseCarrier(name: string): Carrier | null {
  const key = name.trim().toLowerCase();
  return Object.hasOwn(NAMES, key) ? (NAMES[key] ?? null) : null;
}
