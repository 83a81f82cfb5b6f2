import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeText, encodeGsm, encodeText, encodeUcs2, isWholeText } from "./text.js";

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXT = "€[]{}\\~^|\f";
const gsmChars = [...GSM_BASIC, ...GSM_EXT];
/** Any code points, lone surrogates included (fc's "binary" unit is slow to generate). */
const anyText = (maxLength: number) =>
  fc.array(fc.integer({ min: 0, max: 0x10ffff }), { maxLength }).map((cps) => String.fromCodePoint(...cps));

describe("GSM 03.38", () => {
  it("maps the default alphabet one septet per character", () => {
    const bytes = encodeGsm(GSM_BASIC);
    expect(bytes?.length).toBe(127);
    expect(bytes?.[0]).toBe(0x00);
    expect(encodeGsm("@£$¥")).toEqual(Buffer.from([0x00, 0x01, 0x02, 0x03]));
    expect(encodeGsm("Δ¤¡§¿à")).toEqual(Buffer.from([0x10, 0x24, 0x40, 0x5f, 0x60, 0x7f]));
    expect(decodeText(0, bytes ?? Buffer.alloc(0))).toBe(GSM_BASIC);
  });

  it("escapes extension characters with 0x1B", () => {
    expect(encodeGsm("€[]{}\\~^|\f")).toEqual(
      Buffer.from([
        27, 0x65, 27, 0x3c, 27, 0x3e, 27, 0x28, 27, 0x29, 27, 0x2f, 27, 0x3d, 27, 0x14, 27, 0x40, 27, 0x0a,
      ]),
    );
    expect(decodeText(0, Buffer.from([0x41, 27, 0x65, 0x42]))).toBe("A€B");
  });

  it("returns null for characters outside the alphabet", () => {
    expect(encodeGsm("你好")).toBeNull();
    expect(encodeGsm("ç")).toBeNull();
    expect(encodeGsm("😀")).toBeNull();
    expect(encodeGsm("`")).toBeNull();
  });

  it("round-trips any text of GSM characters", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...gsmChars), maxLength: 400 }), (s) => {
        expect(decodeText(0, encodeGsm(s) ?? Buffer.alloc(0))).toBe(s);
      }),
    );
  });

  it("decodes odd input without throwing", () => {
    expect(decodeText(0, Buffer.from([0x41, 0x1b]))).toBe("A");
    expect(decodeText(0, Buffer.from([0x1b, 0x41]))).toBe("A");
    expect(decodeText(0, Buffer.from([0x1b, 0x1b]))).toBe(" ");
    expect(decodeText(0, Buffer.from([0xe9]))).toBe("é");
  });
});

describe("UCS2", () => {
  it("encodes UTF-16BE and decodes it back, surrogate pairs included", () => {
    expect(encodeUcs2("A中😀")).toEqual(Buffer.from([0x00, 0x41, 0x4e, 0x2d, 0xd8, 0x3d, 0xde, 0x00]));
    expect(decodeText(8, Buffer.from([0x00, 0x41, 0x4e, 0x2d, 0xd8, 0x3d, 0xde, 0x00]))).toBe("A中😀");
  });

  it("ignores an odd trailing octet", () => {
    expect(decodeText(8, Buffer.from([0x4e, 0x2d, 0x4e]))).toBe("中");
    expect(decodeText(8, Buffer.from([0x4e]))).toBe("");
  });

  it("takes an even number of octets as whole text, an odd one as not (one-octet codings always)", () => {
    expect(isWholeText(8, Buffer.from([0x4e, 0x2d]))).toBe(true);
    expect(isWholeText(8, Buffer.alloc(0))).toBe(true);
    expect(isWholeText(8, Buffer.from([0x4e, 0x2d, 0x4e]))).toBe(false);
    expect(isWholeText(8, Buffer.from([0x4e]))).toBe(false);
    for (const dc of [0, 1, 3]) expect(isWholeText(dc, Buffer.from([0x41, 0x42, 0x43]))).toBe(true);
    fc.assert(
      fc.property(anyText(100), fc.integer({ min: 0, max: 255 }), (s, extra) => {
        expect(isWholeText(8, encodeUcs2(s))).toBe(true);
        expect(isWholeText(8, Buffer.concat([encodeUcs2(s), Buffer.from([extra])]))).toBe(false);
      }),
    );
  });

  it("round-trips any text", () => {
    fc.assert(
      fc.property(anyText(200), (s) => {
        expect(decodeText(8, encodeUcs2(s))).toBe(s);
      }),
    );
  });
});

describe("decodeText", () => {
  it("reads IA5, Latin-1, binary and unknown codings as Latin-1", () => {
    expect(decodeText(1, Buffer.from("Hello, world"))).toBe("Hello, world");
    expect(decodeText(3, Buffer.from("Grüße, café", "latin1"))).toBe("Grüße, café");
    expect(decodeText(4, Buffer.from([0xff, 0x00, 0x41]))).toBe("\u00ff\u0000A");
    expect(decodeText(2, Buffer.from([0x80]))).toBe("\u0080");
    expect(decodeText(0xf5, Buffer.from("abc"))).toBe("abc");
  });

  it("round-trips Latin-1 text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)) }),
        (s) => {
          expect(decodeText(3, Buffer.from(s, "latin1"))).toBe(s);
        },
      ),
    );
  });

  it("never throws", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 300 }), (dc, b) => {
        expect(typeof decodeText(dc, Buffer.from(b))).toBe("string");
      }),
      { numRuns: 1000 },
    );
  });
});

describe("encodeText", () => {
  it("picks GSM when it can and UCS2 otherwise", () => {
    expect(encodeText("Your code is 1234 {ok}")).toEqual({
      dataCoding: 0,
      bytes: encodeGsm("Your code is 1234 {ok}"),
    });
    const zh = encodeText("您的验证码是1234");
    expect(zh.dataCoding).toBe(8);
    expect(decodeText(zh.dataCoding, zh.bytes)).toBe("您的验证码是1234");
    const emoji = encodeText("ok 👍");
    expect(emoji.dataCoding).toBe(8);
    expect(decodeText(8, emoji.bytes)).toBe("ok 👍");
  });
});
