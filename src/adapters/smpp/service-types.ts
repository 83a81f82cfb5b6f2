import { isWellFormedCategory } from "../../domain/shared/categories.js";

/**
 * SMPP carries a message's category in `service_type`, at most 5 characters (Kannel cuts a per-message
 * `binfo` to 5), so categories travel as short codes. These are the built-in ones; a deployment may add
 * codes for the policy file's extra categories through the `extra` map of
 * {@link categoryForServiceType}.
 */
export const SERVICE_TYPES: Readonly<Record<string, string>> = Object.freeze({
  MKTR: "marketing.retail",
  MKTF: "marketing.finance",
  NTF: "notification",
  VRF: "verification",
});

/**
 * The generic service types of SMPP 3.4 §5.2.11 (cellular messaging, paging, voice mail, WAP, USSD):
 * clients set them by default, and they name no category, so they count as "none given".
 */
const GENERIC_SMPP_TYPES: ReadonlySet<string> = new Set(["CMT", "CPT", "VMN", "VMA", "WAP", "USSD"]);

/** Result of {@link categoryForServiceType}. */
export type ServiceTypeMatch = { ok: true; category: string } | { ok: false };

const NO_MATCH: ServiceTypeMatch = Object.freeze({ ok: false });

/** A service type code: 1–5 ASCII letters or digits (compared upper-cased). */
const CODE = /^[A-Z0-9]{1,5}$/;

/**
 * The category a submit_sm's `service_type` names: case-insensitive, surrounding blanks ignored. An
 * empty service type, or one of SMPP's generic ones (CMT, CPT, VMN, VMA, WAP, USSD), takes the account's
 * default category, or matches nothing when it has none.
 * `extra` adds codes (upper-case keys, checked by {@link checkExtraServiceTypes}) for categories
 * beyond the built-in ones; the built-in codes cannot be redefined.
 *
 * @example
 * categoryForServiceType(" mktr ", null);           // { ok: true, category: "marketing.retail" }
 * categoryForServiceType("", "notification");       // { ok: true, category: "notification" }
 * categoryForServiceType("EDU", null, { EDU: "marketing.education" }); // { ok: true, … }
 */
export function categoryForServiceType(
  serviceType: string,
  defaultCategory: string | null,
  extra: Readonly<Record<string, string>> = {},
): ServiceTypeMatch {
  const code = serviceType.trim().toUpperCase();
  if (code === "" || GENERIC_SMPP_TYPES.has(code))
    return defaultCategory === null ? NO_MATCH : { ok: true, category: defaultCategory };
  const category = Object.hasOwn(SERVICE_TYPES, code)
    ? SERVICE_TYPES[code]
    : Object.hasOwn(extra, code)
      ? extra[code]
      : undefined;
  return category === undefined ? NO_MATCH : { ok: true, category };
}

/** The short code of a category (built-in first, then `extra`), or null: what anning sends upstream. */
export function serviceTypeForCategory(
  category: string,
  extra: Readonly<Record<string, string>> = {},
): string | null {
  for (const table of [SERVICE_TYPES, extra])
    for (const [code, c] of Object.entries(table)) if (c === category) return code;
  return null;
}

/**
 * Problems with a map of extra service type codes, one sentence each (empty when it is fine): codes must
 * be 1–5 upper-case letters or digits, not a built-in code, and name a well-formed category.
 */
export function checkExtraServiceTypes(extra: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  for (const [code, category] of Object.entries(extra)) {
    if (!CODE.test(code)) problems.push(`service type "${code}" must be 1–5 upper-case letters or digits`);
    else if (Object.hasOwn(SERVICE_TYPES, code)) problems.push(`service type "${code}" is built in`);
    if (!isWellFormedCategory(category))
      problems.push(`service type "${code}" names a malformed category "${category}"`);
  }
  return problems;
}
