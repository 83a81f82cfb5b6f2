import { localTime } from "../../domain/policy/local-time.js";
import { type PartialProfile, PartialProfileSchema } from "../../domain/policy/policy.js";
import { assertTightens, effectiveProfile } from "../../domain/policy/tighten.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, assertActsFor, assertAdmin, refreshRegistry } from "../context.js";

/** Sets an enterprise's policy overrides; they may only tighten the file's policy. Admin only. */
export async function setPolicyOverride(
  ctx: AppContext,
  actor: Actor,
  enterpriseId: string,
  body: unknown,
): Promise<PartialProfile> {
  assertAdmin(actor);
  if (!ctx.state.registry.enterprises.has(enterpriseId))
    throw new DomainError("NOT_FOUND", "no such enterprise");
  const r = PartialProfileSchema.safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DomainError("VALIDATION_FAILED", `${i?.path.join(".") || "body"}: ${i?.message}`);
  }
  assertTightens(ctx.state.policy.defaults, r.data);
  await ctx.store.enterprises.setPolicyOverride(enterpriseId, r.data, ctx.clock.now());
  await refreshRegistry(ctx);
  return r.data;
}

/** The policy in force for an enterprise today (or the file's defaults), with its override. */
export function showPolicy(ctx: AppContext, actor: Actor, enterpriseId?: string) {
  if (enterpriseId) assertActsFor(ctx, actor, enterpriseId);
  const override = enterpriseId ? ctx.state.registry.overrides.get(enterpriseId) : undefined;
  const today = localTime(ctx.state.policy.defaultTimeZone, ctx.clock.now()).date;
  return {
    file: ctx.state.policy,
    override: override ?? null,
    effectiveToday: effectiveProfile(ctx.state.policy, today, override),
  };
}
