import type { CampaignStatus } from "../../domain/campaigns/campaign.js";
import { maskPhone } from "../../domain/phone/phone.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, assertActsFor } from "../context.js";
import { type CampaignRunner, campaignView } from "./campaign-runner.js";

async function visibleCampaign(ctx: AppContext, actor: Actor, id: string) {
  const c = await ctx.store.campaigns.get(id);
  if (!c) throw new DomainError("NOT_FOUND", "no such campaign");
  try {
    assertActsFor(ctx, actor, c.senderId);
  } catch {
    throw new DomainError("NOT_FOUND", "no such campaign");
  }
  return c;
}

/** A campaign's status and counts. */
export async function getCampaign(ctx: AppContext, actor: Actor, id: string) {
  return campaignView(await visibleCampaign(ctx, actor, id));
}

const MOVES: Record<"pause" | "resume" | "cancel", { from: CampaignStatus[]; to: CampaignStatus }> = {
  pause: { from: ["running", "scheduled"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
  cancel: { from: ["running", "scheduled", "paused"], to: "cancelled" },
};

/** Pauses, resumes or cancels a campaign; recipients not yet decided are left alone. */
const DONE = { pause: "paused", resume: "resumed", cancel: "cancelled" } as const;

export async function changeCampaign(
  ctx: AppContext,
  runner: CampaignRunner,
  actor: Actor,
  id: string,
  action: "pause" | "resume" | "cancel",
) {
  const c = await visibleCampaign(ctx, actor, id);
  const move = MOVES[action];
  const now = ctx.clock.now();
  // a campaign resumed before its time goes back to waiting for it
  const to = action === "resume" && c.scheduledAt !== null && c.scheduledAt > now ? "scheduled" : move.to;
  if (!(await ctx.store.campaigns.setStatus(id, move.from, to, now)))
    throw new DomainError("INVALID_STATE", `a ${c.status} campaign cannot be ${DONE[action]}`, {
      status: c.status,
    });
  if (to === "running") runner.wake();
  return campaignView((await ctx.store.campaigns.get(id)) ?? c);
}

/**
 * A campaign's results, one row per recipient decided so far: phone masked, message id, status, codes.
 * Yields CSV lines page by page so a million rows never sit in memory at once.
 */
export async function* campaignResultsCsv(ctx: AppContext, actor: Actor, id: string): AsyncGenerator<string> {
  await visibleCampaign(ctx, actor, id);
  yield "phone,messageId,status,codes\n";
  let after = "";
  for (;;) {
    const page = await ctx.store.messages.listByCampaign(id, after, 10_000);
    if (page.length === 0) return;
    let out = "";
    for (const m of page)
      out += `${maskPhone(m.phone)},${m.id},${m.status},${m.reasons.map((r) => r.code).join(";")}\n`;
    yield out;
    after = (page.at(-1) as { id: string }).id;
  }
}
