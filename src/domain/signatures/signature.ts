import type { Category } from "../shared/categories.js";
import { hasHiddenCharacters } from "../shared/visible-text.js";

export type SignatureStatus = "pending" | "active" | "suspended" | "revoked";

/** A registered sender name, shown in texts as 【text】. */
export interface Signature {
  id: string;
  ownerId: string;
  /** The bare name, without brackets: "好物商城". */
  text: string;
  scope: Category[];
  status: SignatureStatus;
  statusReason: string | null;
  createdAt: number;
}

/** A letter of authorization (授权委托书) letting another enterprise use a signature. */
export interface Authorization {
  id: string;
  signatureId: string;
  enterpriseId: string;
  validFrom: number;
  validTo: number;
  revokedAt: number | null;
  createdAt: number;
}

/** Whether the authorization lets its holder use the signature at `at`. */
export function authorizationValidAt(a: Authorization, at: number): boolean {
  return a.revokedAt === null && a.validFrom <= at && at < a.validTo;
}

const BRACKETED = /【([^【】]*)】/g;

/**
 * Normalises a signature as given by a caller: "【好物商城】" or "好物商城" → "好物商城".
 * Returns null when the name is not 2–20 characters or holds brackets, control or invisible characters.
 */
export function normalizeSignatureText(input: string): string | null {
  let s = input.normalize("NFC").trim();
  if (s.startsWith("【") && s.endsWith("】")) s = s.slice(1, -1).trim();
  const length = [...s].length;
  if (length < 2 || length > 20) return null;
  if (/[【】[\]]/u.test(s) || hasHiddenCharacters(s)) return null;
  return s;
}

/**
 * What signatures that read alike share: compatibility forms folded (full-width ＡＢＣ is ABC), case
 * and spaces ignored. Two live signatures may not share it.
 */
export function signatureLookalikeKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/gu, "");
}

/** Every 【…】 in a text, in order. */
export function bracketedSignatures(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(BRACKETED)) found.push(m[1] ?? "");
  return found;
}

/**
 * The text must begin or end with exactly the registered 【signature】 and carry no other bracketed name.
 */
export function textCarriesSignature(text: string, signature: string): boolean {
  const t = text.trim();
  const tag = `【${signature}】`;
  if (!t.startsWith(tag) && !t.endsWith(tag)) return false;
  return bracketedSignatures(t).every((s) => s === signature) && !/[【】]/.test(t.replaceAll(tag, ""));
}
