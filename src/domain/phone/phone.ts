import { parsePhoneNumberFromString } from "libphonenumber-js";
// the default ("min") metadata has no number types: the "max" set tells fixed lines from mobiles
import { parsePhoneNumberFromString as parseWithTypes } from "libphonenumber-js/max";

/** Result of {@link parsePhone}: a normalised E.164 number, or `{ ok: false }`. */
export type PhoneParse =
  | { ok: true; e164: string; digits: number; country: string; timeZone: string }
  | { ok: false };

const INVALID: PhoneParse = Object.freeze({ ok: false });

/** Representative IANA zone per ISO country; anything unlisted maps to "UTC". */
const TIME_ZONES: Readonly<Record<string, string>> = {
  CN: "Asia/Shanghai",
  HK: "Asia/Hong_Kong",
  MO: "Asia/Macau",
  TW: "Asia/Taipei",
  SG: "Asia/Singapore",
  JP: "Asia/Tokyo",
  KR: "Asia/Seoul",
  MY: "Asia/Kuala_Lumpur",
  TH: "Asia/Bangkok",
  VN: "Asia/Ho_Chi_Minh",
  PH: "Asia/Manila",
  ID: "Asia/Jakarta",
  IN: "Asia/Kolkata",
  AE: "Asia/Dubai",
  US: "America/New_York",
  CA: "America/Toronto",
  MX: "America/Mexico_City",
  BR: "America/Sao_Paulo",
  GB: "Europe/London",
  IE: "Europe/Dublin",
  DE: "Europe/Berlin",
  FR: "Europe/Paris",
  IT: "Europe/Rome",
  ES: "Europe/Madrid",
  NL: "Europe/Amsterdam",
  CH: "Europe/Zurich",
  RU: "Europe/Moscow",
  AU: "Australia/Sydney",
  NZ: "Pacific/Auckland",
};

const CN_PREFIX = 86e11; // 86 followed by an 11-digit national number
const MAX_INPUT = 64;

function timeZoneOf(country: string): string {
  return TIME_ZONES[country] ?? "UTC";
}

/**
 * Separators skipped while scanning: space, tab, CR, LF, NBSP, ideographic space,
 * hyphen, parentheses, dot and slash (e.g. "+1 (415) 555.2671").
 */
function isSeparator(c: number): boolean {
  switch (c) {
    case 0x20:
    case 0x2d:
    case 0x09:
    case 0x0a:
    case 0x0d:
    case 0xa0:
    case 0x3000:
    case 0x28:
    case 0x29:
    case 0x2e:
    case 0x2f:
      return true;
    default:
      return false;
  }
}

/** True when `n` is an 11-digit Chinese mobile national number (1[3-9]xxxxxxxxx). */
function isCnMobile(n: number): boolean {
  return n >= 13e9 && n < 2e10;
}

function viaLibrary(text: string, national: boolean): PhoneParse {
  try {
    const parsed = national
      ? parsePhoneNumberFromString(text, { defaultCountry: "CN", extract: false })
      : parsePhoneNumberFromString(text, { extract: false });
    if (parsed === undefined || !parsed.isValid() || parsed.ext !== undefined) return INVALID;
    const e164 = parsed.number;
    // SMS goes to mobiles. A Chinese one is 11 digits, 1[3-9]…: fixed lines (010…, 020…), 400 and 95…
    // service numbers are not; elsewhere only a number the full metadata calls a fixed line is refused
    // (not FIXED_LINE_OR_MOBILE, as North American numbers are)
    if (parsed.countryCallingCode === "86") {
      const nn = parsed.nationalNumber;
      if (nn.length !== 11 || !isCnMobile(Number(nn))) return INVALID;
    } else if (parseWithTypes(e164)?.getType() === "FIXED_LINE") return INVALID;
    const country = parsed.country ?? "ZZ";
    return { ok: true, e164, digits: Number(e164.slice(1)), country, timeZone: timeZoneOf(country) };
  } catch {
    return INVALID;
  }
}

