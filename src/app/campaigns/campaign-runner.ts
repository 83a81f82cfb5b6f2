import type { Campaign } from "../../domain/campaigns/campaign.js";
import type { Message } from "../../domain/messages/message.js";
import {
  decideRecipient,
  type PreparedSend,
  prepareSend,
  type RecipientDecision,
  undoCommit,
} from "../../domain/policy/decide.js";
import { byPrecedence, type Reason, type ReasonCode } from "../../domain/policy/reason-codes.js";
import type { AppContext } from "../context.js";
import { applySharedCaps, releaseSharedCaps } from "../counters/apply-caps.js";
import type { CapReservation } from "../counters/shared-counters.port.js";
import { buildMessage, sendingNumber } from "../messaging/submit-message.js";
import { Waker } from "../waker.js";

/** A campaign as callers see it. */
export function campaignView(c: Campaign) {
  return {
    id: c.id,
    status: c.status,
    senderId: c.senderId,
    category: c.category,
    total: c.total,
    decided: c.cursor,
    accepted: c.accepted,
    refused: Object.values(c.refusedByCode).reduce((a, b) => a + b, 0),
    refusedByCode: c.refusedByCode,
    scheduledAt: c.scheduledAt === null ? null : new Date(c.scheduledAt).toISOString(),
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

/**
 * Runs campaigns in chunks under a lease, so a campaign is decided once even with several nodes and a
 * node that stops leaves the rest to another. Each chunk's messages and the cursor are recorded in one
 * transaction: a crash mid-chunk redoes the chunk, never half of it.
 */
export class CampaignRunner {
  readonly owner: string;
  /** Test-clock acting times of campaigns created with `at`. */
  readonly actingTimes = new Map<string, number>();
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly waker = new Waker();

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: { chunk?: number; leaseMs?: number; idleMs?: number; owner?: string } = {},
  ) {
    this.owner = opts.owner ?? ctx.ids.next("req");
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.waker.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.waker.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = false;
      try {
        const c = await this.ctx.store.campaigns.lease(
          this.owner,
          this.ctx.clock.now(),
          this.opts.leaseMs ?? 60_000,
        );
        if (c) {
          worked = true;
          await this.process(c);
        }
      } catch (err) {
        this.ctx.log.error({ err: String(err) }, "campaign runner failed");
      }
      if (!worked && this.running) await this.waker.sleep(this.opts.idleMs ?? 500);
    }
  }

  /** Decides a campaign to the end now (small campaigns, tests, the CLI). */
  async runToEnd(id: string): Promise<void> {
    const c = await this.ctx.store.campaigns.get(id);
    if (c && c.status === "running") await this.process(c);
  }

  private async process(start: Campaign): Promise<void> {
    try {
      await this.decideChunks(start);
    } finally {
      await this.ctx.store.campaigns
        .release(start.id, this.owner)
        .catch((err: unknown) => this.ctx.log.warn({ err: String(err) }, "campaign lease not released"));
    }
  }

  /**
   * Decides a campaign chunk by chunk, pipelined: while one chunk is being recorded (the database's
   * work), the next is read and decided (this process's). Chunks are still recorded one after another,
   * each at the cursor the previous one left; when one is not recorded (another node moved the cursor,
   * the campaign was paused, the store failed), what was counted for it and for the chunk decided
   * meanwhile is taken back.
   */
  private async decideChunks(start: Campaign): Promise<void> {
    const { ctx } = this;
    const chunk = this.opts.chunk ?? 50_000;
    let cursor = start.cursor;
    let pending: { chunk: DecidedChunk; recording: Promise<boolean> } | null = null;
    let next = start.cursor;
    try {
      while (next < start.total) {
        if (this.running === false && this.loop !== null) break;
        const phones = await ctx.store.campaigns.recipients(start.id, next, chunk);
        if (phones.length === 0) break;
        const decided = await this.decideChunk(start, phones);
        if (pending) {
          const ok = await this.settle(pending.chunk, pending.recording);
          pending = null;
          if (!ok) {
            await this.undo(decided);
            return;
          }
          cursor = next;
        }
        pending = {
          chunk: decided,
          recording: ctx.store.campaigns.recordChunk(
            start.id,
            next,
            next + phones.length,
            decided.messages,
            decided.accepted,
            decided.refused,
            ctx.clock.now(),
          ),
        };
        // a failed recording is handled when settled; never an unhandled rejection meanwhile
        pending.recording.catch(() => {});
        next += phones.length;
      }
      if (pending) {
        const ok = await this.settle(pending.chunk, pending.recording);
        pending = null;
        if (!ok) return;
        cursor = next;
      }
    } finally {
      if (pending) await this.settle(pending.chunk, pending.recording).catch(() => false);
    }
    if (cursor >= start.total) {
      await ctx.store.campaigns.setStatus(start.id, ["running"], "completed", ctx.clock.now());
      this.actingTimes.delete(start.id);
    }
  }

  /** Decides one chunk of recipients (shared caps in one round trip) into messages to record. */
  private async decideChunk(start: Campaign, phones: readonly string[]): Promise<DecidedChunk> {
    const { ctx } = this;
    const at = this.actingTimes.get(start.id) ?? ctx.clock.now();
    const prepared = prepareSend(ctx.state, start, at);
    const fields = { ...start, port: sendingNumber(start.port, prepared.port) };
    const decisions: RecipientDecision[] = new Array(phones.length);
    const ids: string[] = new Array(phones.length);
    for (let i = 0; i < phones.length; i++) {
      decisions[i] = decideRecipient(ctx.state, prepared, phones[i] as string, at, true);
      ids[i] = ctx.ids.next("msg");
    }
    // shared caps (several nodes): one round trip for the chunk; SERVICE_DEGRADED stops here
    let counted: CapReservation[];
    try {
      counted = await applySharedCaps(ctx, decisions, at, true, ids);
    } catch (err) {
      for (const d of decisions) undoCommit(ctx.state, prepared, d, at);
      throw err;
    }
    const messages: Message[] = new Array(phones.length);
    const refused: Record<string, number> = {};
    let accepted = 0;
    const reasonCache = new Map<string, Reason[]>();
    for (let i = 0; i < phones.length; i++) {
      const raw = phones[i] as string;
      const d = decisions[i] as RecipientDecision;
      let reasons: Reason[] = [];
      if (d.codes.length === 0) accepted++;
      else {
        const primary = d.codes[0] as ReasonCode;
        refused[primary] = (refused[primary] ?? 0) + 1;
        const key = d.codes.join(",");
        reasons = reasonCache.get(key) ?? byPrecedence(d.codes);
        reasonCache.set(key, reasons);
      }
      messages[i] = buildMessage(
        ctx,
        fields,
        at,
        d.phone.ok ? d.phone.e164 : raw,
        prepared.signature?.id ?? null,
        prepared.port?.id ?? null,
        reasons,
        start.id,
        ids[i],
      );
    }
    return { prepared, at, decisions, counted, messages, accepted, refused };
  }

  /** Waits for a chunk's recording: true when recorded; otherwise (or on a throw) its counts are undone. */
  private async settle(c: DecidedChunk, recording: Promise<boolean>): Promise<boolean> {
    let ok = false;
    try {
      ok = await recording;
    } finally {
      if (!ok) await this.undo(c);
    }
    if (ok && c.accepted > 0) for (const wake of this.ctx.onAccepted) wake();
    return ok;
  }

  /** Takes back what a chunk that will not be recorded counted, in process and in the shared counters. */
  private async undo(c: DecidedChunk): Promise<void> {
    for (const d of c.decisions) undoCommit(this.ctx.state, c.prepared, d, c.at);
    await releaseSharedCaps(this.ctx, c.counted);
  }
}

/** One decided chunk, ready to record. */
interface DecidedChunk {
  prepared: PreparedSend;
  at: number;
  decisions: RecipientDecision[];
  counted: CapReservation[];
  messages: Message[];
  accepted: number;
  refused: Record<string, number>;
}
