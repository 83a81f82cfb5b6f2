import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readUdh, type SmsPart, splitText } from "./concat.js";
import { PduError, STATUS } from "./pdu.js";
import { decodeText } from "./text.js";

/** Checks each part's UDH and returns the text the parts carry. */
function reassemble(parts: SmsPart[], ref: number): string {
  if (parts.length === 1 && parts[0]?.udh === false) {
    return decodeText(parts[0].dataCoding, parts[0].shortMessage);
  }
  const payloads = parts.map((p, i) => {
    expect(p.udh).toBe(true);
    expect(p.dataCoding).toBe(parts[0]?.dataCoding);
    expect(p.shortMessage.length).toBeLessThanOrEqual(140 + 19);
    expect(readUdh(p.shortMessage)).toEqual({
      headerLength: 6,
      concat: { ref: ref & 0xff, total: parts.length, seq: i + 1 },
    });
    return p.shortMessage.subarray(6);
  });
  return decodeText(parts[0]?.dataCoding ?? 0, Buffer.concat(payloads));
}

describe("readUdh", () => {
  it("reads an 8-bit reference concatenation element", () => {
    expect(readUdh(Buffer.from([5, 0, 3, 0xab, 3, 2, 0x41]))).toEqual({
      headerLength: 6,
      concat: { ref: 0xab, total: 3, seq: 2 },
    });
  });

  it("reads a 16-bit reference element and skips others", () => {
    const sm = Buffer.from([9, 0x24, 1, 0x01, 0x08, 4, 0x12, 0x34, 5, 5, 0x41, 0x42]);
    expect(readUdh(sm)).toEqual({ headerLength: 10, concat: { ref: 0x1234, total: 5, seq: 5 } });
    expect(readUdh(Buffer.from([3, 0x24, 1, 0x01]))).toEqual({ headerLength: 4 });
  });

  it("flags a concatenation element with total or sequence 0, or sequence past total, as invalid", () => {
    const invalid = { headerLength: 6, invalidConcat: true };
    expect(readUdh(Buffer.from([5, 0, 3, 1, 0, 1]))).toEqual(invalid);
    expect(readUdh(Buffer.from([5, 0, 3, 1, 0, 0]))).toEqual(invalid);
    expect(readUdh(Buffer.from([5, 0, 3, 1, 2, 0]))).toEqual(invalid);
    expect(readUdh(Buffer.from([5, 0, 3, 1, 2, 3]))).toEqual(invalid);
    expect(readUdh(Buffer.from([5, 0, 3, 1, 3, 4, 0x41]))).toEqual(invalid);
    // 16-bit reference
    expect(readUdh(Buffer.from([6, 8, 4, 0x12, 0x34, 3, 4]))).toEqual({
      headerLength: 7,
      invalidConcat: true,
    });
    expect(readUdh(Buffer.from([6, 8, 4, 0x12, 0x34, 3, 0]))).toEqual({
      headerLength: 7,
      invalidConcat: true,
    });
    expect(readUdh(Buffer.from([6, 8, 4, 0x12, 0x34, 0, 1]))).toEqual({
      headerLength: 7,
      invalidConcat: true,
    });
  });

  it("flags a concatenation element of the wrong length, and an invalid one beside a valid one", () => {
    expect(readUdh(Buffer.from([4, 0, 2, 1, 3]))).toEqual({ headerLength: 5, invalidConcat: true });
    expect(readUdh(Buffer.from([5, 8, 3, 0x12, 0x34, 3]))).toEqual({ headerLength: 6, invalidConcat: true });
    expect(readUdh(Buffer.from([11, 0, 3, 1, 3, 4, 8, 4, 0x12, 0x34, 3, 1]))).toEqual({
      headerLength: 12,
      invalidConcat: true,
    });
    expect(readUdh(Buffer.from([11, 8, 4, 0x12, 0x34, 3, 1, 0, 3, 1, 3, 4]))).toEqual({
      headerLength: 12,
      invalidConcat: true,
    });
  });

  it("reads part 1 of 1 as a valid element, and a header without one as no concatenation", () => {
    expect(readUdh(Buffer.from([5, 0, 3, 7, 1, 1]))).toEqual({
      headerLength: 6,
      concat: { ref: 7, total: 1, seq: 1 },
    });
    expect(readUdh(Buffer.from([6, 8, 4, 0, 7, 1, 1]))).toEqual({
      headerLength: 7,
      concat: { ref: 7, total: 1, seq: 1 },
    });
    expect(readUdh(Buffer.from([8, 0x0a, 3, 0, 4, 0x10, 0x24, 1, 1, 0x41]))).toEqual({ headerLength: 9 });
    expect(readUdh(Buffer.from([0, 0x41]))).toEqual({ headerLength: 1 });
  });

  it("throws a non-fatal PduError when the header runs past the end", () => {
    for (const bad of [[], [6, 0, 3, 1, 2, 1], [5, 0, 4, 1, 2, 1], [1, 0], [2, 0, 1]]) {
      let err: unknown;
      try {
        readUdh(Buffer.from(bad));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PduError);
      expect(err).toMatchObject({ status: STATUS.ESME_RINVMSGLEN, fatal: false });
    }
  });
});

