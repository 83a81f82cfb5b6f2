import type { Campaign, CampaignStatus } from "../../domain/campaigns/campaign.js";
import type { CampaignStore } from "../../domain/campaigns/campaign-store.port.js";
import type { Message } from "../../domain/messages/message.js";
import { toCampaign } from "../sql-rows/campaign-rows.js";
import { type PgMessageStore, withMessageConflicts } from "./message-store.pg.js";
import { inTransaction, json, type PgPool, type Row, withConflicts } from "./pg-util.js";

/** Phones per stored block of a campaign's recipient list. */
const RECIPIENT_BLOCK = 10_000;

/** Recipient blocks written per statement when a campaign is inserted. */
const BLOCKS_PER_INSERT = 10;

const SQL = {
  insert: `INSERT INTO campaigns (id, sender_id, signature, port, text, category, status, scheduled_at, total,
      cursor, accepted, refused_by_code, created_at, updated_at, lease_owner, lease_until)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
  // $3: a JSON array of blocks (each a JSON array of phones), numbered from $2
  insertBlocks: `INSERT INTO campaign_recipients (campaign_id, block, phones)
    SELECT $1, $2::int + e.n::int - 1, e.phones FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS e(phones, n)`,
  get: "SELECT * FROM campaigns WHERE id = $1",
  recipients: `SELECT phones FROM campaign_recipients WHERE campaign_id = $1 AND block BETWEEN $2 AND $3
    ORDER BY block`,
  // The row lock this UPDATE takes is the chunk's guard: a concurrent recorder of the same cursor waits,
  // then finds the cursor moved and updates nothing; refusal counts merge code by code.
  progress: `UPDATE campaigns SET cursor = $3, accepted = accepted + $4, updated_at = $6,
      refused_by_code = CASE WHEN $5::jsonb = '{}'::jsonb THEN refused_by_code ELSE (
        SELECT jsonb_object_agg(key, n) FROM (
          SELECT key, sum(value::bigint) AS n FROM (
            SELECT key, value FROM jsonb_each_text(campaigns.refused_by_code)
            UNION ALL SELECT key, value FROM jsonb_each_text($5::jsonb)
          ) each_code GROUP BY key
        ) merged) END
    WHERE id = $1 AND cursor = $2 AND status = 'running'`,
  setStatus: "UPDATE campaigns SET status = $2, updated_at = $3 WHERE id = $1 AND status = ANY($4::text[])",
  // SKIP LOCKED: nodes leasing at once each take a different campaign instead of queueing on one
  lease: `UPDATE campaigns SET lease_owner = $1, lease_until = $3, status = 'running',
      updated_at = CASE WHEN status = 'running' THEN updated_at ELSE $2 END
    WHERE id = (
      SELECT id FROM campaigns
      WHERE status IN ('scheduled', 'running')
        AND (status = 'running' OR scheduled_at IS NULL OR scheduled_at <= $2)
        AND (lease_until IS NULL OR lease_until <= $2)
      ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    RETURNING *`,
  release: "UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
} as const;

/**
 * Campaigns, their recipient lists and progress, in PostgreSQL. A chunk's messages go in through the
 * message store (COPY for large chunks) in the same transaction as the cursor move; leases are taken
 * with SKIP LOCKED so several nodes share the campaigns.
 */
export class PgCampaignStore implements CampaignStore {
  constructor(
    private readonly pool: PgPool,
    private readonly messages: PgMessageStore,
  ) {}

  async insert(c: Campaign, phones: readonly string[]): Promise<void> {
    await withConflicts(
      () =>
        inTransaction(this.pool, async (q) => {
          await q.query(SQL.insert, [
            c.id,
            c.senderId,
            c.signature,
            c.port,
            c.text,
            c.category,
            c.status,
            c.scheduledAt,
            c.total,
            c.cursor,
            c.accepted,
            JSON.stringify(c.refusedByCode),
            c.createdAt,
            c.updatedAt,
            c.leaseOwner,
            c.leaseUntil,
          ]);
          const span = RECIPIENT_BLOCK * BLOCKS_PER_INSERT;
          for (let at = 0; at < phones.length; at += span) {
            const blocks: string[][] = [];
            for (let b = at; b < Math.min(at + span, phones.length); b += RECIPIENT_BLOCK)
              blocks.push(phones.slice(b, b + RECIPIENT_BLOCK));
            await q.query(SQL.insertBlocks, [c.id, at / RECIPIENT_BLOCK, JSON.stringify(blocks)]);
          }
        }),
      { campaigns_pkey: "campaign id" },
      "campaign",
    );
  }

  async get(id: string): Promise<Campaign | null> {
    const r = (await this.pool.query(SQL.get, [id])).rows[0] as Row | undefined;
    return r ? toCampaign(r) : null;
  }

  async recipients(id: string, from: number, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const first = Math.floor(from / RECIPIENT_BLOCK);
    const last = Math.floor((from + limit - 1) / RECIPIENT_BLOCK);
    const rows = (await this.pool.query(SQL.recipients, [id, first, last])).rows as Row[];
    const phones: string[] = [];
    for (const r of rows) for (const p of json<string[]>(r.phones)) phones.push(p);
    const offset = from - first * RECIPIENT_BLOCK;
    return phones.slice(offset, offset + limit);
  }

  async recordChunk(
    id: string,
    expectedCursor: number,
    cursor: number,
    messages: Message[],
    accepted: number,
    refusedByCode: Record<string, number>,
    at: number,
  ): Promise<boolean> {
    return withMessageConflicts(() =>
      inTransaction(this.pool, async (q) => {
        const moved = await q.query(SQL.progress, [
          id,
          expectedCursor,
          cursor,
          accepted,
          JSON.stringify(refusedByCode),
          at,
        ]);
        if (!moved.rowCount) return false;
        await this.messages.insertRows(q, messages);
        return true;
      }),
    );
  }

  async setStatus(
    id: string,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    at: number,
  ): Promise<boolean> {
    return ((await this.pool.query(SQL.setStatus, [id, to, at, from])).rowCount ?? 0) > 0;
  }

  async lease(owner: string, now: number, leaseMs: number): Promise<Campaign | null> {
    const r = (await this.pool.query(SQL.lease, [owner, now, now + leaseMs])).rows[0] as Row | undefined;
    return r ? toCampaign(r) : null;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.pool.query(SQL.release, [id, owner]);
  }
}
