import { DomainError } from "../shared/domain-error.js";
import type { PartialProfile, PolicyFile, PolicyProfile } from "./policy.js";

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** [start, end) minutes of the day in which marketing may be sent. */
export function marketingWindow(p: PolicyProfile): [number, number] {
  return [minutes(p.marketingHours.start), minutes(p.marketingHours.end)];
}

/**
 * Applies a partial profile on top of a base, keeping whichever is stricter field by field, so an
 * override or promotion can never loosen the base.
 */
export function tighten(base: PolicyProfile, over: PartialProfile | undefined): PolicyProfile {
  if (!over) return base;
  const [bs, be] = marketingWindow(base);
  const hours = over.marketingHours
    ? {
        start:
          minutes(over.marketingHours.start) > bs ? over.marketingHours.start : base.marketingHours.start,
        end: minutes(over.marketingHours.end) < be ? over.marketingHours.end : base.marketingHours.end,
      }
    : base.marketingHours;
  const min = (a: number, b: number | undefined) => (b === undefined ? a : Math.min(a, b));
  return {
    marketingHours: hours,
    perSenderPerDay: min(base.perSenderPerDay, over.perSenderPerDay),
    perRecipientPerDay: min(base.perRecipientPerDay, over.perRecipientPerDay),
    verification: {
      perMinute: min(base.verification.perMinute, over.verification?.perMinute),
      perHour: min(base.verification.perHour, over.verification?.perHour),
      perDay: min(base.verification.perDay, over.verification?.perDay),
    },
    requireOptOutText: base.requireOptOutText || over.requireOptOutText === true,
  };
}

/**
 * Checks that an enterprise override only tightens the file's defaults; throws POLICY_NOT_TIGHTER
 * naming the first field that would loosen them.
 */
export function assertTightens(base: PolicyProfile, over: PartialProfile): void {
  const fail = (field: string) => {
    throw new DomainError("POLICY_NOT_TIGHTER", `override of ${field} would loosen the policy`, { field });
  };
  const [bs, be] = marketingWindow(base);
  if (over.marketingHours) {
    const s = minutes(over.marketingHours.start);
    const e = minutes(over.marketingHours.end);
    if (s < bs) fail("marketingHours.start");
    if (e > be) fail("marketingHours.end");
    if (e <= s) fail("marketingHours");
  }
  if (over.perSenderPerDay !== undefined && over.perSenderPerDay > base.perSenderPerDay)
    fail("perSenderPerDay");
  if (over.perRecipientPerDay !== undefined && over.perRecipientPerDay > base.perRecipientPerDay)
    fail("perRecipientPerDay");
  for (const k of ["perMinute", "perHour", "perDay"] as const) {
    const v = over.verification?.[k];
    if (v !== undefined && v > base.verification[k]) fail(`verification.${k}`);
  }
  if (over.requireOptOutText === false && base.requireOptOutText) fail("requireOptOutText");
}

/** The promotion period in force on a local calendar date (YYYY-MM-DD), if any. */
export function promotionOn(policy: PolicyFile, localDate: string) {
  return policy.promotions.filter((p) => p.from <= localDate && localDate <= p.to);
}

/** The profile in force for a sender on a local date: defaults, then promotions, then its override. */
export function effectiveProfile(
  policy: PolicyFile,
  localDate: string,
  override: PartialProfile | undefined,
): PolicyProfile {
  let p = policy.defaults;
  for (const promo of promotionOn(policy, localDate)) p = tighten(p, promo.profile);
  return tighten(p, override);
}
