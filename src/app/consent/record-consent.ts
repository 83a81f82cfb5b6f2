import type { ConsentEventInput } from "../../domain/consent/consent.js";
import { isAffirmativeMethod, isNonAffirmativeMethod } from "../../domain/consent/consent.js";
import { foldConsents } from "../../domain/consent/consent-state.js";
import { parsePhone } from "../../domain/phone/phone.js";
import { isMarketing } from "../../domain/shared/categories.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, assertActsFor, parseTime, pseudonym } from "../context.js";
import { checkCategories } from "../registry/signatures.js";
import { appendToLedger } from "./ledger-writer.js";

export interface RecordConsentInput {
  phone: string;
  enterpriseId: string;
  category: string;
  method: string;
  capturedAt: string | number;
  source: string;
  noticeText: string;
  expiresAt?: string | number;
}

/** A validated grant, ready to be appended (also used by the bulk import). */
export interface PreparedGrant {
  event: ConsentEventInput;
  e164: string;
}

/**
 * Validates one consent record: affirmative method, capture time not in the future, known enterprise and
 * marketing category, valid number. Throws DomainError with a stable code.
 */
export function prepareGrant(
  ctx: AppContext,
  actor: Actor,
  input: RecordConsentInput,
  now: number,
): PreparedGrant {
  const phone = parsePhone(input.phone);
  if (!phone.ok)
    throw new DomainError("RECIPIENT_INVALID", "phone is not a valid mobile number", { field: "phone" });
  assertActsFor(ctx, actor, input.enterpriseId);
  if (!ctx.state.registry.enterprises.has(input.enterpriseId))
    throw new DomainError("NOT_FOUND", "no such enterprise");
  const [category] = checkCategories(ctx, [input.category], "category");
  if (!category || !isMarketing(category))
    throw new DomainError("VALIDATION_FAILED", "consent is recorded for marketing categories", {
      field: "category",
    });
  if (isNonAffirmativeMethod(input.method))
    throw new DomainError(
      "CONSENT_NOT_AFFIRMATIVE",
      `"${input.method}" is not an affirmative act: default, pre-ticked or bundled consent is not consent`,
    );
  if (!isAffirmativeMethod(input.method))
    throw new DomainError("VALIDATION_FAILED", `unknown consent method "${input.method}"`, {
      field: "method",
    });
  const capturedAt = parseTime(input.capturedAt, "capturedAt");
  if (capturedAt > now + 60_000)
    throw new DomainError("CONSENT_CAPTURED_IN_FUTURE", "capturedAt may not be in the future");
  const expiresAt = input.expiresAt === undefined ? null : parseTime(input.expiresAt, "expiresAt");
  if (expiresAt !== null && expiresAt <= capturedAt)
    throw new DomainError("VALIDATION_FAILED", "expiresAt must be after capturedAt", { field: "expiresAt" });
  if (expiresAt !== null && expiresAt <= now)
    throw new DomainError("VALIDATION_FAILED", "expiresAt is past: the consent would never be in force", {
      field: "expiresAt",
    });
  if (!input.source.trim())
    throw new DomainError("VALIDATION_FAILED", "source is required", { field: "source" });
  if (!input.noticeText.trim())
    throw new DomainError("VALIDATION_FAILED", "noticeText (the exact notice shown) is required", {
      field: "noticeText",
    });
  const pending = input.method === "sms_double_opt_in";
  return {
    e164: phone.e164,
    event: {
      id: ctx.ids.next("evt"),
      consentId: ctx.ids.next("cns"),
      recipientId: pseudonym(ctx, phone.e164),
      enterpriseId: input.enterpriseId,
      category,
      type: pending ? "request" : "grant",
      method: input.method,
      capturedAt,
      recordedAt: now,
      source: input.source,
      noticeText: input.noticeText,
      expiresAt,
      channel: null,
      actor: actor.kind === "admin" ? "admin" : actor.enterpriseId,
    },
  };
}

/**
 * Records a consent. `sms_double_opt_in` opens a pending request (not consent until the recipient
 * replies Y / 是 / YES, refused after 24 hours, at most one request per enterprise and recipient in 30
 * days); every other affirmative method grants at once. A grant captured before the recipient's latest
 * withdrawal is refused: a withdrawal cannot be undone by evidence older than it.
 */
export async function recordConsent(
  ctx: AppContext,
  actor: Actor,
  input: RecordConsentInput,
): Promise<{ id: string; status: "granted" | "pending" }> {
  const now = ctx.clock.now();
  const g = prepareGrant(ctx, actor, input, now);
  const history = await ctx.store.ledger.eventsForRecipient(g.event.recipientId);
  const mine = history.filter((e) => e.enterpriseId === input.enterpriseId);
  const lastWithdrawal = mine.filter((e) => e.type === "withdraw" && e.category === g.event.category).at(-1);
  if (lastWithdrawal && (g.event.capturedAt ?? 0) < lastWithdrawal.recordedAt)
    throw new DomainError(
      "CONSENT_PREDATES_WITHDRAWAL",
      "the recipient withdrew after this consent was captured",
    );
  if (g.event.type === "request") {
    const repeatMs = ctx.state.policy.doubleOptIn.repeatDays * 86_400_000;
    const lastRequest = mine.filter((e) => e.type === "request").at(-1);
    if (lastRequest && now - lastRequest.recordedAt < repeatMs)
      throw new DomainError("OPT_IN_REQUEST_TOO_SOON", "this recipient was already asked within 30 days");
    const state = foldConsents(mine, now, ctx.state.policy.doubleOptIn.pendingHours * 3600_000).find(
      (s) => s.category === g.event.category,
    );
    if (state?.status === "granted")
      throw new DomainError("CONFLICT", "the recipient has already granted this consent");
  }
  await appendToLedger(ctx, [g.event], new Map([[g.event.recipientId, g.e164]]));
  return { id: g.event.consentId as string, status: g.event.type === "request" ? "pending" : "granted" };
}
