/** Longest run of digits read as a number (BigInt) when keying an upstream id. */
const MAX_NUMERIC_DIGITS = 30;

/**
 * The keys an upstream message id is stored and looked up under, so that a delivery receipt finds its
 * message whatever form the upstream writes the id in there: hex or decimal, either case, with or
 * without leading zeros (SMPP 3.4 leaves the receipt's `id:` format to the SMSC; many give the
 * submit_sm_resp id in hex and the receipt id in decimal, or the reverse).
 *
 * - `s:<id>`: trimmed, lower-cased, leading zeros stripped (`"0"` when nothing is left);
 * - `n:<hex>`: when the id is all decimal digits, its value in lower-case hex;
 * - `n:<hex>`: when the id is all hex digits, its value in lower-case hex.
 *
 * Numeric keys are made for ids of at most 30 significant digits. Two forms of one id share a key; an
 * empty id has no key (it can match nothing).
 * @example upstreamIdKeys("00A1F") // ["s:a1f", "n:a1f"]; upstreamIdKeys("2591") // ["s:2591", "n:a1f", "n:2591"]
 */
export function upstreamIdKeys(id: string): string[] {
  const t = id.trim().toLowerCase();
  if (t === "") return [];
  const s = t.replace(/^0+/, "") || "0";
  const keys = [`s:${s}`];
  if (s.length <= MAX_NUMERIC_DIGITS) {
    if (/^[0-9]+$/.test(s)) keys.push(`n:${BigInt(s).toString(16)}`);
    if (/^[0-9a-f]+$/.test(s)) keys.push(`n:${BigInt(`0x${s}`).toString(16)}`);
  }
  return [...new Set(keys)];
}
