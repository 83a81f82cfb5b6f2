import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CARRIERS, type Carrier, carrierOfNumber, parseCarrier } from "./carriers.js";

const n = (segment: string) => `+86${segment}${"12345678".slice(0, 11 - segment.length)}`;

const EXPECTED: Record<Carrier, string[]> = {
  cmcc: [
    ...["1340", "1345", "1348"],
    ...["135", "136", "137", "138", "139", "147", "148", "150", "151", "152", "157", "158", "159"],
    ...["165", "172", "178", "182", "183", "184", "187", "188", "195", "197", "198"],
    ...["1703", "1705", "1706"],
  ],
  cucc: [
    ...[
      "130",
      "131",
      "132",
      "145",
      "146",
      "155",
      "156",
      "166",
      "167",
      "171",
      "175",
      "176",
      "185",
      "186",
      "196",
    ],
    ...["1704", "1707", "1708", "1709"],
  ],
  ctcc: [
    ...["133", "149", "153", "162", "173", "177", "180", "181", "189", "190", "191", "193", "199"],
    ...["1349", "17400", "17403", "17405", "1700", "1701", "1702"],
  ],
  cbn: ["192"],
};

describe("carrierOfNumber", () => {
  for (const [carrier, segments] of Object.entries(EXPECTED))
    it(`knows ${carrier}'s segments`, () => {
      for (const s of segments) expect(carrierOfNumber(n(s)), s).toBe(carrier);
    });

  it("accepts E.164 without the plus", () => {
    expect(carrierOfNumber("8613812345678")).toBe("cmcc");
  });

  it("answers null for unallocated segments and the rest of 174", () => {
    for (const s of [
      "140",
      "141",
      "143",
      "144",
      "154",
      "160",
      "161",
      "163",
      "164",
      "168",
      "169",
      "179",
      "194",
    ])
      expect(carrierOfNumber(n(s)), s).toBeNull();
    expect(carrierOfNumber(n("17406"))).toBeNull();
    expect(carrierOfNumber(n("1741"))).toBeNull();
  });

  it("answers null outside +86 and for malformed input", () => {
    expect(carrierOfNumber("+14155552671")).toBeNull();
    expect(carrierOfNumber("+85291234567")).toBeNull();
    expect(carrierOfNumber("+861381234567")).toBeNull();
    expect(carrierOfNumber("+86138123456789")).toBeNull();
    expect(carrierOfNumber("+86138123456a8")).toBeNull();
    expect(carrierOfNumber("+861012345678")).toBeNull();
    expect(carrierOfNumber("13812345678")).toBeNull();
    expect(carrierOfNumber("")).toBeNull();
  });

  it("never throws and answers a carrier or null for any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\+861\d{10}$/)), (s) => {
        const c = carrierOfNumber(s);
        expect(c === null || CARRIERS.includes(c)).toBe(true);
      }),
    );
  });
});

describe("parseCarrier", () => {
  it("reads codes in any case and Chinese names", () => {
    expect(parseCarrier("CMCC")).toBe("cmcc");
    expect(parseCarrier(" cucc ")).toBe("cucc");
    expect(parseCarrier("移动")).toBe("cmcc");
    expect(parseCarrier("中国联通")).toBe("cucc");
    expect(parseCarrier("电信")).toBe("ctcc");
    expect(parseCarrier("广电")).toBe("cbn");
  });

  it("refuses anything else", () => {
    for (const s of ["", "mobile", "toString", "__proto__", "移动联通"])
      expect(parseCarrier(s), s).toBeNull();
  });
});
