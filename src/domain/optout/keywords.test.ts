import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  normalizeReply,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
  parseInboundReply,
  textHasOptOutInstruction,
} from "./keywords.js";

const OUT: readonly string[] = OPT_OUT_KEYWORDS;

/** Punctuation, symbols, whitespace and invisible characters that replies get wrapped in. */
const NOISE_CHARS = [
  " ",
  "\t",
  "\n",
  "\r",
  "\u3000",
  "\u00a0",
  "\u200b",
  "\ufeff",
  ".",
  ",",
  "!",
  "?",
  "~",
  "-",
  "_",
  "*",
  "#",
  "@",
  "(",
  ")",
  "[",
  "]",
  '"',
  "'",
  ":",
  ";",
  "。",
  "，",
  "！",
  "？",
  "、",
  "：",
  "；",
  "“",
  "”",
  "‘",
  "’",
  "（",
  "）",
  "【",
  "】",
  "《",
  "》",
  "…",
  "—",
  "～",
  "．",
  "＃",
  "😀",
  "👍",
  "❤️",
  "🙏🏻",
];
const noise = fc.array(fc.constantFrom(...NOISE_CHARS), { maxLength: 4 }).map((a) => a.join(""));

/** Randomly cases and optionally full-widths each ASCII letter. */
function restyle(keyword: string, flags: readonly boolean[], fullWidth: boolean): string {
  return Array.from(keyword)
    .map((ch, i) => {
      const c = flags[i % Math.max(flags.length, 1)] ? ch.toLowerCase() : ch;
      if (!fullWidth || !/[A-Za-z]/.test(c)) return c;
      return String.fromCharCode((c.codePointAt(0) ?? 0) + 0xfee0);
    })
    .join("");
}

describe("normalizeReply", () => {
  it("folds width and case and strips noise", () => {
    expect(normalizeReply(" ｔｄ！ ")).toBe("TD");
    expect(normalizeReply("t d")).toBe("TD");
    expect(normalizeReply("Yes.")).toBe("YES");
    expect(normalizeReply("T\u200bD")).toBe("TD");
  });

  it("removes known signatures only", () => {
    expect(normalizeReply("【好物商城】TD", ["好物商城"])).toBe("TD");
    expect(normalizeReply("TD【好物商城】", ["好物商城"])).toBe("TD");
    expect(normalizeReply("【 好物商城 】 td", ["好物商城"])).toBe("TD");
    expect(normalizeReply("【别家】TD", ["好物商城"])).toBe("别家TD");
    expect(normalizeReply("【好物商城】TD")).toBe("好物商城TD");
    expect(normalizeReply("好物商城：TD", ["好物商城"])).toBe("TD");
    expect(normalizeReply("TD 好物商城", ["好物商城"])).toBe("TD");
    expect(normalizeReply("好物商城", ["好物商城"])).toBe("好物商城");
  });
});

