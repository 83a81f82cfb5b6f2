import type { Campaign } from "../../domain/campaigns/campaign.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, actingTime, parseTime } from "../context.js";
import { checkSendFields, type SendFields } from "../messaging/send-request.js";
import { type CampaignRunner, campaignView } from "./campaign-runner.js";

/** Campaigns up to this size are decided while the caller waits, and answered with their counts. */
export const INLINE_CAMPAIGN_LIMIT = 10_000;
export const MAX_CAMPAIGN_RECIPIENTS = 1_000_000;

export interface CreateCampaignInput extends SendFields {
  phones: string[];
  scheduledAt?: string | number;
  at?: string | number;
}

/**
 * Creates a campaign: the recipient list is stored first (nothing is lost if the node stops), then the
 * campaign is decided recipient by recipient, in chunks, each chunk's messages and progress recorded
 * together. Small campaigns finish before this returns.
 */
export async function createCampaign(
  ctx: AppContext,
  runner: CampaignRunner,
  actor: Actor,
  input: CreateCampaignInput,
) {
  checkSendFields(ctx, actor, input);
  if (!Array.isArray(input.phones) || input.phones.length === 0)
    throw new DomainError("VALIDATION_FAILED", "phones needs at least one number", { field: "phones" });
  if (input.phones.length > MAX_CAMPAIGN_RECIPIENTS)
    throw new DomainError("VALIDATION_FAILED", `at most ${MAX_CAMPAIGN_RECIPIENTS} phones per campaign`, {
      field: "phones",
    });
  const now = actingTime(ctx, input.at);
  const scheduledAt = input.scheduledAt === undefined ? null : parseTime(input.scheduledAt, "scheduledAt");
  const scheduled = scheduledAt !== null && scheduledAt > now;
  const c: Campaign = {
    id: ctx.ids.next("cpg"),
    senderId: input.senderId,
    signature: input.signature,
    port: input.port,
    text: input.text,
    category: input.category,
    status: scheduled ? "scheduled" : "running",
    scheduledAt,
    total: input.phones.length,
    cursor: 0,
    accepted: 0,
    refusedByCode: {},
    createdAt: now,
    updatedAt: now,
    leaseOwner: null,
    leaseUntil: null,
  };
  await ctx.store.campaigns.insert(c, input.phones.map(String));
  if (input.at !== undefined) runner.actingTimes.set(c.id, now);
  if (!scheduled && c.total <= INLINE_CAMPAIGN_LIMIT) {
    await runner.runToEnd(c.id);
  } else runner.wake();
  const stored = await ctx.store.campaigns.get(c.id);
  return campaignView(stored ?? c);
}
