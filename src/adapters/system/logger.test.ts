import { describe, expect, it } from "vitest";
import { censorLogValue } from "./logger.js";

describe("log redaction", () => {
  it("masks numbers under phone, from and to as everywhere else, and hides texts", () => {
    expect(censorLogValue("+8613812345678", ["to"])).toBe("138****5678");
    expect(censorLogValue("13812345678", ["phone"])).toBe("138****5678");
    expect(censorLogValue("8613812345678", ["from"])).toBe("138****5678");
    // masked by the caller already: as is
    expect(censorLogValue("138****5678", ["to"])).toBe("138****5678");
    expect(censorLogValue("【好物商城】双11大促", ["text"])).toBe("[redacted]");
    expect(censorLogValue("anything", ["body"])).toBe("[redacted]");
    expect(censorLogValue(13812345678, ["phone"])).toBe("[redacted]");
    expect(censorLogValue("13812345678", ["to"])).not.toContain("12345678");
  });
});
