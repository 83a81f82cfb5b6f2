import type Database from "better-sqlite3";
import type {
  DeliveryStore,
  PartState,
  SenderNotice,
  UpstreamRef,
} from "../../domain/delivery/delivery-store.port.js";
import { upstreamIdKey, upstreamIdLookupKeys } from "../../domain/delivery/upstream-id.js";
import {
  NOTICE_COLUMNS,
  noticeFromValues,
  UPSTREAM_REF_COLUMNS,
  upstreamRefFromValues,
} from "../sql-rows/smpp-rows.js";
import { idList, num, type RowValues, str, withConflicts } from "./sqlite-util.js";

/** Positions in a part row: message_id and part (of UPSTREAM_REF_COLUMNS), then sent_at. */
const [MESSAGE_ID, PART, SENT_AT] = [2, 3, 7];

function statements(db: Database.Database) {
  // rows as arrays (about half the cost of row objects): parts in UPSTREAM_REF_COLUMNS order, notices in
  // NOTICE_COLUMNS order
  const parts = (rest: string) =>
    db.prepare(`SELECT ${UPSTREAM_REF_COLUMNS}, sent_at FROM upstream_parts ${rest}`).raw();
  const notices = (rest: string) => db.prepare(`SELECT ${NOTICE_COLUMNS} FROM sender_notices ${rest}`).raw();
  return {
    putPart: db.prepare(
      `INSERT OR REPLACE INTO upstream_parts (message_id, part, parts, route, upstream_id, id_key, state, at, sent_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // the newest part stored under one key: a walk down the (route, id_key, sent_at) index, whose entries
    // end in the primary key (message_id, part), so no sort (an IN over the keys sorted in a temp B-tree)
    find: parts(`WHERE route = ? AND id_key = ? ORDER BY sent_at DESC, message_id DESC, part DESC LIMIT 1`),
    settle: db.prepare("UPDATE upstream_parts SET state = ?, at = ? WHERE message_id = ? AND part = ?"),
    refsOf: parts("WHERE message_id = ? ORDER BY part"),
    addNotice: db.prepare(
      `INSERT INTO sender_notices (id, enterprise_id, kind, message_id, payload, created_at, smpp_delivered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    pending: notices("WHERE enterprise_id = ? AND smpp_delivered_at IS NULL ORDER BY id LIMIT ?"),
    markDelivered: db.prepare(
      `UPDATE sender_notices SET smpp_delivered_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND smpp_delivered_at IS NULL`,
    ),
    after: notices("WHERE enterprise_id IN (SELECT value FROM json_each(?)) AND id > ? ORDER BY id LIMIT ?"),
    pendingEnterprises: db
      .prepare(
        "SELECT DISTINCT enterprise_id FROM sender_notices WHERE smpp_delivered_at IS NULL ORDER BY enterprise_id",
      )
      .pluck(),
  };
}

type Statements = ReturnType<typeof statements>;

/** Whether part row `a` sorts after `b` by (sent_at, message_id, part): the newer hand-over. */
function newerPart(a: RowValues, b: RowValues): boolean {
  const at = num(a[SENT_AT]);
  const bt = num(b[SENT_AT]);
  if (at !== bt) return at > bt;
  const am = str(a[MESSAGE_ID]);
  const bm = str(b[MESSAGE_ID]);
  if (am !== bm) return am > bm;
  return num(a[PART]) > num(b[PART]);
}

/** Upstream references and sender notices, in SQLite. */
export class SqliteDeliveryStore implements DeliveryStore {
  private readonly stmts: Statements;
  private readonly addRefsTx: (refs: readonly UpstreamRef[]) => void;
  private readonly settleTx: (messageId: string, part: number, state: PartState, at: number) => RowValues[];
  private readonly addNoticesTx: (ns: readonly SenderNotice[]) => void;
  /**
   * Inserts one notice row in the caller's transaction (the message store queues a notice in the same
   * transaction as the status change it tells of); a taken id is a StoreConflictError. Not part of the
   * port.
   */
  readonly insertNoticeRow: (n: SenderNotice) => void;

  constructor(db: Database.Database) {
    const s = statements(db);
    this.stmts = s;
    const putPart = (r: UpstreamRef) =>
      s.putPart.run(
        r.messageId,
        r.part,
        r.parts,
        r.route,
        r.upstreamId,
        upstreamIdKey(r.upstreamId),
        r.state,
        r.at,
        r.at,
      );
    const addRefs = db.transaction((refs: readonly UpstreamRef[]) => {
      for (const r of refs) putPart(r);
    });
    // one part is one statement, atomic on its own
    this.addRefsTx = (refs) => (refs.length === 1 && refs[0] ? putPart(refs[0]) : addRefs.immediate(refs));
    const settle = db.transaction((messageId: string, part: number, state: PartState, at: number) => {
      s.settle.run(state, at, messageId, part);
      return s.refsOf.all(messageId) as RowValues[];
    });
    this.settleTx = (messageId, part, state, at) => settle.immediate(messageId, part, state, at);
    const insertNotice = (n: SenderNotice) => {
      withConflicts(
        () =>
          s.addNotice.run(
            n.id,
            n.enterpriseId,
            n.kind,
            n.messageId,
            JSON.stringify(n.payload),
            n.createdAt,
            n.smppDeliveredAt,
          ),
        { "sender_notices.id": "notice id" },
        "notice",
      );
    };
    this.insertNoticeRow = insertNotice;
    const addNotices = db.transaction((ns: readonly SenderNotice[]) => {
      for (const n of ns) insertNotice(n);
    });
    // one notice is one statement, atomic on its own (no savepoint around it)
    this.addNoticesTx = (ns) => (ns.length === 1 && ns[0] ? insertNotice(ns[0]) : addNotices.immediate(ns));
  }

  async addRefs(refs: UpstreamRef[]): Promise<void> {
    if (refs.length > 0) this.addRefsTx(refs);
  }

  async findRef(route: string, upstreamId: string): Promise<UpstreamRef | null> {
    // every stored form the receipt's id may be in; the newest part wins
    let best: RowValues | undefined;
    for (const key of upstreamIdLookupKeys(upstreamId)) {
      const r = this.stmts.find.get(route, key) as RowValues | undefined;
      if (r && (best === undefined || newerPart(r, best))) best = r;
    }
    return best ? upstreamRefFromValues(best) : null;
  }

  async settlePart(messageId: string, part: number, state: PartState, at: number): Promise<UpstreamRef[]> {
    return this.settleTx(messageId, part, state, at).map(upstreamRefFromValues);
  }

  async refsOf(messageId: string): Promise<UpstreamRef[]> {
    return (this.stmts.refsOf.all(messageId) as RowValues[]).map(upstreamRefFromValues);
  }

  async addNotice(n: SenderNotice): Promise<void> {
    this.addNoticesTx([n]);
  }

  async addNotices(ns: SenderNotice[]): Promise<void> {
    if (ns.length > 0) this.addNoticesTx(ns);
  }

  async pendingSmpp(enterpriseId: string, limit: number): Promise<SenderNotice[]> {
    if (limit <= 0) return [];
    return (this.stmts.pending.all(enterpriseId, limit) as RowValues[]).map(noticeFromValues);
  }

  async markSmppDelivered(ids: readonly string[], at: number): Promise<void> {
    if (ids.length > 0) this.stmts.markDelivered.run(at, idList(ids));
  }

  async noticesAfter(
    enterpriseIds: readonly string[],
    afterId: string,
    limit: number,
  ): Promise<SenderNotice[]> {
    if (limit <= 0 || enterpriseIds.length === 0) return [];
    return (this.stmts.after.all(idList(enterpriseIds), afterId, limit) as RowValues[]).map(noticeFromValues);
  }

  async pendingSmppEnterprises(): Promise<string[]> {
    return this.stmts.pendingEnterprises.all().map(str);
  }
}
