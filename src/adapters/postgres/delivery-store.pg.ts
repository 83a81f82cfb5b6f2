import type {
  DeliveryStore,
  PartState,
  SenderNotice,
  UpstreamRef,
} from "../../domain/delivery/delivery-store.port.js";
import { upstreamIdKey, upstreamIdLookupKeys } from "../../domain/delivery/upstream-id.js";
import { toNotice, toUpstreamRef } from "../sql-rows/smpp-rows.js";
import { insertNoticeRows } from "./notice-rows.pg.js";
import { inTransaction, type PgPool, type Row, str } from "./pg-util.js";
import { StatementBatcher } from "./statement-batcher.js";

const SQL = {
  putParts: `INSERT INTO upstream_parts (message_id, part, parts, route, upstream_id, id_key, state, at, sent_at)
    SELECT * FROM unnest($1::text[], $2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[],
      $8::bigint[], $8::bigint[])
    ON CONFLICT (message_id, part) DO UPDATE SET parts = excluded.parts, route = excluded.route,
      upstream_id = excluded.upstream_id, id_key = excluded.id_key, state = excluded.state, at = excluded.at,
      sent_at = excluded.sent_at`,
  // many look-ups in one statement: one (look-up, route, key) row per key form; the newest part per look-up
  findMany: `SELECT DISTINCT ON (k.i) k.i, p.* FROM unnest($1::int[], $2::text[], $3::text[]) AS k(i, route, key)
    JOIN upstream_parts p ON p.route = k.route AND p.id_key = k.key
    ORDER BY k.i, p.sent_at DESC, p.message_id DESC, p.part DESC`,
  lockParts: "SELECT 1 FROM upstream_parts WHERE message_id = $1 FOR UPDATE",
  settle: "UPDATE upstream_parts SET state = $3, at = $4 WHERE message_id = $1 AND part = $2",
  refsOf: { name: "dlv.refsOf", text: "SELECT * FROM upstream_parts WHERE message_id = $1 ORDER BY part" },
  pending: {
    name: "dlv.pending",
    text: `SELECT * FROM sender_notices WHERE enterprise_id = $1 AND smpp_delivered_at IS NULL
      ORDER BY id LIMIT $2`,
  },
  markDelivered: {
    name: "dlv.markDelivered",
    text: `UPDATE sender_notices SET smpp_delivered_at = $2
      WHERE id = ANY($1::text[]) AND smpp_delivered_at IS NULL`,
  },
  after: {
    name: "dlv.after",
    text: `SELECT * FROM sender_notices WHERE enterprise_id = ANY($1::text[]) AND id > $2
      ORDER BY id LIMIT $3`,
  },
  pendingEnterprises: {
    name: "dlv.pendingEnterprises",
    text: `SELECT DISTINCT enterprise_id FROM sender_notices WHERE smpp_delivered_at IS NULL
      ORDER BY enterprise_id`,
  },
} as const;

/** The last ref given for each (messageId, part): one statement may not touch a row twice. */
function lastPerPart(refs: readonly UpstreamRef[]): UpstreamRef[] {
  return [...new Map(refs.map((r) => [`${r.messageId}\u0000${r.part}`, r])).values()];
}

/** Upstream references and sender notices, in PostgreSQL. */
export class PgDeliveryStore implements DeliveryStore {
  /** Part references, from concurrent calls, one statement per turn. */
  private readonly refs: StatementBatcher<UpstreamRef[], void>;
  /** Receipt look-ups, likewise. */
  private readonly finds: StatementBatcher<{ route: string; keys: string[] }, Row | null>;
  /** Notices, likewise. */
  private readonly notices: StatementBatcher<SenderNotice[], void>;

