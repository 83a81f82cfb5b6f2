import type { Campaign, CampaignStatus } from "../../domain/campaigns/campaign.js";
import { json, num, numOrNull, type Row, str, strOrNull } from "./row-values.js";

/** Campaign rows (same columns in SQLite and PostgreSQL) as domain objects. */

export function toCampaign(r: Row): Campaign {
  return {
    id: str(r.id),
    senderId: str(r.sender_id),
    signature: str(r.signature),
    port: str(r.port),
    text: str(r.text),
    category: str(r.category),
    status: str(r.status) as CampaignStatus,
    scheduledAt: numOrNull(r.scheduled_at),
    total: num(r.total),
    cursor: num(r.cursor),
    accepted: num(r.accepted),
    refusedByCode: json<Record<string, number>>(r.refused_by_code),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    leaseOwner: strOrNull(r.lease_owner),
    leaseUntil: numOrNull(r.lease_until),
  };
}
