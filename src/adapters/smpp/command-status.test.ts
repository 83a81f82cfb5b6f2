import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { byPrecedence, REASON_CODES } from "../../domain/policy/reason-codes.js";
import {
  errorToSmppStatus,
  isTemporaryStatus,
  reasonToSmppStatus,
  refusalStatus,
  SMPP_STATUS,
} from "./command-status.js";
import { DOMAIN_ERROR_CODES, formatStatus, smppStatusTable } from "./command-status-table.js";

const KANNEL_TEMPORARY = [0x08, 0x14, 0x58, 0x64];

describe("reasonToSmppStatus", () => {
  it("numbers every reason 0x400 + its precedence, except RECIPIENT_INVALID → ESME_RINVDSTADR", () => {
    REASON_CODES.forEach((code, i) => {
      const expected = code === "RECIPIENT_INVALID" ? 0x0b : 0x400 + i;
      expect(reasonToSmppStatus(code), code).toBe(expected);
    });
    expect(reasonToSmppStatus("SENDER_UNKNOWN")).toBe(0x400);
    expect(reasonToSmppStatus("SENDER_SUSPENDED")).toBe(0x401);
    expect(reasonToSmppStatus("CONSENT_MISSING")).toBe(0x40e);
  });

  it("gives every reason a distinct, permanent status", () => {
    const statuses = REASON_CODES.map(reasonToSmppStatus);
    expect(new Set(statuses).size).toBe(REASON_CODES.length);
    for (const s of statuses) {
      expect(KANNEL_TEMPORARY).not.toContain(s);
      expect(isTemporaryStatus(s)).toBe(false);
      expect(s === 0x0b || (s >= 0x400 && s <= 0x4ff)).toBe(true);
    }
  });
});

describe("refusalStatus", () => {
  it("answers the primary (first by precedence) reason's status", () => {
    const reasons = byPrecedence(["QUIET_HOURS", "CONSENT_MISSING", "SIGNATURE_SCOPE"]);
    expect(refusalStatus(reasons)).toBe(reasonToSmppStatus("SIGNATURE_SCOPE"));
    expect(refusalStatus([{ code: "RECIPIENT_INVALID" }, { code: "DND" }])).toBe(0x0b);
  });

  it("refuses an empty list", () => {
    expect(() => refusalStatus([])).toThrow(/without reasons/);
  });
});

describe("errorToSmppStatus", () => {
  it("maps the temporary faults to statuses clients retry", () => {
    expect(errorToSmppStatus("RATE_LIMITED")).toBe(0x58);
    expect(errorToSmppStatus("SERVICE_DEGRADED")).toBe(0x14);
  });

  it("maps the faults with a standard meaning to their standard status", () => {
    expect(errorToSmppStatus("CATEGORY_UNKNOWN")).toBe(0x15);
    expect(errorToSmppStatus("RECIPIENT_INVALID")).toBe(0x0b);
    expect(errorToSmppStatus("PORT_NUMBER_INVALID")).toBe(0x0a);
    expect(errorToSmppStatus("VALIDATION_FAILED")).toBe(0x01);
    expect(errorToSmppStatus("FORBIDDEN")).toBe(0x4ff);
  });

  it("keeps every other fault permanent and never answers ESME_RSYSERR", () => {
    for (const code of DOMAIN_ERROR_CODES) {
      const s = errorToSmppStatus(code);
      if (code === "RATE_LIMITED" || code === "SERVICE_DEGRADED") continue;
      expect(KANNEL_TEMPORARY, code).not.toContain(s);
      expect(isTemporaryStatus(s), code).toBe(false);
    }
  });

  it("does not reuse a policy reason's vendor status", () => {
    const reasonStatuses = new Set(REASON_CODES.map(reasonToSmppStatus));
    for (const code of DOMAIN_ERROR_CODES) {
      if (code === "RECIPIENT_INVALID") continue;
      expect(reasonStatuses.has(errorToSmppStatus(code)), code).toBe(false);
    }
  });
});

describe("SMPP_STATUS", () => {
  it("uses the standard statuses where they exist and permanent vendor ones otherwise", () => {
    expect(SMPP_STATUS).toEqual({
      SERVICE_TYPE_UNKNOWN: 0x15,
      DATA_CODING_UNSUPPORTED: 0x104,
      UCS2_ODD_LENGTH: 0x01,
      CONCAT_INVALID: 0x4e1,
      NOT_BOUND_FOR_SUBMIT: 0x04,
      SCHEDULE_INVALID: 0x61,
      VALIDITY_INVALID: 0x62,
      QUERY_FAILED: 0x67,
      CANCEL_FAILED: 0x11,
      DISTRIBUTION_LIST_UNSUPPORTED: 0x34,
      CONCAT_IN_MULTI: 0x43,
    });
  });
});

describe("smppStatusTable", () => {
  const table = smppStatusTable();
  const rowOf = (status: number) => table.find((r) => r.status === formatStatus(status));

  it("documents every status anning answers, once, sorted", () => {
    const statuses = table.map((r) => Number.parseInt(r.status, 16));
    expect(new Set(statuses).size).toBe(table.length);
    expect([...statuses].sort((a, b) => a - b)).toEqual(statuses);
    for (const r of table) {
      expect(r.status).toMatch(/^0x[0-9A-F]{4}$/);
      expect(r.name).not.toBe("");
      expect(r.meaning).not.toBe("");
    }
  });

  it("has a row naming each reason, error and SMPP refusal", () => {
    const codes = table.flatMap((r) => r.codes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of REASON_CODES) {
      const row = rowOf(reasonToSmppStatus(code));
      expect(row?.codes, code).toContain(`reason:${code}`);
    }
    for (const code of DOMAIN_ERROR_CODES) {
      const row = rowOf(errorToSmppStatus(code));
      expect(row?.codes, code).toContain(`error:${code}`);
    }
    for (const [code, status] of Object.entries(SMPP_STATUS))
      expect(rowOf(status)?.codes).toContain(`smpp:${code}`);
  });

  it("gives each policy reason (but RECIPIENT_INVALID) a row of its own, named after it", () => {
    for (const code of REASON_CODES) {
      if (code === "RECIPIENT_INVALID") continue;
      const row = rowOf(reasonToSmppStatus(code));
      expect(row?.codes).toEqual([`reason:${code}`]);
      expect(row?.name).toBe(code);
      expect(row?.meaning).toMatch(/^[A-Z]/);
      expect(row?.meaning).not.toContain("。");
    }
    expect(rowOf(0x0b)?.name).toBe("ESME_RINVDSTADR");
    expect(rowOf(0x0b)?.codes).toEqual(["reason:RECIPIENT_INVALID", "error:RECIPIENT_INVALID"]);
  });

  it("marks only RATE_LIMITED and SERVICE_DEGRADED temporary, and no permanent row uses a retried status", () => {
    const temporary = table.filter((r) => r.temporary);
    expect(temporary.flatMap((r) => r.codes).sort()).toEqual([
      "error:RATE_LIMITED",
      "error:SERVICE_DEGRADED",
    ]);
    expect(temporary.map((r) => r.name).sort()).toEqual(["ESME_RMSGQFUL", "ESME_RTHROTTLED"]);
    for (const r of table.filter((x) => !x.temporary))
      expect(KANNEL_TEMPORARY.map(formatStatus), r.name).not.toContain(r.status);
  });

  it("is documented row for row in the README", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    for (const r of table)
      expect(readme).toContain(
        `| \`${r.status}\` | ${r.name} | ${r.codes.join(", ")} | ${r.temporary ? "**temporary**: retried" : "permanent"} |`,
      );
  });
});
