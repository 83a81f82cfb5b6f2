import type { Category } from "../shared/categories.js";

/** How a consent was captured. Only affirmative acts count. */
export const AFFIRMATIVE_METHODS = [
  "web_form_unticked_box",
  "sms_double_opt_in",
  "app_toggle",
  "written",
  "in_person",
  "api_attested",
  "recorded_call",
  "email_double_opt_in",
] as const;

/** Methods that are not an affirmative act; a grant with one is refused with CONSENT_NOT_AFFIRMATIVE. */
export const NON_AFFIRMATIVE_METHODS = [
  "default",
  "pre_ticked",
  "terms_bundled",
  "implied_by_purchase",
  "opt_out_only",
  "inferred",
] as const;

export type ConsentMethod = string;

/** `api_attested` counts as consent, but audits mark it as the weakest evidence. */
export const WEAKEST_METHODS: ReadonlySet<string> = new Set(["api_attested"]);

export function isAffirmativeMethod(method: string): boolean {
  return (AFFIRMATIVE_METHODS as readonly string[]).includes(method);
}

export function isNonAffirmativeMethod(method: string): boolean {
  return (NON_AFFIRMATIVE_METHODS as readonly string[]).includes(method);
}

/**
 * Ledger event kinds. `request` opens a pending double opt-in, `confirm` completes it; `dnd_set` and
 * `dnd_remove` carry do-not-disturb for a scope ("all" or a category) and have no enterprise.
 */
export type ConsentEventType = "grant" | "request" | "confirm" | "withdraw" | "dnd_set" | "dnd_remove";

/** The fields of a ledger event that a use case supplies; the store adds sequence and hashes. */
export interface ConsentEventInput {
  id: string;
  /** The consent this event belongs to (cns_…); null for DND events and bulk withdrawals. */
  consentId: string | null;
  /** Pseudonymous recipient id (keyed hash of the E.164 number). */
  recipientId: string;
  enterpriseId: string | null;
  /** A category, or "all" for DND over every marketing category. */
  category: Category;
  type: ConsentEventType;
  method: string | null;
  capturedAt: number | null;
  /** Server time at which the event was recorded. */
  recordedAt: number;
  source: string | null;
  noticeText: string | null;
  expiresAt: number | null;
  /** Channel of a withdrawal or DND change: sms_reply, api, app, call_centre, complaint… */
  channel: string | null;
  /** Who recorded it: "admin", an enterprise id, or "recipient". */
  actor: string;
}

/** A recorded, hash-chained ledger event. */
export interface ConsentEvent extends ConsentEventInput {
  /** Global order of recording. */
  seq: number;
  shard: number;
  /** Position within the shard's chain, from 1. */
  shardSeq: number;
  prevHash: string;
  hash: string;
}

/** Current status of one (recipient, enterprise, category) consent. */
export type ConsentStatus = "granted" | "pending" | "withdrawn" | "expired" | "refused";

/** The derived state of one consent key at some time. */
export interface ConsentState {
  recipientId: string;
  enterpriseId: string;
  category: Category;
  consentId: string | null;
  status: ConsentStatus;
  method: string | null;
  capturedAt: number | null;
  /** For granted: optional expiry. For pending: when the request lapses into a refusal. */
  expiresAt: number | null;
  updatedAt: number;
}

/** Default lifetime of a pending double opt-in request. */
export const PENDING_TTL_MS = 24 * 3600 * 1000;
