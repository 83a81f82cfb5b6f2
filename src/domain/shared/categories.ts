/**
 * Message categories. The set is extensible through the policy file; these are the built-in ones.
 * Every category starting with `marketing.` is marketing: it needs consent and meets quiet hours.
 */
export const BUILTIN_CATEGORIES = [
  "marketing.retail",
  "marketing.finance",
  "notification",
  "verification",
] as const;

export type Category = string;

/** Whether a category is marketing (needs consent, quiet hours, caps, opt-out text). */
export function isMarketing(category: Category): boolean {
  return category.startsWith("marketing.");
}

/** Category names are lower-case dotted words: `marketing.retail`, `notification`. */
export function isWellFormedCategory(category: string): boolean {
  return /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(category) && category.length <= 64;
}
