/** What an inbound (mobile-originated) reply asks for. */
export type InboundIntent =
  | { kind: "opt_out"; keyword: string }
  | { kind: "opt_in_confirm"; keyword: string }
  | { kind: "none" };

/** Replies honoured as an opt-out when they are the whole (normalised) message. */
export const OPT_OUT_KEYWORDS = [
  "TD",
  "T",
  "N",
  "R",
  "退订",
  "取消",
  "拒收",
  "STOP",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
] as const;

/** Replies honoured as a double-opt-in confirmation. */
export const OPT_IN_KEYWORDS = ["Y", "是", "YES"] as const;

const OPT_OUT_SET: ReadonlySet<string> = new Set(OPT_OUT_KEYWORDS);
const OPT_IN_SET: ReadonlySet<string> = new Set(OPT_IN_KEYWORDS);

/**
 * Punctuation, symbols, separators, whitespace, control/format characters
 * (zero-width spaces, BOM), variation selectors and the combining keycap.
 */
const NOISE = /[\p{P}\p{S}\p{Z}\s\p{Cc}\p{Cf}]|[\u{FE00}-\u{FE0F}]|\u{20E3}/gu;
const BRACKETED = /【([^【】]*)】/gu;

function fold(text: string): string {
  return text.normalize("NFKC").toUpperCase();
}

function compact(text: string): string {
  return text.replace(NOISE, "");
}

/**
 * Normalises an inbound reply for keyword matching: Unicode NFKC, upper case,
 * removal of every 【…】 signature whose inner text is one of `signatures`,
 * removal of a bare leading or trailing signature name (only when something
 * else remains), and finally removal of all punctuation, symbols, whitespace
 * and invisible format characters. Full-width "ＴＤ" becomes "TD".
 */
export function normalizeReply(text: string, signatures: readonly string[] = []): string {
  let s = fold(text);
  const sigs = signatures.map((sig) => compact(fold(sig))).filter((sig) => sig.length > 0);
  if (sigs.length > 0) {
    s = s.replace(BRACKETED, (whole, inner: string) => (sigs.includes(compact(inner)) ? "" : whole));
  }
  s = compact(s);
  for (const sig of sigs) {
    if (s.length > sig.length && s.startsWith(sig)) {
      s = s.slice(sig.length);
      break;
    }
  }
  for (const sig of sigs) {
    if (s.length > sig.length && s.endsWith(sig)) {
      s = s.slice(0, s.length - sig.length);
      break;
    }
  }
  return s;
}

/**
 * Refusals honoured inside a longer reply ("请帮我退订", "退订谢谢", "不要再发了"): unambiguous phrases
 * only. 取消 alone may cancel an order, and T, N, R, END, QUIT or CANCEL may be anything in a sentence,
 * so those count only as the whole reply.
 */