  constructor(private readonly pool: PgPool) {
    // a part given twice in one batch is written once, as its last call gave it (lastPerPart)
    this.refs = new StatementBatcher<UpstreamRef[], void>({
      runMany: async (calls) => {
        await this.putParts(calls.flat());
        return calls.map(() => undefined);
      },
    });
    this.finds = new StatementBatcher<{ route: string; keys: string[] }, Row | null>({
      runMany: async (calls) => {
        const [is, routes, keys]: [number[], string[], string[]] = [[], [], []];
        calls.forEach((c, i) => {
          for (const key of c.keys) {
            is.push(i);
            routes.push(c.route);
            keys.push(key);
          }
        });
        const r = await pool.query(SQL.findMany, [is, routes, keys]);
        const found = new Map((r.rows as Row[]).map((row) => [Number(row.i), row]));
        return calls.map((_, i) => found.get(i) ?? null);
      },
    });
    this.notices = new StatementBatcher<SenderNotice[], void>({
      runMany: async (calls) => {
        await insertNoticeRows(this.pool, calls.flat());
        return calls.map(() => undefined);
      },
    });
  }

  async addRefs(refs: UpstreamRef[]): Promise<void> {
    if (refs.length > 0) await this.refs.run(refs);
  }

  private async putParts(refs: readonly UpstreamRef[]): Promise<void> {
    const rs = lastPerPart(refs);
    await this.pool.query(SQL.putParts, [
      rs.map((r) => r.messageId),
      rs.map((r) => r.part),
      rs.map((r) => r.parts),
      rs.map((r) => r.route),
      rs.map((r) => r.upstreamId),
      rs.map((r) => upstreamIdKey(r.upstreamId)),
      rs.map((r) => r.state),
      rs.map((r) => r.at),
    ]);
  }

  async findRef(route: string, upstreamId: string): Promise<UpstreamRef | null> {
    const keys = upstreamIdLookupKeys(upstreamId);
    if (keys.length === 0) return null;
    const r = await this.finds.run({ route, keys });
    return r ? toUpstreamRef(r) : null;
  }

  async settlePart(messageId: string, part: number, state: PartState, at: number): Promise<UpstreamRef[]> {
    // the message's parts are locked first, so settlements of one message run one after the other
    return inTransaction(this.pool, async (c) => {
      await c.query(SQL.lockParts, [messageId]);
      await c.query(SQL.settle, [messageId, part, state, at]);
      return ((await c.query({ ...SQL.refsOf, values: [messageId] })).rows as Row[]).map(toUpstreamRef);
    });
  }

  async refsOf(messageId: string): Promise<UpstreamRef[]> {
    return ((await this.pool.query({ ...SQL.refsOf, values: [messageId] })).rows as Row[]).map(toUpstreamRef);
  }

  async addNotice(n: SenderNotice): Promise<void> {
    await this.addNotices([n]);
  }

  async addNotices(ns: SenderNotice[]): Promise<void> {
    if (ns.length > 0) await this.notices.run(ns);
  }

  async pendingSmpp(enterpriseId: string, limit: number): Promise<SenderNotice[]> {
    if (limit <= 0) return [];
    const r = await this.pool.query({ ...SQL.pending, values: [enterpriseId, limit] });
    return (r.rows as Row[]).map(toNotice);
  }

  async markSmppDelivered(ids: readonly string[], at: number): Promise<void> {
    if (ids.length > 0) await this.pool.query({ ...SQL.markDelivered, values: [[...ids], at] });
  }

  async noticesAfter(
    enterpriseIds: readonly string[],
    afterId: string,
    limit: number,
  ): Promise<SenderNotice[]> {
    if (limit <= 0 || enterpriseIds.length === 0) return [];
    const r = await this.pool.query({ ...SQL.after, values: [[...enterpriseIds], afterId, limit] });
    return (r.rows as Row[]).map(toNotice);
  }

  async pendingSmppEnterprises(): Promise<string[]> {
    return (await this.pool.query(SQL.pendingEnterprises)).rows.map((r: Row) => str(r.enterprise_id));
  }
}