/**
 * Parses and normalises a phone number that can receive SMS, a mobile, to E.164.
 *
 * Plain Chinese mobiles ("13812345678", "+8613812345678", "008613812345678",
 * "8613812345678", with spaces, hyphens, parentheses or dots) take an allocation-light fast path
 * that never calls libphonenumber-js. Other numbers must carry an international
 * prefix ("+" or "00") and are validated by libphonenumber-js (`isValid()`);
 * a Chinese national number with trunk prefix "0" is read as CN. Every Chinese number
 * that is not an 11-digit 1[3-9] mobile is rejected (fixed lines such as "010 1234 5678"
 * or "+86 20 8765 4321", 400 and 95 service numbers), as is any other number that
 * libphonenumber-js's full metadata types FIXED_LINE (FIXED_LINE_OR_MOBILE is kept), and
 * numbers with extensions, letters or other junk.
 * Non-geographic numbers get country "ZZ". Never throws.
 */
export function parsePhone(input: string): PhoneParse {
  const len = input.length;
  if (len === 0 || len > MAX_INPUT) return INVALID;
  let plus = false;
  let seenDigit = false;
  let count = 0;
  let value = 0;
  let lead = 0; // first four digits as a number, to check "86" / "0086"
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      const d = c - 0x30;
      value = value * 10 + d;
      if (count < 4) lead = lead * 10 + d;
      count++;
      seenDigit = true;
    } else if (c === 0x2b && !plus && !seenDigit) {
      plus = true;
    } else if (!isSeparator(c)) {
      // full-width digits, plus and spaces (１３８…, ＋, U+3000), as Chinese input methods type them
      if (c >= 0x80) {
        const folded = input.normalize("NFKC");
        if (folded !== input) return parsePhone(folded);
      }
      return INVALID;
    }
  }
  if (count < 3 || count > 17) return INVALID;

  let national = -1;
  if (count === 11 && !plus) national = value;
  else if (count === 13 && Math.floor(lead / 100) === 86) national = value - CN_PREFIX;
  else if (count === 15 && !plus && lead === 86) national = value - CN_PREFIX;
  if (national >= 0 && isCnMobile(national)) {
    const digits = CN_PREFIX + national;
    // the common case, 11 bare digits, needs no number-to-string conversion
    const e164 = len === 11 ? `+86${input}` : `+${digits}`;
    return { ok: true, e164, digits, country: "CN", timeZone: "Asia/Shanghai" };
  }

  // Slow path: rebuild the digit string only now.
  let raw = "";
  for (let i = 0; i < len; i++) {
    const c = input.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) raw += input[i];
  }
  if (plus) return viaLibrary(`+${raw}`, false);
  if (raw.startsWith("00")) return viaLibrary(`+${raw.slice(2)}`, false);
  if (raw.startsWith("0")) return viaLibrary(raw, true);
  return INVALID;
}

/** Formats E.164 digits (as returned in {@link PhoneParse}) back to "+<digits>". */
export function digitsToE164(d: number): string {
  return `+${d}`;
}

function maskOdd(input: string): string {
  const chars = Array.from(input.trim());
  const n = chars.length;
  if (n === 0) return "";
  const visible = Math.min(2, n - 1);
  return "*".repeat(n - visible) + chars.slice(n - visible).join("");
}

/**
 * Masks a phone number for logs and UIs: "+8613812345678" → "138****5678".
 * Parseable numbers show the first 3 and last 4 digits of the national number
 * (national numbers shorter than 8 digits fall back to the odd-input rule);
 * any other input keeps at most its last 2 characters, never the whole value.
 * "" → "".
 */
export function maskPhone(input: string): string {
  const parsed = parsePhone(input);
  if (!parsed.ok) return maskOdd(input);
  let national: string;
  if (parsed.e164.startsWith("+86")) {
    national = parsed.e164.slice(3);
  } else {
    const pn = parsePhoneNumberFromString(parsed.e164);
    national = pn === undefined ? parsed.e164.slice(1) : pn.nationalNumber;
  }
  if (national.length < 8) return maskOdd(national);
  return `${national.slice(0, 3)}${"*".repeat(national.length - 7)}${national.slice(-4)}`;
}