const REFUSAL_PHRASES_ZH = [
  "取消订阅",
  "退订",
  "拒收",
  "不要再发",
  "别再发",
  "不要再给我发",
  "别再给我发",
  "不要给我发",
  "别给我发",
  "不要发了",
  "别发了",
  "停止发送",
  "不想再收到",
  "不想收到",
  "不再接收",
] as const;
/** A refusal word right after one of these is its negation: 不要退订, 先不退订, 别拒收. */
const NEGATION_ZH = /(?:不要|不用|不想|不必|无需|暂不|先不|别|不)(?:帮我|给我|再)?$/u;
/** What is not part of a word in an alphabet (Chinese next to TD does not make "TD谢谢" a word). */
const NOT_WORD = /[^\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}']+/gu;
/** Refusal words, whole words ("STOPWATCH" and "ÉTD" are not), and TD as a word ("TD 谢谢"). */
const REFUSAL_WORDS_EN = /(?<=^|\s)(STOP|UNSUBSCRIBE|OPT ?OUT|TD)(?=$|\s)/u;
const NEGATION_EN = /(?<=^|\s)(?:DON'?T|DO NOT|NOT|NEVER|NO NEED TO)\s+$/u;
/** Longer replies are conversations, not refusals to act on unread: one SMS of UCS-2. */
const PHRASE_REPLY_MAX = 70;

/** A refusal phrase in a reply that is not just a keyword, or null (see REFUSAL_PHRASES_ZH). */
function refusalPhrase(text: string): string | null {
  const folded = fold(text).replace(/[\u2018\u2019\u02BC]/gu, "'");
  if ([...folded].length > PHRASE_REPLY_MAX) return null;
  const zh = compact(folded);
  for (const phrase of REFUSAL_PHRASES_ZH) {
    for (let at = zh.indexOf(phrase); at >= 0; at = zh.indexOf(phrase, at + 1))
      if (!NEGATION_ZH.test(zh.slice(Math.max(0, at - 4), at))) return phrase;
  }
  const en = folded.replace(NOT_WORD, " ");
  const m = REFUSAL_WORDS_EN.exec(en);
  if (m && !NEGATION_EN.test(en.slice(0, m.index))) return (m[1] ?? "").replace(" ", "");
  return null;
}

/**
 * Classifies an inbound reply. A reply that is exactly one keyword once normalised (see
 * {@link normalizeReply}) is an opt-out or an opt-in confirmation: "退订", " td ", "ＴＤ", "TD!", "t d",
 * "【好物商城】TD" (with that signature), "y", "是", "Yes.". A reply of up to 70 characters carrying a
 * refusal phrase that nothing negates is an opt-out too: "请帮我退订", "退订谢谢", "TD 谢谢", "不要再发了",
 * "unsubscribe please", "Please stop texting me". "STOPWATCH多少钱", "不要退订", "Don't stop", "取消订单",
 * "TDTD" and "" are `none`.
 */
export function parseInboundReply(text: string, signatures?: readonly string[]): InboundIntent {
  const n = normalizeReply(text, signatures);
  if (OPT_OUT_SET.has(n)) return { kind: "opt_out", keyword: n };
  if (OPT_IN_SET.has(n)) return { kind: "opt_in_confirm", keyword: n };
  // a reply naming another sender's 【signature】 is about that sender: not acted on here
  const phrase = namesOtherSender(text, signatures ?? []) ? null : refusalPhrase(text);
  if (phrase !== null) return { kind: "opt_out", keyword: phrase };
  return { kind: "none" };
}

function namesOtherSender(text: string, signatures: readonly string[]): boolean {
  const own = new Set(signatures.map((sig) => compact(fold(sig))));
  for (const m of fold(text).matchAll(BRACKETED)) if (!own.has(compact(m[1] ?? ""))) return true;
  return false;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const byLengthDesc = (a: string, b: string): number => b.length - a.length;
const ASCII_KEYWORDS = OPT_OUT_KEYWORDS.filter((k) => /^[A-Z]+$/.test(k)).sort(byLengthDesc);
const CJK_KEYWORDS = OPT_OUT_KEYWORDS.filter((k) => !/^[A-Z]+$/.test(k)).sort(byLengthDesc);

/** Chinese reply verbs; a bare 回 must not be part of 退回/寄回/返回/收回/… ("send back"), but 拒收回R is fine. */
const CJK_VERB = "(?:短信回复|回复|回覆|发送|(?<![退寄返带召拿买送撤取])(?<!(?<!拒)收)回)";
/** English reply verbs as whole words, optionally followed by "WITH". */
const EN_VERB = "(?<![A-Z])(?:REPLY|TEXT|SEND|SMS)(?![A-Z])(?:\\s*WITH(?![A-Z]))?";
/** Between verb and keyword: whitespace, quotes, colons, 请; at most 4 characters. */
const GAP = "[\\s\"'“”‘’「」『』:：请]{0,4}";
/** ASCII keywords must end at a word boundary (and "T恤" is a T-shirt, not a keyword). */
const KEYWORD =
  `(?:(?:${ASCII_KEYWORDS.map(escapeRegExp).join("|")})(?![A-Z0-9恤])` +
  `|(?:${CJK_KEYWORDS.map(escapeRegExp).join("|")}))`;
const INSTRUCTION = new RegExp(`(?:${CJK_VERB}|${EN_VERB})${GAP}${KEYWORD}`, "u");

/**
 * Whether a marketing text carries an opt-out instruction naming an honoured
 * keyword from {@link OPT_OUT_KEYWORDS}. The text is NFKC-normalised and
 * upper-cased, then searched for a reply verb followed by a keyword:
 *
 * - Chinese verbs 回, 回复, 回覆, 发送, 短信回复 (a bare 回 does not count
 *   inside 退回/寄回/返回/带回/收回/…): "回TD退订", "回T退订", "回复N拒收",
 *   "发送TD退订", "回复退订", and the keyword-first forms "退订回T",
 *   "拒收回R", "拒收请回复R", "退订请回复TD";
 * - English verbs REPLY, TEXT, SEND, SMS as whole words, optionally followed by
 *   WITH: "Reply STOP to opt out", "reply STOP", "Text END";
 * - between verb and keyword up to 4 of: whitespace, quotes (" ' “ ” ‘ ’ 「 」
 *   『 』), colons (: ：) and 请;
 * - an ASCII keyword must not run into a further letter or digit ("Reply
 *   STOPWATCH" does not count, nor "T恤"); Chinese keywords need no boundary.
 *
 * Merely mentioning a keyword ("Stop by our store") or a verb with some other
 * word ("客服回复您") is not an instruction.
 */
export function textHasOptOutInstruction(text: string): boolean {
  return INSTRUCTION.test(fold(text));
}
