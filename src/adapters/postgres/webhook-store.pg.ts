import type {
  SetWebhookOptions,
  WebhookStore,
  WebhookSubscription,
} from "../../domain/webhooks/webhook-store.port.js";
import { toSubscription } from "../sql-rows/webhook-rows.js";
import type { PgPool, Row } from "./pg-util.js";

const UPSERT = `
  INSERT INTO webhooks (enterprise_id, url, secret, cursor, attempts, next_attempt_at, last_error,
                        notices_cursor, notices_attempts, notices_next_attempt_at, notices_last_error,
                        created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
  ON CONFLICT (enterprise_id) DO UPDATE SET
    url = excluded.url, secret = excluded.secret, attempts = excluded.attempts,
    next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error,
    notices_attempts = excluded.notices_attempts, notices_next_attempt_at = excluded.notices_next_attempt_at,
    notices_last_error = excluded.notices_last_error, updated_at = excluded.updated_at`;

const RESET_CURSOR = ", cursor = excluded.cursor";
const RESET_NOTICES_CURSOR = ", notices_cursor = excluded.notices_cursor";

/** The statements, named so each connection prepares them once. */
const SQL = {
  /** By [reset cursor][reset notices cursor]. */
  upsert: [
    [
      { name: "wh.upsert", text: UPSERT },
      { name: "wh.upsertResetNotices", text: UPSERT + RESET_NOTICES_CURSOR },
    ],
    [
      { name: "wh.upsertResetCursor", text: UPSERT + RESET_CURSOR },
      { name: "wh.upsertResetBoth", text: UPSERT + RESET_CURSOR + RESET_NOTICES_CURSOR },
    ],
  ],
  get: { name: "wh.get", text: "SELECT * FROM webhooks WHERE enterprise_id = $1" },
  remove: { name: "wh.remove", text: "DELETE FROM webhooks WHERE enterprise_id = $1" },
  list: { name: "wh.list", text: "SELECT * FROM webhooks ORDER BY created_at, enterprise_id" },
  advance: {
    name: "wh.advance",
    text: `UPDATE webhooks SET cursor = $1, attempts = 0, next_attempt_at = $2, last_error = NULL, updated_at = $2
           WHERE enterprise_id = $3`,
  },
  fail: {
    name: "wh.fail",
    text: `UPDATE webhooks SET attempts = $1, next_attempt_at = $2, last_error = $3, updated_at = $4
           WHERE enterprise_id = $5`,
  },
  advanceNotices: {
    name: "wh.advanceNotices",
    text: `UPDATE webhooks SET notices_cursor = $1, notices_attempts = 0, notices_next_attempt_at = $2,
             notices_last_error = NULL, updated_at = $2
           WHERE enterprise_id = $3`,
  },
  failNotices: {
    name: "wh.failNotices",
    text: `UPDATE webhooks SET notices_attempts = $1, notices_next_attempt_at = $2, notices_last_error = $3,
             updated_at = $4
           WHERE enterprise_id = $5`,
  },
} as const;

/** Webhook subscriptions (one per enterprise) and their delivery state, in PostgreSQL. */
export class PgWebhookStore implements WebhookStore {
  constructor(private readonly pool: PgPool) {}

  async set(s: WebhookSubscription, opts: SetWebhookOptions = {}): Promise<void> {
    const sql = SQL.upsert[opts.resetCursor ? 1 : 0][opts.resetNoticesCursor ? 1 : 0];
    await this.pool.query({
      ...sql,
      values: [
        s.enterpriseId,
        s.url,
        s.secret,
        s.cursor,
        s.attempts,
        s.nextAttemptAt,
        s.lastError,
        s.noticesCursor,
        s.noticesAttempts,
        s.noticesNextAttemptAt,
        s.noticesLastError,
        s.createdAt,
        s.updatedAt,
      ],
    });
  }

  async get(enterpriseId: string): Promise<WebhookSubscription | null> {
    const r = (await this.pool.query({ ...SQL.get, values: [enterpriseId] })).rows[0] as Row | undefined;
    return r ? toSubscription(r) : null;
  }

  async remove(enterpriseId: string): Promise<boolean> {
    return ((await this.pool.query({ ...SQL.remove, values: [enterpriseId] })).rowCount ?? 0) > 0;
  }

  async list(): Promise<WebhookSubscription[]> {
    return ((await this.pool.query(SQL.list)).rows as Row[]).map(toSubscription);
  }

  async advance(enterpriseId: string, cursor: string, at: number): Promise<void> {
    await this.pool.query({ ...SQL.advance, values: [cursor, at, enterpriseId] });
  }

  async fail(
    enterpriseId: string,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
    at: number,
  ): Promise<void> {
    await this.pool.query({ ...SQL.fail, values: [attempts, nextAttemptAt, lastError, at, enterpriseId] });
  }

  async advanceNotices(enterpriseId: string, cursor: string, at: number): Promise<void> {
    await this.pool.query({ ...SQL.advanceNotices, values: [cursor, at, enterpriseId] });
  }

  async failNotices(
    enterpriseId: string,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
    at: number,
  ): Promise<void> {
    await this.pool.query({
      ...SQL.failNotices,
      values: [attempts, nextAttemptAt, lastError, at, enterpriseId],
    });
  }
}
