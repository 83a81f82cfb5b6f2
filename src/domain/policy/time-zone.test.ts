import { describe, expect, it } from "vitest";
import { isTimeZone, utcOffsetMs } from "./local-time.js";
import { DEFAULT_POLICY, parsePolicy } from "./policy.js";

describe("the service's time zone (policy defaultTimeZone)", () => {
  it("is Asia/Shanghai, UTC+8, unless the policy file says otherwise", () => {
    expect(DEFAULT_POLICY.defaultTimeZone).toBe("Asia/Shanghai");
    expect(utcOffsetMs("Asia/Shanghai", Date.UTC(2026, 0, 1))).toBe(8 * 3600_000);
    expect(parsePolicy({ ...DEFAULT_POLICY, defaultTimeZone: "Europe/Berlin" }).defaultTimeZone).toBe(
      "Europe/Berlin",
    );
  });

  it("follows summer time where the zone has it", () => {
    expect(utcOffsetMs("Europe/Berlin", Date.UTC(2026, 0, 15))).toBe(3600_000);
    expect(utcOffsetMs("Europe/Berlin", Date.UTC(2026, 6, 15))).toBe(2 * 3600_000);
  });

  it("refuses a name that is no time zone at load, naming the setting", () => {
    expect(isTimeZone("Asia/Shanghai")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(() => parsePolicy({ ...DEFAULT_POLICY, defaultTimeZone: "Mars/Olympus" })).toThrow(
      /defaultTimeZone: not a time zone/,
    );
  });
});
