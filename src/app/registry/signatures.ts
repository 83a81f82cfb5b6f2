import { BUILTIN_CATEGORIES, isWellFormedCategory } from "../../domain/shared/categories.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import {
  type Authorization,
  normalizeSignatureText,
  type Signature,
  type SignatureStatus,
} from "../../domain/signatures/signature.js";
import {
  type Actor,
  type AppContext,
  assertActsFor,
  assertAdmin,
  parseTime,
  refreshRegistry,
} from "../context.js";

/** Categories the policy knows: the built-in ones plus those in the policy file. */
export function knownCategories(ctx: AppContext): ReadonlySet<string> {
  let set = categoriesOf.get(ctx.state.policy);
  if (!set) {
    set = new Set([...BUILTIN_CATEGORIES, ...ctx.state.policy.categories]);
    categoriesOf.set(ctx.state.policy, set);
  }
  return set;
}

const categoriesOf = new WeakMap<object, ReadonlySet<string>>();

/** Validates a list of categories against the policy; CATEGORY_UNKNOWN names the first bad one. */
export function checkCategories(ctx: AppContext, categories: readonly string[], field: string): string[] {
  const known = knownCategories(ctx);
  for (const c of categories)
    if (!isWellFormedCategory(c) || !known.has(c))
      throw new DomainError("CATEGORY_UNKNOWN", `${field}: unknown category "${c}"`, { field });
  return [...new Set(categories)];
}

/** Registers a signature for its owner; it starts pending until the admin activates it. */
export async function registerSignature(
  ctx: AppContext,
  actor: Actor,
  input: { ownerId: string; text: string; scope: string[] },
): Promise<Signature> {
  assertActsFor(ctx, actor, input.ownerId);
  if (!ctx.state.registry.enterprises.has(input.ownerId))
    throw new DomainError("NOT_FOUND", "no such enterprise");
  const text = normalizeSignatureText(input.text);
  if (text === null)
    throw new DomainError(
      "SIGNATURE_TEXT_INVALID",
      "signature text must be 2–20 characters without brackets",
    );
  if (input.scope.length === 0)
    throw new DomainError("VALIDATION_FAILED", "scope needs at least one category", { field: "scope" });
  const twin = ctx.state.registry.liveLookalike(text);
  if (twin && twin.text !== text)
    throw new DomainError(
      "CONFLICT",
      "signature text reads like a registered signature (full-width forms, case and spaces aside)",
    );
  const sig: Signature = {
    id: ctx.ids.next("sig"),
    ownerId: input.ownerId,
    text,
    scope: checkCategories(ctx, input.scope, "scope"),
    status: "pending",
    statusReason: null,
    createdAt: ctx.clock.now(),
  };
  await ctx.store.signatures.insert(sig);
  await refreshRegistry(ctx);
  return sig;
}

const TRANSITIONS: Record<string, { from: SignatureStatus[]; to: SignatureStatus }> = {
  activate: { from: ["pending"], to: "active" },
  suspend: { from: ["active"], to: "suspended" },
  restore: { from: ["suspended"], to: "active" },
  revoke: { from: ["pending", "active", "suspended"], to: "revoked" },
};

export type SignatureAction = "activate" | "suspend" | "restore" | "revoke";

/** Moves a signature through its life: pending → active → suspended / revoked. Admin only. */
export async function changeSignatureStatus(
  ctx: AppContext,
  actor: Actor,
  id: string,
  action: SignatureAction,
  reason: string | null,
): Promise<Signature> {
  assertAdmin(actor);
  const sig = ctx.state.registry.signatures.get(id);
  if (!sig) throw new DomainError("NOT_FOUND", "no such signature");
  const t = TRANSITIONS[action];
  if (!t) throw new DomainError("VALIDATION_FAILED", "unknown action");
  if (!t.from.includes(sig.status))
    throw new DomainError("INVALID_STATE", `cannot ${action} a signature that is ${sig.status}`, {
      status: sig.status,
    });
  const next = { ...sig, status: t.to, statusReason: reason };
  await ctx.store.signatures.update(next);
  await refreshRegistry(ctx);
  return next;
}

/** One signature, if the actor may see it (its owner, the owner's platform, an authorized user, admin). */
export function getSignature(ctx: AppContext, actor: Actor, id: string): Signature {
  const sig = ctx.state.registry.signatures.get(id);
  const visible =
    sig &&
    (actor.kind === "admin" ||
      ctx.state.registry.canActFor(actor.enterpriseId, sig.ownerId) ||
      ctx.state.registry.authorizationsOf(sig.id).some((a) => a.enterpriseId === actor.enterpriseId));
  if (!sig || !visible) throw new DomainError("NOT_FOUND", "no such signature");
  return sig;
}

/**
 * Authorizes another enterprise to use a signature within [validFrom, validTo) (授权委托书). The owner
 * or the admin grants it.
 */
export async function authorizeSignature(
  ctx: AppContext,
  actor: Actor,
  signatureId: string,
  input: { enterpriseId: string; validFrom: string | number; validTo: string | number },
): Promise<Authorization> {
  const sig = ctx.state.registry.signatures.get(signatureId);
  if (!sig) throw new DomainError("NOT_FOUND", "no such signature");
  assertActsFor(ctx, actor, sig.ownerId);
  if (!ctx.state.registry.enterprises.has(input.enterpriseId))
    throw new DomainError("VALIDATION_FAILED", "enterpriseId names no registered enterprise", {
      field: "enterpriseId",
    });
  if (input.enterpriseId === sig.ownerId)
    throw new DomainError("VALIDATION_FAILED", "the owner needs no authorization", { field: "enterpriseId" });
  const validFrom = parseTime(input.validFrom, "validFrom");
  const validTo = parseTime(input.validTo, "validTo");
  if (validTo <= validFrom)
    throw new DomainError("VALIDATION_FAILED", "validTo must be after validFrom", { field: "validTo" });
  const a: Authorization = {
    id: ctx.ids.next("aut"),
    signatureId,
    enterpriseId: input.enterpriseId,
    validFrom,
    validTo,
    revokedAt: null,
    createdAt: ctx.clock.now(),
  };
  await ctx.store.signatures.insertAuthorization(a);
  await refreshRegistry(ctx);
  return a;
}

/** Revokes an authorization at once; sends under it are refused SIGNATURE_NOT_AUTHORIZED from then on. */
export async function revokeAuthorization(ctx: AppContext, actor: Actor, id: string): Promise<Authorization> {
  const a = await ctx.store.signatures.getAuthorization(id);
  const sig = a ? ctx.state.registry.signatures.get(a.signatureId) : undefined;
  if (!a || !sig) throw new DomainError("NOT_FOUND", "no such authorization");
  assertActsFor(ctx, actor, sig.ownerId);
  if (a.revokedAt !== null) throw new DomainError("INVALID_STATE", "the authorization is already revoked");
  const at = ctx.clock.now();
  await ctx.store.signatures.revokeAuthorization(id, at);
  await refreshRegistry(ctx);
  return { ...a, revokedAt: at };
}
