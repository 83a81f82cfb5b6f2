/** Longest run of digits read as a number (BigInt) when keying an upstream id. */
const MAX_NUMERIC_DIGITS = 30;

/**
 * The one key a part is stored under: the id trimmed, lower-cased, leading zeros stripped ("0" when
 * nothing is left); "" for an empty id (which matches nothing). A receipt finds it through
 * {@link upstreamIdLookupKeys}, whatever form the upstream writes the id in there: hex or decimal, either
 * case, with or without leading zeros (SMPP 3.4 leaves the receipt's `id:` format to the SMSC; many give
 * the submit_sm_resp id in hex and the receipt id in decimal, or the reverse).
 */
export function upstreamIdKey(id: string): string {
  const t = id.trim().toLowerCase();
  if (t === "") return "";
  return t.replace(/^0+/, "") || "0";
}

/**
 * The stored keys ({@link upstreamIdKey}) a receipt's id may be found under: the id itself, and — for
 * ids of at most 30 significant digits — its decimal value written in hex, and its hex value written in
 * decimal (an upstream that answered in one base and reports in the other).
 * @example upstreamIdLookupKeys("2591") // ["2591", "a1f", "9617"]; upstreamIdLookupKeys("00A1F") // ["a1f", "2591"]
 */
export function upstreamIdLookupKeys(id: string): string[] {
  const s = upstreamIdKey(id);
  if (s === "") return [];
  const keys = [s];
  if (s.length <= MAX_NUMERIC_DIGITS) {
    if (/^[0-9]+$/.test(s)) keys.push(BigInt(s).toString(16));
    if (/^[0-9a-f]+$/.test(s)) keys.push(BigInt(`0x${s}`).toString(10));
  }
  return [...new Set(keys.filter((k) => k.length <= MAX_NUMERIC_DIGITS || k === s))];
}
