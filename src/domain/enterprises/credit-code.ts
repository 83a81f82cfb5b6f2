/**
 * Chinese unified social credit code (统一社会信用代码, GB 32100-2015).
 *
 * 18 characters from {@link CREDIT_CODE_ALPHABET}; the 18th is a mod-31 check
 * character over the first 17.
 */

/** The 31 characters allowed in a credit code (no I, O, Z, S, V); a character's value is its index. */
export const CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

const WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

function canonical(code: string): string {
  return code.normalize("NFKC").trim().toUpperCase();
}

/** Check character for an already-canonical 17-character prefix, or null. */
function checkCharOf(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CODE_ALPHABET.indexOf(first17.charAt(i));
    if (value < 0) return null;
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const check = (31 - (sum % 31)) % 31;
  return CREDIT_CODE_ALPHABET.charAt(check);
}

/**
 * Computes the GB 32100-2015 check character (the 18th) for the first 17
 * characters of a credit code: C18 = 31 − (Σ value(cᵢ)·wᵢ mod 31), with 31 → 0.
 * Input is trimmed and upper-cased first. Returns null when the prefix is not
 * exactly 17 characters from the alphabet.
 */
export function creditCodeCheckChar(first17: string): string | null {
  return checkCharOf(canonical(first17));
}

/**
 * Returns the canonical (trimmed, NFKC, upper-case) form of a credit code if
 * it is valid, otherwise null.
 */
export function normalizeCreditCode(code: string): string | null {
  const c = canonical(code);
  if (c.length !== 18) return null;
  const expected = checkCharOf(c.slice(0, 17));
  return expected !== null && expected === c.charAt(17) ? c : null;
}

/**
 * Whether `code` is a valid unified social credit code: 18 characters from the
 * alphabet with a correct check character. Surrounding whitespace and lower
 * case are tolerated.
 */
export function isValidCreditCode(code: string): boolean {
  return normalizeCreditCode(code) !== null;
}
