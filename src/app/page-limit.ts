import { DomainError } from "../domain/shared/domain-error.js";

/**
 * A listing's page size: `fallback` when not given, else a whole number from 1 to `max`; anything else is
 * refused rather than quietly changed (a caller asking for 0 or 5,000 should learn it did not get that).
 */
export function checkLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max)
    throw new DomainError("VALIDATION_FAILED", `limit must be a whole number from 1 to ${max}`, {
      field: "limit",
    });
  return limit;
}