describe("splitText", () => {
  it("keeps a text that fits one SMS in one part without UDH", () => {
    expect(splitText("a".repeat(160), 1)).toEqual([
      { dataCoding: 0, shortMessage: Buffer.from("a".repeat(160)), udh: false },
    ]);
    expect(splitText("中".repeat(70), 1)).toHaveLength(1);
    expect(splitText("", 1)).toEqual([{ dataCoding: 0, shortMessage: Buffer.alloc(0), udh: false }]);
    expect(splitText("€".repeat(80), 1)).toHaveLength(1);
    expect(splitText("€".repeat(81), 1)).toHaveLength(2);
  });

  it("splits long GSM text into 153-septet parts", () => {
    const text = "The quick brown fox jumps over the lazy dog. ".repeat(10);
    const parts = splitText(text, 0x1234);
    expect(parts).toHaveLength(3);
    expect(parts.map((p) => p.shortMessage.length)).toEqual([159, 159, 450 - 306 + 6]);
    expect(parts[0]?.shortMessage.subarray(0, 6)).toEqual(Buffer.from([5, 0, 3, 0x34, 3, 1]));
    expect(reassemble(parts, 0x1234)).toBe(text);
  });

  it("never splits an escape pair", () => {
    const text = `${"a".repeat(152)}€${"b".repeat(20)}`;
    const parts = splitText(text, 9);
    expect(parts[0]?.shortMessage.length).toBe(6 + 152);
    expect(reassemble(parts, 9)).toBe(text);
  });

  it("splits long Chinese text into 67-character parts", () => {
    const text = "尊敬的客户，您本月的话费账单已生成，请登录网上营业厅查询详情。".repeat(8);
    const parts = splitText(text, 200);
    expect(parts).toHaveLength(Math.ceil(text.length / 67));
    expect(parts.every((p) => p.dataCoding === 8)).toBe(true);
    expect(parts[0]?.shortMessage.length).toBe(6 + 134);
    expect(reassemble(parts, 200)).toBe(text);
  });

  it("never splits a surrogate pair", () => {
    const text = `${"a".repeat(66)}😀${"中".repeat(10)}`;
    const parts = splitText(text, 3);
    expect(parts[0]?.shortMessage.length).toBe(6 + 132);
    expect(reassemble(parts, 3)).toBe(text);
  });

  it("refuses a text over 255 parts", () => {
    expect(splitText("中".repeat(67 * 255), 1)).toHaveLength(255);
    expect(() => splitText("中".repeat(67 * 255 + 1), 1)).toThrow(Error);
  });

  it("reassembles to the original text, whatever the text", () => {
    const unit = fc.oneof(
      fc.constantFrom("a", "€", "{", " ", "中", "😀"),
      fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 700 }), fc.nat(0xffff), (text, ref) => {
        expect(reassemble(splitText(text, ref), ref)).toBe(text);
      }),
    );
  });
});
