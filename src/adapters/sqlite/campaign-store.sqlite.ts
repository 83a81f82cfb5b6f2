import type Database from "better-sqlite3";
import type { Campaign, CampaignStatus } from "../../domain/campaigns/campaign.js";
import type { CampaignStore } from "../../domain/campaigns/campaign-store.port.js";
import type { Message } from "../../domain/messages/message.js";
import { toCampaign } from "../sql-rows/campaign-rows.js";
import type { SqliteMessageStore } from "./message-store.sqlite.js";
import { idList, json, num, type Row, str, withConflicts } from "./sqlite-util.js";

/** Phones per stored block of a campaign's recipient list. */
const RECIPIENT_BLOCK = 10_000;

function statements(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO campaigns (id, sender_id, signature, port, text, category, status, scheduled_at, total, cursor,
         accepted, refused_by_code, created_at, updated_at, lease_owner, lease_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertBlock: db.prepare("INSERT INTO campaign_recipients (campaign_id, block, phones) VALUES (?, ?, ?)"),
    get: db.prepare("SELECT * FROM campaigns WHERE id = ?"),
    recipients: db
      .prepare(
        "SELECT phones FROM campaign_recipients WHERE campaign_id = ? AND block >= ? AND block <= ? ORDER BY block",
      )
      .pluck(),
    progress: db.prepare(
      `UPDATE campaigns SET cursor = ?, accepted = accepted + ?, refused_by_code = ?, updated_at = ?
       WHERE id = ?`,
    ),
    setStatus: db.prepare(
      `UPDATE campaigns SET status = ?, updated_at = ?
       WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
    ),
    leasable: db.prepare(
      `SELECT * FROM campaigns
       WHERE status IN ('scheduled', 'running')
         AND (status = 'running' OR scheduled_at IS NULL OR scheduled_at <= ?)
         AND (lease_until IS NULL OR lease_until <= ?)
       ORDER BY created_at, id LIMIT 1`,
    ),
    takeLease: db.prepare(
      `UPDATE campaigns SET lease_owner = ?, lease_until = ?, status = 'running',
         updated_at = CASE WHEN status = 'running' THEN updated_at ELSE ? END
       WHERE id = ?`,
    ),
    release: db.prepare(
      "UPDATE campaigns SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?",
    ),
  };
}

type Statements = ReturnType<typeof statements>;

interface Chunk {
  id: string;
  expectedCursor: number;
  cursor: number;
  messages: readonly Message[];
  accepted: number;
  refusedByCode: Record<string, number>;
  at: number;
}

/**
 * Campaigns, their recipient lists and progress, in SQLite. Chunks are recorded through the message
 * store's shared insert statement, in the same transaction as the cursor move.
 */
export class SqliteCampaignStore implements CampaignStore {
  private readonly stmts: Statements;
  private readonly insertTx: (c: Campaign, phones: readonly string[]) => void;
  private readonly chunkTx: (chunk: Chunk) => boolean;
  private readonly leaseTx: (owner: string, now: number, leaseMs: number) => Campaign | null;

  constructor(db: Database.Database, messages: SqliteMessageStore) {
    const s = statements(db);
    this.stmts = s;
    const insert = db.transaction((c: Campaign, phones: readonly string[]) => {
      s.insert.run(
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
      );
      for (let b = 0; b * RECIPIENT_BLOCK < phones.length; b++)
        s.insertBlock.run(
          c.id,
          b,
          JSON.stringify(phones.slice(b * RECIPIENT_BLOCK, (b + 1) * RECIPIENT_BLOCK)),
        );
    });
    this.insertTx = (c, phones) => insert.immediate(c, phones);

    const chunk = db.transaction((k: Chunk): boolean => {
      const r = s.get.get(k.id) as Row | undefined;
      if (r === undefined) return false;
      if (r.status !== "running" || num(r.cursor) !== k.expectedCursor) return false;
      messages.insertRows(k.messages);
      const counts = json<Record<string, number>>(r.refused_by_code);
      for (const [code, n] of Object.entries(k.refusedByCode)) counts[code] = (counts[code] ?? 0) + n;
      s.progress.run(k.cursor, k.accepted, JSON.stringify(counts), k.at, k.id);
      return true;
    });
    this.chunkTx = (k) => chunk.immediate(k);

    const lease = db.transaction((owner: string, now: number, leaseMs: number): Campaign | null => {
      const r = s.leasable.get(now, now) as Row | undefined;
      if (!r) return null;
      s.takeLease.run(owner, now + leaseMs, now, r.id);
      return toCampaign(s.get.get(r.id) as Row);
    });
    this.leaseTx = (owner, now, leaseMs) => lease.immediate(owner, now, leaseMs);
  }

  async insert(c: Campaign, phones: readonly string[]): Promise<void> {
    withConflicts(() => this.insertTx(c, phones), { "campaigns.id": "campaign id" }, "campaign");
  }

  async get(id: string): Promise<Campaign | null> {
    const r = this.stmts.get.get(id) as Row | undefined;
    return r ? toCampaign(r) : null;
  }

  async recipients(id: string, from: number, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const first = Math.floor(from / RECIPIENT_BLOCK);
    const last = Math.floor((from + limit - 1) / RECIPIENT_BLOCK);
    const phones: string[] = [];
    for (const block of this.stmts.recipients.all(id, first, last) as unknown[])
      phones.push(...(JSON.parse(str(block)) as string[]));
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
    return this.chunkTx({ id, expectedCursor, cursor, messages, accepted, refusedByCode, at });
  }

  async setStatus(
    id: string,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    at: number,
  ): Promise<boolean> {
    return this.stmts.setStatus.run(to, at, id, idList(from)).changes > 0;
  }

  async lease(owner: string, now: number, leaseMs: number): Promise<Campaign | null> {
    return this.leaseTx(owner, now, leaseMs);
  }

  async release(id: string, owner: string): Promise<void> {
    this.stmts.release.run(id, owner);
  }
}
