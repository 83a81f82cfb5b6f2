/**
 * query_sm and cancel_sm: thin translators into the message use cases (findMessage, cancelMessage), for
 * the bound account's enterprise only. A message of another enterprise is not found, like one that does
 * not exist: the answer never hints that it does.
 */
import type { Actor, AppContext } from "../../../app/context.js";
import { cancelMessage } from "../../../app/messaging/cancel-message.js";
import { findMessage } from "../../../app/messaging/get-message.js";
import type { Message } from "../../../domain/messages/message.js";
import { DomainError } from "../../../domain/shared/domain-error.js";
import type { SmppAccount } from "../../../domain/smpp/smpp-account.js";
import { SMPP_STATUS } from "../command-status.js";
import { type CancelSmPdu, MESSAGE_STATE, type QuerySmPdu, type QuerySmRespPdu } from "../pdu/index.js";
import type { ResponseInit } from "../session.js";
import { formatSmppTime } from "../smpp-time.js";

/** The SMPP message_state (§5.2.28) of a message, and whether that state is final. */
export function messageStateOf(m: Message): { state: number; final: boolean } {
  switch (m.status) {
    case "accepted":
    case "dispatching":
    case "sent":
      return { state: MESSAGE_STATE.ENROUTE, final: false };
    case "unknown":
      return { state: MESSAGE_STATE.UNKNOWN, final: false };
    case "delivered":
      return { state: MESSAGE_STATE.DELIVERED, final: true };
    case "failed":
      return { state: MESSAGE_STATE.UNDELIVERABLE, final: true };
    case "cancelled":
      return { state: MESSAGE_STATE.DELETED, final: true };
    case "refused": {
      // not sent within its validity (or its quiet hours outlasted it): expired, not rejected
      const expired = m.reasons.some((r) => r.code === "MESSAGE_EXPIRED");
      return { state: expired ? MESSAGE_STATE.EXPIRED : MESSAGE_STATE.REJECTED, final: true };
    }
    default:
      return unreachable(m.status);
  }
}

function unreachable(status: never): never {
  throw new Error(`no message_state for ${String(status)}`);
}

/** The actor an SMPP bind acts as: its account's enterprise. */
function actorOf(account: SmppAccount): Actor {
  return { kind: "enterprise", enterpriseId: account.enterpriseId };
}

/** Whether `err` is the use case saying no (as opposed to the store failing). */
function isRefusal(err: unknown): boolean {
  return err instanceof DomainError && (err.code === "NOT_FOUND" || err.code === "INVALID_STATE");
}

/**
 * query_sm: the message's state by any id the sender holds (`msg_…`, or `msg_…-k` for a part it split
 * itself, also while its last part has not come: ENROUTE). final_date is the time of its final status (UTC), empty while it has none; error_code is 0
 * (the refusal or carrier error is in its receipt's `err:` and in GET /v1/messages/{id}). source_addr is
 * not checked: the bound account's enterprise is what scopes the look-up. Not found: ESME_RQUERYFAIL.
 * @throws what the store throws (the caller answers ESME_RSYSERR).
 */
export async function answerQuerySm(
  ctx: AppContext,
  account: SmppAccount,
  pdu: QuerySmPdu,
  pending?: PendingParts,
): Promise<PduInit<QuerySmRespPdu>> {
  let m: Message;
  try {
    m = await findMessage(ctx, actorOf(account), pdu.messageId, { ownOnly: true });
  } catch (err) {
    if (!isRefusal(err)) throw err;
    // a part of a long message whose last part has not come: acknowledged, on its way
    if (!pending?.pendingPart(account, pdu.messageId)) return queryRefused(SMPP_STATUS.QUERY_FAILED);
    const state = MESSAGE_STATE.ENROUTE;
    return {
      command: "query_sm_resp",
      status: 0,
      messageId: pdu.messageId,
      finalDate: "",
      messageState: state,
      errorCode: 0,
    };
  }
  const { state, final } = messageStateOf(m);
  return {
    command: "query_sm_resp",
    status: 0,
    messageId: pdu.messageId,
    finalDate: final ? formatSmppTime(m.updatedAt) : "",
    messageState: state,
    errorCode: 0,
  };
}

/** A refused query_sm_resp (sent as a bare header). */
export function queryRefused(status: number): PduInit<QuerySmRespPdu> {
  return { command: "query_sm_resp", status, messageId: "", finalDate: "", messageState: 0, errorCode: 0 };
}

/**
 * cancel_sm by message_id: the message (all of it, for a part id) is cancelled when still in anning's
 * outbox (see cancelMessage) or still being assembled (its last part not come); service_type, source_addr and destination_addr are not checked. The form
 * without a message_id (every message from a source to a destination) is refused, as is a message
 * handed to a carrier already, final, unknown or another enterprise's: ESME_RCANCELFAIL.
 * @throws what the store throws (the caller answers ESME_RSYSERR).
 */
export async function answerCancelSm(
  ctx: AppContext,
  account: SmppAccount,
  pdu: CancelSmPdu,
  pending?: PendingParts,
): Promise<ResponseInit> {
  const failed = { command: "cancel_sm_resp", status: SMPP_STATUS.CANCEL_FAILED } as const;
  if (pdu.messageId === "") return failed;
  try {
    await cancelMessage(ctx, actorOf(account), pdu.messageId, { ownOnly: true });
  } catch (err) {
    if (!isRefusal(err)) throw err;
    // a long message whose last part has not come: recorded cancelled, its parts told DELETED
    if (!(await pending?.cancelPending(account, pdu.messageId))) return failed;
  }
  return { command: "cancel_sm_resp", status: 0 };
}

/** Long messages still being assembled, which the store does not hold yet (the SubmitHandler). */
export interface PendingParts {
  /** Whether `id` names an acknowledged part of `account`'s long message still being assembled. */
  pendingPart(account: SmppAccount, id: string): object | null;
  /** Cancels such a message (recorded cancelled); false when there is none. */
  cancelPending(account: SmppAccount, id: string): Promise<boolean>;
}

/** A response PDU without its sequence, with its status. */
export type PduInit<P extends { sequence: number }> = Omit<P, "sequence">;
