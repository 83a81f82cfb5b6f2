import type { CapReservation } from "../../app/counters/shared-counters.port.js";

/**
 * Encodes reservations as the RESERVE script's groups: consecutive items sharing their rule (a campaign
 * chunk: one sender, one day, the same caps) make one group, so an item costs one argument (two for
 * verification). See scripts.ts for the layout.
 */
export function encodeReservations(items: readonly CapReservation[]): string[] {
  const out: string[] = [];
  let head = "";
  let countAt = -1;
  let count = 0;
  for (const it of items) {
    const q = it.query;
    const rule =
      q.kind === "marketing"
        ? ["m", String(q.day), q.senderId, String(q.perSender), String(q.perRecipient), "0"]
        : ["v", String(it.at), q.signatureId, String(q.perMinute), String(q.perHour), String(q.perDay)];
    const key = rule.join("\u0000");
    if (key !== head) {
      if (countAt >= 0) out[countAt] = String(count);
      out.push(...rule, "0");
      countAt = out.length - 1;
      count = 0;
      head = key;
    }
    out.push(it.commit ? String(q.digits) : `-${q.digits}`);
    if (q.kind === "verification") out.push(it.token);
    count++;
  }
  if (countAt >= 0) out[countAt] = String(count);
  return out;
}
