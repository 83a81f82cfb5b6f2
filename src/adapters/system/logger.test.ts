import { describe, expect, it } from "vitest";
import { censorLogValue, logError } from "./logger.js";

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

  it("masks the numbers an error quotes, in its message, its driver's detail and its text", () => {
    const pgError = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      detail: "Key (phone)=(+8613812345678) already exists.",
    });
    const out = JSON.stringify(logError(pgError));
    expect(out).not.toContain("12345678");
    expect(out).toContain("138****5678");
    expect(out).toContain("23505");
    expect(logError("send to 13812345678 failed")).toBe("send to 138****5678 failed");
    expect(logError("claimed 200 in 1234 ms")).toBe("claimed 200 in 1234 ms");
  });
});
