import type { UpstreamRef } from "../../domain/delivery/delivery-store.port.js";
import type { Message } from "../../domain/messages/message.js";

/** The longest wait between two tries of a message its carrier keeps refusing for now. */
const MAX_RETRY_MS = 300_000;

/**
 * How long a message the carrier could not take for now waits: `baseMs`, doubling with each earlier such
 * try (its history keeps them), up to five minutes. A long outage then adds a few history entries an
 * hour, not two every few seconds.
 */
export function retryDelay(m: Message, baseMs: number): number {
  let tries = 0;
  for (const e of m.history) if (e.note?.startsWith("upstream: ")) tries++;
  return Math.min(baseMs * 2 ** Math.min(tries, 16), MAX_RETRY_MS);
}

/** One reference per part an upstream took, for matching its receipts. */
export function refsOf(m: Message, route: string, partIds: readonly string[], at: number): UpstreamRef[] {
  return partIds.map((upstreamId, i) => ({
    route,
    upstreamId,
    messageId: m.id,
    part: i + 1,
    parts: partIds.length,
    state: "sent" as const,
    at,
  }));
}
