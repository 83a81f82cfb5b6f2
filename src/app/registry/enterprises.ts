import { createHash, randomBytes } from "node:crypto";
import { normalizeCreditCode } from "../../domain/enterprises/credit-code.js";
import {
  ENTERPRISE_KINDS,
  type Enterprise,
  type EnterpriseKind,
} from "../../domain/enterprises/enterprise.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { hasHiddenCharacters } from "../../domain/shared/visible-text.js";
import { type Actor, type AppContext, assertActsFor, assertAdmin, refreshRegistry } from "../context.js";

export interface RegisterEnterpriseInput {
  kind: EnterpriseKind;
  name: string;
  creditCode: string;
  parentId?: string;
}

/** SHA-256 of an API key secret, as stored. */
export function hashKey(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** The enterprise an API key belongs to, or null for an unknown or revoked key. */
export function authenticateKey(ctx: AppContext, secret: string): string | null {
  let hash = hashes.get(secret);
  if (hash === undefined) {
    hash = hashKey(secret);
    if (hashes.size > 10_000) hashes.clear();
    hashes.set(secret, hash);
  }
  const k = ctx.apiKeys.get(hash);
  return k && k.revokedAt === null ? k.enterpriseId : null;
}

/** Recently seen secrets' hashes, so a busy key is not hashed on every request (revocation still applies). */
const hashes = new Map<string, string>();

/**
 * Registers a platform, merchant or provider. The admin registers anyone; a platform's key may register
 * its own merchants. Returns the first API key, shown once.
 */
export async function registerEnterprise(
  ctx: AppContext,
  actor: Actor,
  input: RegisterEnterpriseInput,
): Promise<{ enterprise: Enterprise; apiKey: string; keyId: string }> {
  if (!ENTERPRISE_KINDS.includes(input.kind))
    throw new DomainError("VALIDATION_FAILED", "kind must be platform, merchant or provider", {
      field: "kind",
    });
  const name = input.name.normalize("NFC").trim();
  if (name.length < 1 || name.length > 100)
    throw new DomainError("VALIDATION_FAILED", "name must be 1–100 characters", { field: "name" });
  if (hasHiddenCharacters(name))
    throw new DomainError(
      "VALIDATION_FAILED",
      "name may not hold control or invisible characters (zero-width, direction overrides…)",
      { field: "name" },
    );
  const creditCode = normalizeCreditCode(input.creditCode);
  if (creditCode === null)
    throw new DomainError("CREDIT_CODE_INVALID", "creditCode is not a valid unified social credit code");
  if (input.kind === "merchant") {
    const parent = input.parentId ? ctx.state.registry.enterprises.get(input.parentId) : undefined;
    if (parent?.kind !== "platform")
      throw new DomainError("PARENT_INVALID", "a merchant needs parentId naming a registered platform");
    if (actor.kind === "enterprise" && actor.enterpriseId !== parent.id)
      throw new DomainError("PARENT_INVALID", "a merchant needs parentId naming a registered platform");
  } else {
    if (input.parentId !== undefined)
      throw new DomainError("PARENT_INVALID", "only a merchant has a parent platform");
    assertAdmin(actor);
  }
  // one legal entity, one registration of each kind (a merchant once per platform it sells on)
  const parentId = input.kind === "merchant" ? (input.parentId ?? null) : null;
  for (const e of ctx.state.registry.enterprises.values())
    if (e.creditCode === creditCode && e.kind === input.kind && e.parentId === parentId)
      throw new DomainError("CONFLICT", `an enterprise with this creditCode is registered already: ${e.id}`);
  const enterprise: Enterprise = {
    id: ctx.ids.next("ent"),
    kind: input.kind,
    name,
    creditCode,
    parentId,
    status: "active",
    createdAt: ctx.clock.now(),
    statusReason: null,
  };
  await ctx.store.enterprises.insert(enterprise);
  const key = await issueKeyFor(ctx, enterprise.id);
  await refreshRegistry(ctx);
  return { enterprise, apiKey: key.apiKey, keyId: key.keyId };
}

async function issueKeyFor(
  ctx: AppContext,
  enterpriseId: string,
): Promise<{ apiKey: string; keyId: string }> {
  const apiKey = `ak_${randomBytes(24).toString("base64url")}`;
  const key = {
    id: ctx.ids.next("key"),
    enterpriseId,
    hash: hashKey(apiKey),
    prefix: apiKey.slice(0, 8),
    createdAt: ctx.clock.now(),
    revokedAt: null,
  };
  await ctx.store.enterprises.insertKey(key);
  ctx.apiKeys.set(key.hash, key);
  return { apiKey, keyId: key.id };
}

/** Issues another API key (rotation): the enterprise itself, its platform, or the admin. */
export async function issueKey(ctx: AppContext, actor: Actor, enterpriseId: string) {
  assertActsFor(ctx, actor, enterpriseId);
  if (!ctx.state.registry.enterprises.has(enterpriseId))
    throw new DomainError("NOT_FOUND", "no such enterprise");
  const key = await issueKeyFor(ctx, enterpriseId);
  await refreshRegistry(ctx); // other nodes load the new key (and any revocation) now, not at some later change
  return key;
}

/** Revokes one key at once; requests with it answer 401 from then on. */
export async function revokeKey(
  ctx: AppContext,
  actor: Actor,
  enterpriseId: string,
  keyId: string,
): Promise<void> {
  assertActsFor(ctx, actor, enterpriseId);
  const at = ctx.clock.now();
  if (!(await ctx.store.enterprises.revokeKey(enterpriseId, keyId, at)))
    throw new DomainError("NOT_FOUND", "no such key");
  for (const k of ctx.apiKeys.values()) if (k.id === keyId) k.revokedAt = at;
  await refreshRegistry(ctx);
}

/** Suspends (stops every send at once, queued ones included) or restores an enterprise. Admin only. */
export async function setEnterpriseStatus(
  ctx: AppContext,
  actor: Actor,
  id: string,
  status: "active" | "suspended",
  reason: string,
): Promise<Enterprise> {
  assertAdmin(actor);
  const e = ctx.state.registry.enterprises.get(id);
  if (!e) throw new DomainError("NOT_FOUND", "no such enterprise");
  if (e.status === status) throw new DomainError("INVALID_STATE", `the enterprise is already ${status}`);
  const next = { ...e, status, statusReason: reason };
  await ctx.store.enterprises.update(next);
  await refreshRegistry(ctx);
  return next;
}

/** One enterprise, if the actor may see it. */
export function getEnterprise(ctx: AppContext, actor: Actor, id: string): Enterprise {
  assertActsFor(ctx, actor, id);
  const e = ctx.state.registry.enterprises.get(id);
  if (!e) throw new DomainError("NOT_FOUND", "no such enterprise");
  return e;
}

/** Enterprises the actor may see: all for the admin; itself and its merchants for an enterprise. */
export function listEnterprises(ctx: AppContext, actor: Actor): Enterprise[] {
  const all = [...ctx.state.registry.enterprises.values()];
  if (actor.kind === "admin") return all;
  return all.filter((e) => ctx.state.registry.canActFor(actor.enterpriseId, e.id));
}
