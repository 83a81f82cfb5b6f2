import { randomBytes } from "node:crypto";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { WebhookSubscription } from "../../domain/webhooks/webhook-store.port.js";
import { type Actor, type AppContext, assertActsFor } from "../context.js";

/** What `PUT /v1/enterprises/:id/webhook` takes. */
export interface SetWebhookInput {
  url: string;
  /** The suppression-feed cursor to deliver after ("0", the default for a new subscription: the backlog). */
  fromCursor?: string;
  /**
   * The message-events cursor to deliver after: a notice id (`ntc_…`, a `nextCursor` received before),
   * or "0" for every notice still kept. A new subscription starts at "now" by default.
   */
  noticesCursor?: string;
}

/** What `PUT /v1/enterprises/:id/webhook` answers: the secret is shown here only. */
export interface SetWebhookResult {
  url: string;
  secret: string;
  cursor: string;
  noticesCursor: string;
}

/** A subscription as shown to its owner: everything but the secret. */
export interface WebhookView {
  enterpriseId: string;
  url: string;
  cursor: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  noticesCursor: string;
  noticesAttempts: number;
  noticesNextAttemptAt: string;
  noticesLastError: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

function assertEnterprise(ctx: AppContext, actor: Actor, enterpriseId: string): void {
  assertActsFor(ctx, actor, enterpriseId);
  if (!ctx.state.registry.enterprises.has(enterpriseId))
    throw new DomainError("NOT_FOUND", "no such enterprise");
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DomainError("VALIDATION_FAILED", "url is not a valid URL", { field: "url" });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new DomainError("VALIDATION_FAILED", "url must be an http: or https: URL", { field: "url" });
  if (parsed.username !== "" || parsed.password !== "")
    throw new DomainError("VALIDATION_FAILED", "url may not carry credentials", { field: "url" });
  return parsed.href;
}

/**
 * A suppression-feed cursor: a ledger position no later than the newest event (a cursor past the end
 * would skip, without a word, every event recorded until the ledger caught up with it).
 */
async function checkCursor(ctx: AppContext, cursor: string): Promise<string> {
  const n = /^\d{1,15}$/.test(cursor) ? Number(cursor) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new DomainError("VALIDATION_FAILED", "fromCursor is not a valid cursor", { field: "fromCursor" });
  if (n > ctx.state.consents.lastSeq && (await ctx.store.ledger.scanEvents(n - 1, 1)).length === 0)
    throw new DomainError("VALIDATION_FAILED", "fromCursor is past the newest event of the feed", {
      field: "fromCursor",
    });
  return String(n);
}

/**
 * "0" or a notice id, as the message-events feed's cursor; not one from the future (notice ids sort by
 * time: a cursor past now would skip every notice queued until then).
 */
function checkNoticesCursor(ctx: AppContext, cursor: string): string {
  if (!/^(0|ntc_[0-9a-z]{1,40})$/.test(cursor))
    throw new DomainError("VALIDATION_FAILED", 'noticesCursor must be "0" or a notice id (ntc_…)', {
      field: "noticesCursor",
    });
  if (cursor !== "0" && cursor > ctx.ids.next("ntc"))
    throw new DomainError("VALIDATION_FAILED", "noticesCursor is past the newest notice of the feed", {
      field: "noticesCursor",
    });
  return cursor;
}

/**
 * Subscribes an enterprise's two feeds — suppressions, and message events (receipts and replies) — to
 * a signed webhook, or replaces its subscription (new URL, new secret, back-off of both feeds cleared).
 * The enterprise itself, its platform or the admin. A new subscription starts the suppression feed at
 * `fromCursor`, "0" by default (the whole backlog), and the message events at `noticesCursor`, "now"
 * by default (only notices queued from then on); a replaced one keeps each cursor unless it is given.
 * The secret is shown here only.
 */
export async function setWebhook(
  ctx: AppContext,
  actor: Actor,
  enterpriseId: string,
  input: SetWebhookInput,
): Promise<SetWebhookResult> {
  assertEnterprise(ctx, actor, enterpriseId);
  const url = checkUrl(input.url);
  const fromCursor = input.fromCursor === undefined ? undefined : await checkCursor(ctx, input.fromCursor);
  const noticesCursor =
    input.noticesCursor === undefined ? undefined : checkNoticesCursor(ctx, input.noticesCursor);
  const now = ctx.clock.now();
  const secret = newWebhookSecret();
  const sub: WebhookSubscription = {
    enterpriseId,
    url,
    secret,
    cursor: fromCursor ?? "0",
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    // "now": a fresh id sorts after every notice id issued before it
    noticesCursor: noticesCursor ?? ctx.ids.next("ntc"),
    noticesAttempts: 0,
    noticesNextAttemptAt: now,
    noticesLastError: null,
    createdAt: now,
    updatedAt: now,
  };
  await ctx.store.webhooks.set(sub, {
    resetCursor: fromCursor !== undefined,
    resetNoticesCursor: noticesCursor !== undefined,
  });
  const stored = await ctx.store.webhooks.get(enterpriseId);
  return {
    url,
    secret,
    cursor: stored?.cursor ?? sub.cursor,
    noticesCursor: stored?.noticesCursor ?? sub.noticesCursor,
  };
}

/** An enterprise's subscription without its secret; NOT_FOUND when it has none. */
export async function getWebhook(ctx: AppContext, actor: Actor, enterpriseId: string): Promise<WebhookView> {
  assertEnterprise(ctx, actor, enterpriseId);
  const s = await ctx.store.webhooks.get(enterpriseId);
  if (!s) throw new DomainError("NOT_FOUND", "no webhook for this enterprise");
  return {
    enterpriseId: s.enterpriseId,
    url: s.url,
    cursor: s.cursor,
    attempts: s.attempts,
    nextAttemptAt: new Date(s.nextAttemptAt).toISOString(),
    lastError: s.lastError,
    noticesCursor: s.noticesCursor,
    noticesAttempts: s.noticesAttempts,
    noticesNextAttemptAt: new Date(s.noticesNextAttemptAt).toISOString(),
    noticesLastError: s.noticesLastError,
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
  };
}

/** Ends an enterprise's subscription at once; NOT_FOUND when it has none. */
export async function removeWebhook(ctx: AppContext, actor: Actor, enterpriseId: string): Promise<void> {
  assertEnterprise(ctx, actor, enterpriseId);
  if (!(await ctx.store.webhooks.remove(enterpriseId)))
    throw new DomainError("NOT_FOUND", "no webhook for this enterprise");
}
