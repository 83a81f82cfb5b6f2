import type { Port } from "../../domain/sending-ports/port.js";
import type { AppContext } from "../context.js";

/** Whom a reply is aimed at, and the signature to confirm under. */
export interface ReplyTarget {
  enterpriseIds: string[];
  /** How the target was found. */
  via: "extension" | "latest_message" | "port";
  /** Sender and signature for the confirmation SMS, when known. */
  senderId: string | null;
  signatureId: string | null;
}

/**
 * Finds the enterprises a reply to `to` is aimed at: by the full destination number (port plus
 * extension) when it names one allocation; else by the latest message sent to the recipient on that
 * port; when it stays ambiguous, every enterprise bound to the port (the wider stop is the safe side).
 * The owner of the signature used is always included with the sender.
 */
export async function enterprisesForReply(
  ctx: AppContext,
  port: Port,
  to: string,
  e164: string,
): Promise<ReplyTarget> {
  const reg = ctx.state.registry;
  const ownerOf = (sid: string | null) => (sid ? reg.signatures.get(sid)?.ownerId : undefined);
  const ids = new Set<string>();
  const exact = reg
    .matchNumber(to)
    .filter((m) => m.port.id === port.id && m.port.number + m.allocation.extension === to);
  const latest = await ctx.store.messages.latestToRecipient(
    e164,
    to.length > port.number.length ? to : port.number,
  );
  if (exact.length > 0 && to.length > port.number.length) {
    for (const m of exact) ids.add(m.allocation.enterpriseId);
    // whoever last sent on this very number (a merchant under the platform's signature, say) stops too
    if (latest) {
      ids.add(latest.senderId);
      const o = ownerOf(latest.signatureId);
      if (o) ids.add(o);
    }
    const first = exact[0];
    return {
      enterpriseIds: [...ids],
      via: "extension",
      senderId: latest?.senderId ?? first?.allocation.enterpriseId ?? null,
      signatureId: latest?.signatureId ?? first?.allocation.signatureIds[0] ?? null,
    };
  }
  if (latest) {
    ids.add(latest.senderId);
    const o = ownerOf(latest.signatureId);
    if (o) ids.add(o);
    return {
      enterpriseIds: [...ids],
      via: "latest_message",
      senderId: latest.senderId,
      signatureId: latest.signatureId,
    };
  }
  let signatureId: string | null = null;
  for (const a of reg.allocationsOfPort(port.id)) {
    ids.add(a.enterpriseId);
    for (const sid of a.signatureIds) {
      signatureId ??= sid;
      const o = ownerOf(sid);
      if (o) ids.add(o);
    }
  }
  const first = reg.allocationsOfPort(port.id)[0];
  return { enterpriseIds: [...ids], via: "port", senderId: first?.enterpriseId ?? null, signatureId };
}
