import { type Allocation, isAllowedPortNumber, type Port } from "../../domain/sending-ports/port.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, assertActsFor, refreshRegistry } from "../context.js";
import { checkCategories, knownCategories } from "./signatures.js";

/** Registers a sending port held by a provider (the admin, or the provider's own key). */
export async function registerPort(
  ctx: AppContext,
  actor: Actor,
  input: { providerId: string; number: string; categories?: string[] },
): Promise<Port> {
  assertActsFor(ctx, actor, input.providerId);
  const provider = ctx.state.registry.enterprises.get(input.providerId);
  if (!provider) throw new DomainError("NOT_FOUND", "no such enterprise");
  if (provider.kind !== "provider")
    throw new DomainError("VALIDATION_FAILED", "ports are held by providers", { field: "providerId" });
  const number = input.number.replace(/[\s-]/g, "");
  const prefixes = ctx.state.policy.portPrefixes;
  if (!isAllowedPortNumber(number, prefixes))
    throw new DomainError(
      "PORT_NUMBER_INVALID",
      `port number must be 5–20 digits starting with ${prefixes.join(" or ")}`,
    );
  const categories = input.categories
    ? checkCategories(ctx, input.categories, "categories")
    : [...knownCategories(ctx)];
  if (categories.length === 0)
    throw new DomainError("VALIDATION_FAILED", "categories needs at least one category", {
      field: "categories",
    });
  const port: Port = {
    id: ctx.ids.next("prt"),
    providerId: input.providerId,
    number,
    categories,
    createdAt: ctx.clock.now(),
  };
  await ctx.store.ports.insertPort(port);
  await refreshRegistry(ctx);
  return port;
}

/**
 * Allocates a port (optionally with an extension) to an enterprise and binds signatures to it. The
 * port's provider or the admin allocates; each signature must belong to the enterprise or be
 * authorized to it.
 */
export async function allocatePort(
  ctx: AppContext,
  actor: Actor,
  portId: string,
  input: { enterpriseId: string; signatureIds: string[]; extension?: string },
): Promise<Allocation> {
  const reg = ctx.state.registry;
  const port = reg.ports.get(portId);
  if (!port) throw new DomainError("NOT_FOUND", "no such port");
  assertActsFor(ctx, actor, port.providerId);
  if (!reg.enterprises.has(input.enterpriseId))
    throw new DomainError("VALIDATION_FAILED", "enterpriseId names no registered enterprise", {
      field: "enterpriseId",
    });
  const extension = input.extension ?? "";
  if (!/^\d{0,12}$/.test(extension))
    throw new DomainError("VALIDATION_FAILED", "extension must be up to 12 digits", { field: "extension" });
  if (port.number.length + extension.length > 21)
    throw new DomainError("VALIDATION_FAILED", "port plus extension is too long", { field: "extension" });
  // an extension names one sender: replies to it go to that enterprise alone (the bare port may be shared)
  const taken = reg.allocationsOfPort(portId).some((a) => a.extension === extension);
  if (extension !== "" && taken)
    throw new DomainError("CONFLICT", `extension ${extension} of port ${port.number} is already allocated`);
  const now = ctx.clock.now();
  for (const sid of input.signatureIds) {
    const sig = reg.signatures.get(sid);
    const usable =
      sig &&
      (sig.ownerId === input.enterpriseId ||
        reg
          .authorizationsOf(sid)
          .some((a) => a.enterpriseId === input.enterpriseId && a.revokedAt === null && a.validTo > now));
    if (!usable)
      throw new DomainError(
        "VALIDATION_FAILED",
        `signature ${sid} is not the enterprise's own or authorized to it (unrevoked, unexpired)`,
        {
          field: "signatureIds",
        },
      );
  }
  const a: Allocation = {
    id: ctx.ids.next("alc"),
    portId,
    enterpriseId: input.enterpriseId,
    extension,
    signatureIds: [...new Set(input.signatureIds)],
    createdAt: now,
  };
  await ctx.store.ports.insertAllocation(a);
  await refreshRegistry(ctx);
  return a;
}
