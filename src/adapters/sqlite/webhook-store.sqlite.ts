import type Database from "better-sqlite3";
import type {
  SetWebhookOptions,
  WebhookStore,
  WebhookSubscription,
} from "../../domain/webhooks/webhook-store.port.js";
import { toSubscription } from "../sql-rows/webhook-rows.js";
import type { Row } from "./sqlite-util.js";

const UPSERT = `
  INSERT INTO webhooks (enterprise_id, url, secret, cursor, attempts, next_attempt_at, last_error,
                        notices_cursor, notices_attempts, notices_next_attempt_at, notices_last_error,
                        created_at, updated_at)
  VALUES (@enterpriseId, @url, @secret, @cursor, @attempts, @nextAttemptAt, @lastError,
          @noticesCursor, @noticesAttempts, @noticesNextAttemptAt, @noticesLastError, @createdAt, @updatedAt)
  ON CONFLICT (enterprise_id) DO UPDATE SET
    url = excluded.url, secret = excluded.secret, attempts = excluded.attempts,
    next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error,
    notices_attempts = excluded.notices_attempts, notices_next_attempt_at = excluded.notices_next_attempt_at,
    notices_last_error = excluded.notices_last_error, updated_at = excluded.updated_at`;

const RESET_CURSOR = ", cursor = excluded.cursor";
const RESET_NOTICES_CURSOR = ", notices_cursor = excluded.notices_cursor";

function statements(db: Database.Database) {
  return {
    /** By [reset cursor][reset notices cursor]. */
    upsert: [
      [db.prepare(UPSERT), db.prepare(UPSERT + RESET_NOTICES_CURSOR)],
      [db.prepare(UPSERT + RESET_CURSOR), db.prepare(UPSERT + RESET_CURSOR + RESET_NOTICES_CURSOR)],
    ] as const,
    get: db.prepare("SELECT * FROM webhooks WHERE enterprise_id = ?"),
    remove: db.prepare("DELETE FROM webhooks WHERE enterprise_id = ?"),
    list: db.prepare("SELECT * FROM webhooks ORDER BY created_at, enterprise_id"),
    advance: db.prepare(
      `UPDATE webhooks SET cursor = ?, attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ?
       WHERE enterprise_id = ?`,
    ),
    fail: db.prepare(
      `UPDATE webhooks SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?
       WHERE enterprise_id = ?`,
    ),
    advanceNotices: db.prepare(
      `UPDATE webhooks SET notices_cursor = ?, notices_attempts = 0, notices_next_attempt_at = ?,
         notices_last_error = NULL, updated_at = ?
       WHERE enterprise_id = ?`,
    ),
    failNotices: db.prepare(
      `UPDATE webhooks SET notices_attempts = ?, notices_next_attempt_at = ?, notices_last_error = ?,
         updated_at = ?
       WHERE enterprise_id = ?`,
    ),
  };
}

type Statements = ReturnType<typeof statements>;

/** Webhook subscriptions (one per enterprise) and their delivery state, in SQLite. */
export class SqliteWebhookStore implements WebhookStore {
  private readonly stmts: Statements;

  constructor(db: Database.Database) {
    this.stmts = statements(db);
  }

  async set(s: WebhookSubscription, opts: SetWebhookOptions = {}): Promise<void> {
    const stmt = this.stmts.upsert[opts.resetCursor ? 1 : 0][opts.resetNoticesCursor ? 1 : 0];
    stmt.run({
      enterpriseId: s.enterpriseId,
      url: s.url,
      secret: s.secret,
      cursor: s.cursor,
      attempts: s.attempts,
      nextAttemptAt: s.nextAttemptAt,
      lastError: s.lastError,
      noticesCursor: s.noticesCursor,
      noticesAttempts: s.noticesAttempts,
      noticesNextAttemptAt: s.noticesNextAttemptAt,
      noticesLastError: s.noticesLastError,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    });
  }

  async get(enterpriseId: string): Promise<WebhookSubscription | null> {
    const r = this.stmts.get.get(enterpriseId) as Row | undefined;
    return r ? toSubscription(r) : null;
  }

  async remove(enterpriseId: string): Promise<boolean> {
    return this.stmts.remove.run(enterpriseId).changes > 0;
  }

  async list(): Promise<WebhookSubscription[]> {
    return (this.stmts.list.all() as Row[]).map(toSubscription);
  }

  async advance(enterpriseId: string, cursor: string, at: number): Promise<void> {
    this.stmts.advance.run(cursor, at, at, enterpriseId);
  }

  async fail(
    enterpriseId: string,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
    at: number,
  ): Promise<void> {
    this.stmts.fail.run(attempts, nextAttemptAt, lastError, at, enterpriseId);
  }

  async advanceNotices(enterpriseId: string, cursor: string, at: number): Promise<void> {
    this.stmts.advanceNotices.run(cursor, at, at, enterpriseId);
  }

  async failNotices(
    enterpriseId: string,
    attempts: number,
    nextAttemptAt: number,
    lastError: string,
    at: number,
  ): Promise<void> {
    this.stmts.failNotices.run(attempts, nextAttemptAt, lastError, at, enterpriseId);
  }
}
