/**
 * Why a message is refused. The order of this list is the documented order of precedence: when several
 * rules fail, reasons are reported in this order and the first is the primary one (it picks the SMPP
 * status, for example).
 */
export const REASON_CODES = [
  "SENDER_UNKNOWN",
  "SENDER_SUSPENDED",
  "SIGNATURE_UNKNOWN",
  "SIGNATURE_INACTIVE",
  "SIGNATURE_SUSPENDED",
  "SIGNATURE_NOT_AUTHORIZED",
  "SIGNATURE_SCOPE",
  "SIGNATURE_MISSING_IN_TEXT",
  "PORT_NOT_ALLOCATED",
  "PORT_SIGNATURE_MISMATCH",
  "PORT_CATEGORY",
  "RECIPIENT_INVALID",
  "DND",
  "CONSENT_WITHDRAWN",
  "CONSENT_MISSING",
  "CONSENT_EXPIRED",
  "CONSENT_PENDING",
  "OPT_OUT_TEXT_MISSING",
  "QUIET_HOURS",
  "FREQUENCY_CAP",
  "MESSAGE_EXPIRED",
  "MESSAGE_INCOMPLETE",
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  /** One plain sentence, Chinese then English. */
  message: string;
}

const MESSAGES: Record<ReasonCode, [zh: string, en: string]> = {
  SENDER_UNKNOWN: ["发送方未登记。", "The sender is not registered."],
  SENDER_SUSPENDED: ["发送方已被暂停。", "The sender is suspended."],
  SIGNATURE_UNKNOWN: ["签名未登记。", "The signature is not registered."],
  SIGNATURE_INACTIVE: ["签名尚未启用或已撤销。", "The signature is pending approval or revoked."],
  SIGNATURE_SUSPENDED: ["签名已被暂停。", "The signature is suspended."],
  SIGNATURE_NOT_AUTHORIZED: [
    "发送方无权使用该签名（禁止转租签名）。",
    "The sender is not authorized to use this signature (sub-leasing is forbidden).",
  ],
  SIGNATURE_SCOPE: ["该签名未登记此类短信。", "The signature is not registered for this category."],
  SIGNATURE_MISSING_IN_TEXT: [
    "短信内容须以登记的【签名】开头或结尾，且不得含其他签名。",
    "The text must begin or end with exactly its registered 【signature】 and carry no other.",
  ],
  PORT_NOT_ALLOCATED: ["该端口号未分配给发送方。", "The sending port is not allocated to the sender."],
  PORT_SIGNATURE_MISMATCH: ["该签名未绑定此端口。", "The signature is not bound to this port."],
  PORT_CATEGORY: ["该端口不得发送此类短信。", "The port may not carry this category."],
  RECIPIENT_INVALID: ["接收号码无效。", "The recipient number is not valid."],
  DND: ["接收方已设置免打扰。", "The recipient has refused this kind of message (do not disturb)."],
  CONSENT_WITHDRAWN: ["接收方已退订或拒绝。", "The recipient has withdrawn or refused consent."],
  CONSENT_MISSING: ["没有接收方的明示同意。", "There is no explicit consent from the recipient."],
  CONSENT_EXPIRED: ["接收方的同意已过期。", "The recipient's consent has expired."],
  CONSENT_PENDING: ["接收方尚未回复确认同意。", "The recipient has not yet confirmed the double opt-in."],
  OPT_OUT_TEXT_MISSING: [
    "营销短信须注明退订方式（如“回TD退订”）。",
    "Marketing text must carry an opt-out instruction (e.g. 回TD退订 or Reply STOP).",
  ],
  QUIET_HOURS: ["当前为接收方所在地的免打扰时段。", "It is outside the hours marketing may be sent."],
  FREQUENCY_CAP: ["超过发送频次上限。", "The frequency cap for this recipient is reached."],
  MESSAGE_EXPIRED: ["短信在有效期内未能发出。", "The message could not be sent within its validity period."],
  MESSAGE_INCOMPLETE: [
    "长短信的分段未在时限内到齐或互不一致。",
    "The parts of a long message did not all arrive in time, or did not match.",
  ],
};

/** The reason object for a code. */
export function reason(code: ReasonCode): Reason {
  const [zh, en] = MESSAGES[code];
  return { code, message: `${zh} ${en}` };
}

/** Position of a code in the order of precedence. */
export const PRECEDENCE: Readonly<Record<ReasonCode, number>> = Object.fromEntries(
  REASON_CODES.map((c, i) => [c, i]),
) as Record<ReasonCode, number>;

/** Sorts reasons by precedence (stable, no duplicates). */
export function byPrecedence(codes: Iterable<ReasonCode>): Reason[] {
  return [...new Set(codes)].sort((a, b) => PRECEDENCE[a] - PRECEDENCE[b]).map(reason);
}
