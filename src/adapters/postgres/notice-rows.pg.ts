import type { SenderNotice } from "../../domain/delivery/delivery-store.port.js";
import { type PgClient, type PgPool, withConflicts } from "./pg-util.js";

const INSERT = `INSERT INTO sender_notices (id, enterprise_id, kind, message_id, payload, created_at,
    smpp_delivered_at)
  SELECT id, enterprise_id, kind, message_id, payload::jsonb, created_at, smpp_delivered_at
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
    AS u(id, enterprise_id, kind, message_id, payload, created_at, smpp_delivered_at)`;

/** Inserts sender notices in one statement, on the pool or inside a caller's transaction. */
export async function insertNoticeRows(q: PgPool | PgClient, ns: readonly SenderNotice[]): Promise<void> {
  if (ns.length === 0) return;
  const values = [
    ns.map((n) => n.id),
    ns.map((n) => n.enterpriseId),
    ns.map((n) => n.kind),
    ns.map((n) => n.messageId),
    ns.map((n) => JSON.stringify(n.payload)),
    ns.map((n) => n.createdAt),
    ns.map((n) => n.smppDeliveredAt),
  ];
  await withConflicts(() => q.query(INSERT, values), { sender_notices_pkey: "notice id" }, "notice");
}
