import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILTIN_CATEGORIES } from "../../domain/shared/categories.js";
import {
  categoryForServiceType,
  checkExtraServiceTypes,
  SERVICE_TYPES,
  serviceTypeForCategory,
} from "./service-types.js";

describe("categoryForServiceType", () => {
  it("maps the built-in codes to the built-in categories", () => {
    expect(categoryForServiceType("MKTR", null)).toEqual({ ok: true, category: "marketing.retail" });
    expect(categoryForServiceType("MKTF", null)).toEqual({ ok: true, category: "marketing.finance" });
    expect(categoryForServiceType("NTF", null)).toEqual({ ok: true, category: "notification" });
    expect(categoryForServiceType("VRF", null)).toEqual({ ok: true, category: "verification" });
    expect(Object.values(SERVICE_TYPES).sort()).toEqual([...BUILTIN_CATEGORIES].sort());
  });

  it("ignores case and surrounding blanks", () => {
    expect(categoryForServiceType(" mktr ", null)).toEqual({ ok: true, category: "marketing.retail" });
    expect(categoryForServiceType("Vrf", "notification")).toEqual({ ok: true, category: "verification" });
  });

  it("takes the default for an empty service type, and fails without one", () => {
    expect(categoryForServiceType("", "notification")).toEqual({ ok: true, category: "notification" });
    expect(categoryForServiceType("  ", "marketing.retail")).toEqual({
      ok: true,
      category: "marketing.retail",
    });
    expect(categoryForServiceType("", null)).toEqual({ ok: false });
  });

  it("reads SMPP's generic service types (CMT, WAP…) as none given", () => {
    expect(categoryForServiceType("CMT", "notification")).toEqual({ ok: true, category: "notification" });
    expect(categoryForServiceType("wap", "marketing.retail")).toEqual({
      ok: true,
      category: "marketing.retail",
    });
    expect(categoryForServiceType("CMT", null)).toEqual({ ok: false });
  });

  it("refuses unknown codes even with a default", () => {
    expect(categoryForServiceType("XYZ", "notification")).toEqual({ ok: false });
    expect(categoryForServiceType("notification", null)).toEqual({ ok: false });
    expect(categoryForServiceType("toString", null)).toEqual({ ok: false });
    expect(categoryForServiceType("__proto__", null)).toEqual({ ok: false });
  });

  it("accepts extra codes, case-insensitively, without letting them redefine built-in ones", () => {
    const extra = { EDU: "marketing.education", NTF: "marketing.sneaky" };
    expect(categoryForServiceType("edu", null, extra)).toEqual({ ok: true, category: "marketing.education" });
    expect(categoryForServiceType("NTF", null, extra)).toEqual({ ok: true, category: "notification" });
  });

  it("never throws and answers only known categories", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.option(fc.constantFrom(...BUILTIN_CATEGORIES)), (s, d) => {
        const r = categoryForServiceType(s, d);
        if (r.ok) expect(BUILTIN_CATEGORIES as readonly string[]).toContain(r.category);
      }),
    );
  });
});

describe("serviceTypeForCategory", () => {
  it("gives the short code back", () => {
    for (const [code, category] of Object.entries(SERVICE_TYPES))
      expect(serviceTypeForCategory(category)).toBe(code);
    expect(serviceTypeForCategory("marketing.education", { EDU: "marketing.education" })).toBe("EDU");
    expect(serviceTypeForCategory("marketing.education")).toBeNull();
  });
});

describe("checkExtraServiceTypes", () => {
  it("accepts short upper-case codes for well-formed categories", () => {
    expect(checkExtraServiceTypes({ EDU: "marketing.education", GOV1: "government" })).toEqual([]);
  });

  it("names each bad entry", () => {
    expect(
      checkExtraServiceTypes({ toolong: "a", edu: "marketing.education", NTF: "x", OK: "Not A Category" }),
    ).toEqual([
      'service type "toolong" must be 1–5 upper-case letters or digits',
      'service type "edu" must be 1–5 upper-case letters or digits',
      'service type "NTF" is built in',
      'service type "OK" names a malformed category "Not A Category"',
    ]);
  });
});