describe("parseInboundReply", () => {
  const cases: Array<[string, string, string?]> = [
    ["退订", "opt_out", "退订"],
    [" td ", "opt_out", "TD"],
    ["ＴＤ", "opt_out", "TD"],
    ["TD!", "opt_out", "TD"],
    ["t d", "opt_out", "TD"],
    ["Stop", "opt_out", "STOP"],
    ["拒收。", "opt_out", "拒收"],
    ["unsubscribe", "opt_out", "UNSUBSCRIBE"],
    ["y", "opt_in_confirm", "Y"],
    ["是", "opt_in_confirm", "是"],
    ["Yes.", "opt_in_confirm", "YES"],
    ["STOPWATCH多少钱", "none"],
    ["不要退订", "none"],
    ["", "none"],
    ["TDTD", "none"],
    ["no", "none"],
    // refusals inside a short reply
    ["TD 谢谢", "opt_out", "TD"],
    ["请帮我退订", "opt_out", "退订"],
    ["退订谢谢", "opt_out", "退订"],
    ["我要退 订！", "opt_out", "退订"],
    ["怎么退订？", "opt_out", "退订"],
    ["不要再发了", "opt_out", "不要再发"],
    ["别再给我发短信了，烦", "opt_out", "别再给我发"],
    ["取消订阅", "opt_out", "取消订阅"],
    ["unsubscribe please", "opt_out", "UNSUBSCRIBE"],
    ["Please stop texting me", "opt_out", "STOP"],
    ["opt out", "opt_out", "OPTOUT"],
    // …unless negated, ambiguous, about someone else, or a long conversation
    ["先不退订", "none"],
    ["我不要退订，谢谢", "none"],
    ["别拒收", "none"],
    ["Don't stop", "none"],
    ["don’t unsubscribe me", "none"],
    ["取消订单", "none"],
    ["T恤还有吗", "none"],
    ["END of story", "none"],
    ["【别家】退订", "none"],
    [`${"请问这件衣服还有货吗".repeat(7)}退订`, "none"],
  ];
  for (const [text, kind, keyword] of cases) {
    it(`${JSON.stringify(text)} → ${kind}`, () => {
      const intent = parseInboundReply(text);
      expect(intent.kind).toBe(kind);
      if (keyword !== undefined) expect(intent).toEqual({ kind, keyword });
    });
  }

  it("strips the sender's signature", () => {
    expect(parseInboundReply("【好物商城】TD", ["好物商城"])).toEqual({ kind: "opt_out", keyword: "TD" });
    expect(parseInboundReply("【别家】TD", ["好物商城"])).toEqual({ kind: "none" });
  });

  it("(a) any keyword wrapped in noise with random case is an opt-out", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPT_OUT_KEYWORDS),
        noise,
        noise,
        fc.array(fc.boolean(), { minLength: 1, maxLength: 11 }),
        fc.boolean(),
        fc.boolean(),
        (keyword, before, after, flags, fullWidth, spread) => {
          let body = restyle(keyword, flags, fullWidth);
          if (spread) body = Array.from(body).join(" ");
          expect(parseInboundReply(`${before}${body}${after}`)).toEqual({ kind: "opt_out", keyword });
        },
      ),
    );
  });

  it("(a') opt-in keywords behave the same way", () => {
    fc.assert(
      fc.property(fc.constantFrom(...OPT_IN_KEYWORDS), noise, noise, (keyword, before, after) => {
        expect(parseInboundReply(`${before}${keyword.toLowerCase()}${after}`)).toEqual({
          kind: "opt_in_confirm",
          keyword,
        });
      }),
    );
  });

  it("(b) a Latin keyword run into further letters or digits is never an opt-out", () => {
    const extraChar = fc.oneof(
      fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
      fc.constantFrom("é", "ß", "Ω", "ж", "Ｘ", "ａ"),
    );
    const extra = fc.array(extraChar, { minLength: 1, maxLength: 4 }).map((a) => a.join(""));
    const latin = OPT_OUT_KEYWORDS.filter((k) => /^[A-Z]+$/.test(k));
    fc.assert(
      fc.property(fc.constantFrom(...latin), extra, extra, fc.nat(2), (keyword, x, y, where) => {
        const text = where === 0 ? `${x}${keyword}` : where === 1 ? `${keyword}${x}` : `${x}${keyword}${y}`;
        // Letters can spell another keyword ("T" + "D" = "TD"); that is not an "extra" letter.
        fc.pre(!OUT.includes(text.normalize("NFKC").toUpperCase()));
        expect(parseInboundReply(text).kind).not.toBe("opt_out");
      }),
    );
    expect(parseInboundReply("T" + "D")).toEqual({ kind: "opt_out", keyword: "TD" });
  });

  it("(b') a Chinese keyword or a CJK letter next to a keyword leaves single letters and 取消 alone", () => {
    const cjk = fc
      .array(
        fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)),
        { minLength: 1, maxLength: 4 },
      )
      .map((a) => a.join(""));
    fc.assert(
      fc.property(fc.constantFrom("T", "N", "R", "取消"), cjk, fc.boolean(), (keyword, x, before) => {
        const text = before ? `${x}${keyword}` : `${keyword}${x}`;
        fc.pre(!/退订|拒收|取消订阅|发|停止|收到|接收/u.test(text));
        expect(parseInboundReply(text).kind).toBe("none");
      }),
    );
  });

  it("(c) never throws on arbitrary unicode", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary" }),
        fc.array(fc.string({ unit: "binary" }), { maxLength: 3 }),
        (s, sigs) => {
          expect(["opt_out", "opt_in_confirm", "none"]).toContain(parseInboundReply(s, sigs).kind);
          expect(typeof textHasOptOutInstruction(s)).toBe("boolean");
        },
      ),
    );
  });
});

describe("textHasOptOutInstruction", () => {
  const positives = [
    "拒收请回复R",
    "回TD退订",
    "退订回T",
    "回复TD退订",
    "回T退订",
    "Reply STOP to opt out",
    "reply STOP",
    "回复N拒收",
    "发送TD退订",
    "退订请回复TD",
    "回复退订",
    "拒收回R",
    "【好物商城】双11大促，全场5折！退订回T",
    "新品上市，详情见app。回复“TD”退订",
    "回复：TD 退订",
    "ＲＥＰＬＹ ＳＴＯＰ",
    "Text END to unsubscribe",
    "Reply with STOP to opt out",
    "短信回复取消即可",
  ];
  const negatives = [
    "Stop by our store",
    "今天大促",
    "Reply STOPWATCH for a discount",
    "客服回复您的问题",
    "请将商品退回T恤仓库",
    "Your TD bank statement",
    "退订",
    "回复Y确认",
    "回复1退订",
    "Contextual STOP",
    "",
  ];
  for (const text of positives) {
    it(`accepts ${JSON.stringify(text)}`, () => expect(textHasOptOutInstruction(text)).toBe(true));
  }
  for (const text of negatives) {
    it(`rejects ${JSON.stringify(text)}`, () => expect(textHasOptOutInstruction(text)).toBe(false));
  }

  it("accepts every keyword after 回复 and ASCII keywords after Reply", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OPT_OUT_KEYWORDS),
        fc.constantFrom("", " ", "退订", "。"),
        (keyword, tail) => {
          expect(textHasOptOutInstruction(`活动详情见官网，回复${keyword}${tail}`)).toBe(true);
          if (/^[A-Z]+$/.test(keyword))
            expect(textHasOptOutInstruction(`Reply ${keyword.toLowerCase()}`)).toBe(true);
        },
      ),
    );
  });
});
