import { describe, expect, it } from "vitest";
import { DomainError } from "../shared/domain-error.js";
import { DEFAULT_POLICY, parsePolicy } from "./policy.js";
import { assertTightens, effectiveProfile } from "./tighten.js";

const base = DEFAULT_POLICY.defaults;

describe("policy overrides", () => {
  it("accept only tightening", () => {
    expect(() =>
      assertTightens(base, { perSenderPerDay: 0, marketingHours: { start: "09:00", end: "20:00" } }),
    ).not.toThrow();
    for (const loose of [
      { perSenderPerDay: 2 },
      { perRecipientPerDay: 6 },
      { marketingHours: { start: "07:00", end: "20:00" } },
      { marketingHours: { start: "09:00", end: "22:00" } },
      { requireOptOutText: false },
      { verification: { perMinute: 2 } },
    ]) {
      expect(() => assertTightens(base, loose)).toThrow(DomainError);
    }
  });

  it("promotion periods tighten on their dates only", () => {
    const policy = parsePolicy({
      defaults: base,
      promotions: [
        {
          name: "double11",
          from: "2026-11-01",
          to: "2026-11-11",
          profile: { perRecipientPerDay: 2, marketingHours: { start: "09:00", end: "20:00" } },
        },
      ],
    });
    expect(effectiveProfile(policy, "2026-11-11", undefined).perRecipientPerDay).toBe(2);
    expect(effectiveProfile(policy, "2026-11-12", undefined).perRecipientPerDay).toBe(5);
    // a promotion cannot loosen the defaults
    const loose = parsePolicy({
      defaults: base,
      promotions: [{ name: "x", from: "2026-01-01", to: "2026-12-31", profile: { perRecipientPerDay: 50 } }],
    });
    expect(effectiveProfile(loose, "2026-06-01", undefined).perRecipientPerDay).toBe(5);
  });

  it("takes the built-in value for every default a policy file leaves out", () => {
    expect(parsePolicy({}).defaults).toEqual(base);
    const some = parsePolicy({ defaults: { perRecipientPerDay: 3, verification: { perDay: 4 } } }).defaults;
    expect(some).toEqual({
      ...base,
      perRecipientPerDay: 3,
      verification: { ...base.verification, perDay: 4 },
    });
    expect(base).toEqual({
      marketingHours: { start: "08:00", end: "21:00" },
      perSenderPerDay: 1,
      perRecipientPerDay: 5,
      verification: { perMinute: 1, perHour: 5, perDay: 10 },
      requireOptOutText: true,
    });
  });

  it("refuses a malformed policy file with the path", () => {
    expect(() => parsePolicy({ defaults: { ...base, perSenderPerDay: -1 } })).toThrow(/perSenderPerDay/);
    expect(() => parsePolicy({ defaults: base, surprise: 1 })).toThrow(DomainError);
  });
});
