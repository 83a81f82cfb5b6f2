import type { Message } from "../../domain/messages/message.js";
import { maskPhone } from "../../domain/phone/phone.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { Actor, AppContext } from "../context.js";
import { knownCategories } from "../registry/signatures.js";

/** The fields every send names (HTTP, CLI, campaigns). */
export interface SendFields {
  senderId: string;
  signature: string;
  port: string;
  text: string;
  category: string;
}

/**
 * Checks the caller may send as `senderId` and that the category exists. An enterprise key may send
 * only as itself or, for a platform, as its merchants.
 */
export function checkSendFields(ctx: AppContext, actor: Actor, f: SendFields): void {
  if (actor.kind === "enterprise" && !ctx.state.registry.canActFor(actor.enterpriseId, f.senderId))
    throw new DomainError("FORBIDDEN", "senderId must be your own enterprise or one of your merchants", {
      field: "senderId",
    });
  if (!knownCategories(ctx).has(f.category))
    throw new DomainError("CATEGORY_UNKNOWN", `unknown category "${f.category}"`, { field: "category" });
  if (f.text.length === 0 || f.text.length > 2000)
    throw new DomainError("VALIDATION_FAILED", "text must be 1–2000 characters", { field: "text" });
}

/** A message as callers see it: the number masked, everything else as recorded. */
export function messageView(m: Message) {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: m.id,
    status: m.status,
    senderId: m.senderId,
    signature: m.signature,
    signatureId: m.signatureId,
    port: m.port,
    phone: maskPhone(m.phone),
    category: m.category,
    text: m.text,
    parts: m.parts,
    campaignId: m.campaignId,
    idempotencyKey: m.idempotencyKey,
    reasons: m.reasons,
    upstreamId: m.upstreamId,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    history: m.history.map((h) => ({ ...h, at: iso(h.at) })),
  };
}
