import type { Message } from "../../domain/messages/message.js";
import { smsParts } from "../../domain/messages/message.js";
import { decideRecipient, prepareSend, undoCommit } from "../../domain/policy/decide.js";
import { byPrecedence, type Reason } from "../../domain/policy/reason-codes.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { type Actor, type AppContext, actingTime } from "../context.js";
import { applySharedCaps, releaseSharedCaps } from "../counters/apply-caps.js";
import { insertWithNotice, refusalNotice } from "../delivery/sender-notices.js";
import { checkSendFields, type SendFields } from "./send-request.js";

export interface SubmitInput extends SendFields {
  phone: string;
  idempotencyKey?: string;
  at?: string | number;
  /** The message id to use (a channel that handed out ids before deciding, such as SMPP long messages). */
  id?: string;
  /** Parts as the sender split them, when it did (SMPP); else counted from the text. */
  parts?: number;
  /** Submitted over SMPP: how many ids the sender holds for it (see Message.smppParts). */
  smppParts?: number;
  /** The sender's own validity (SMPP validity_period): the message expires at the earlier of it and the policy's. */
  validUntil?: number;
  /** The sender's schedule (SMPP schedule_delivery_time): not handed over before it. */
  notBefore?: number;
  /**
   * A refusal is also told by receipt (SMPP: the refused `submit_sm_resp` carries no message id), queued
   * in the same transaction as the refused message.
   */
  receiptIfRefused?: boolean;
}

export type SubmitResult =
  | { id: string; status: "accepted"; duplicate: boolean }
  | { id: string; status: "refused"; reasons: Reason[]; duplicate: boolean };

/**
 * Submits one message: the policy decides at the server's time, and the message is recorded either way,
 * accepted into the outbox or refused with every failed rule. One idempotency key never yields two
 * messages: a repeat returns the first outcome.
 */
export async function submitMessage(
  ctx: AppContext,
  actor: Actor,
  input: SubmitInput,
): Promise<SubmitResult> {
  checkSendFields(ctx, actor, input);
  if (input.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,128}$/.test(input.idempotencyKey))
    throw new DomainError("VALIDATION_FAILED", "idempotencyKey must be 1–128 printable ASCII characters", {
      field: "idempotencyKey",
    });
  const at = actingTime(ctx, input.at);
  const prepared = prepareSend(ctx.state, input, at);
  const d = decideRecipient(ctx.state, prepared, input.phone, at, true);
  const id = input.id ?? ctx.ids.next("msg");
  const perSecond = ctx.state.policy.senderRatePerSecond;
  const rate =
    perSecond > 0 ? { senderId: input.senderId, perSecond, n: 1, now: ctx.clock.now() } : undefined;
  let counted: Awaited<ReturnType<typeof applySharedCaps>>;
  try {
    counted = await applySharedCaps(ctx, [d], at, true, [id], rate);
  } catch (err) {
    undoCommit(ctx.state, prepared, d, at);
    throw err;
  }
  const reasons = byPrecedence(d.codes);
  const allowed = reasons.length === 0;
  const m = buildMessage(
    ctx,
    { ...input, port: sendingNumber(input.port, prepared.port) },
    at,
    d.phone.ok ? d.phone.e164 : input.phone,
    prepared.signature?.id ?? null,
    prepared.port?.id ?? null,
    reasons,
    null,
    id,
  );
  m.idempotencyKey = input.idempotencyKey ?? null;
  if (input.parts !== undefined) m.parts = input.parts;
  if (input.smppParts !== undefined) m.smppParts = input.smppParts;
  if (input.validUntil !== undefined) m.validUntil = Math.min(m.validUntil, input.validUntil);
  if (input.notBefore !== undefined && input.notBefore > m.notBefore) m.notBefore = input.notBefore;
  let outcome: Awaited<ReturnType<typeof ctx.store.messages.insert>>;
  try {
    outcome =
      !allowed && input.receiptIfRefused
        ? await insertWithNotice(ctx, m, refusalNotice(ctx, m, reasons[0]?.code))
        : await ctx.store.messages.insert(m);
  } catch (err) {
    // not recorded: take back what was counted (the caller is told to retry)
    undoCommit(ctx.state, prepared, d, at);
    await releaseSharedCaps(ctx, counted);
    throw err;
  }
  if (!outcome.inserted) {
    if (allowed) undoCommit(ctx.state, prepared, d, at);
    await releaseSharedCaps(ctx, counted);
    const e = outcome.existing;
    if (
      e.phone !== m.phone ||
      e.text !== m.text ||
      e.category !== m.category ||
      e.port !== m.port ||
      e.signature !== m.signature
    )
      throw new DomainError(
        "IDEMPOTENCY_MISMATCH",
        "idempotencyKey was already used for a different message",
      );
    return e.status === "refused"
      ? { id: e.id, status: "refused", reasons: e.reasons, duplicate: true }
      : { id: e.id, status: "accepted", duplicate: true };
  }
  if (allowed) for (const wake of ctx.onAccepted) wake();
  return allowed
    ? { id: m.id, status: "accepted", duplicate: false }
    : { id: m.id, status: "refused", reasons, duplicate: false };
}

/** The number a message leaves on: a port given by id leaves on its bare number. */
export function sendingNumber(ref: string, port: { id: string; number: string } | undefined): string {
  return port && ref === port.id ? port.number : ref;
}

/** A new message record, accepted when `reasons` is empty, refused otherwise. */
export function buildMessage(
  ctx: AppContext,
  f: SendFields,
  at: number,
  phone: string,
  signatureId: string | null,
  portId: string | null,
  reasons: Reason[],
  campaignId: string | null = null,
  id: string = ctx.ids.next("msg"),
): Message {
  const status = reasons.length === 0 ? "accepted" : "refused";
  return {
    id,
    senderId: f.senderId,
    signatureId,
    signature: f.signature,
    port: f.port,
    portId,
    phone,
    text: f.text,
    category: f.category,
    status,
    reasons,
    campaignId,
    idempotencyKey: null,
    parts: smsParts(f.text),
    createdAt: at,
    updatedAt: at,
    notBefore: at,
    validUntil: at + ctx.state.policy.messageValidityHours * 3600_000,
    upstreamId: null,
    history: [reasons.length === 0 ? { status, at } : { status, at, reasons }],
  };
}
