import Database from "better-sqlite3";
import type { Store } from "../../app/store.port.js";
import { BackgroundCheckpoints, type BackgroundCheckpointsOptions } from "./background-checkpoints.js";
import { SqliteCampaignStore } from "./campaign-store.sqlite.js";
import { SqliteClusterStore } from "./cluster-store.sqlite.js";
import { SqliteDeliveryStore } from "./delivery-store.sqlite.js";
import { SqliteEnterpriseStore } from "./enterprise-store.sqlite.js";
import { GroupCommit, groupReads, groupWrites } from "./group-commit.js";
import { SqliteLedgerStore } from "./ledger-store.sqlite.js";
import { SqliteMessageStore } from "./message-store.sqlite.js";
import { applyMigrations } from "./migrations.js";
import { SqlitePortStore } from "./port-store.sqlite.js";
import { SqliteSignatureStore } from "./signature-store.sqlite.js";
import { SqliteSmppAccountStore } from "./smpp-account-store.sqlite.js";
import { SqliteWebhookStore } from "./webhook-store.sqlite.js";

export interface SqliteStoreOptions {
  /** Database file, or ":memory:". */
  file: string;
  /** HMAC key of the consent ledger's hash chains. */
  ledgerKey: Buffer;
  /**
   * Checkpoint the WAL from a worker thread instead of inside commits (the gateway does; a file only).
   * Off by default: short-lived tools and tests need no thread.
   */
  backgroundCheckpoints?: boolean | BackgroundCheckpointsOptions;
}

/**
 * Connection settings: 8 KiB pages (taken only by a new, empty file), WAL with NORMAL sync, FK checks,
 * a 64 MiB page cache (the send path reads from memory, not from the file), temp tables in memory, and
 * the first 256 MiB of the file memory-mapped (a page read past the cache is a memory read, not a
 * system call: the messages a receipt settles were written seconds and many megabytes ago).
 */
const PRAGMAS = [
  "page_size = 8192",
  "journal_mode = WAL",
  "synchronous = NORMAL",
  "foreign_keys = ON",
  "busy_timeout = 5000",
  "cache_size = -65536",
  "temp_store = MEMORY",
  "mmap_size = 268435456",
];

/**
 * Every anning store on one SQLite file (one better-sqlite3 connection shared by the sub-stores).
 * better-sqlite3 is synchronous, so each method does its work at call time and returns a settled
 * promise; multi-statement operations run in IMMEDIATE transactions, so several processes may share
 * the file.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite";
  readonly enterprises: SqliteEnterpriseStore;
  readonly signatures: SqliteSignatureStore;
  readonly ports: SqlitePortStore;
  readonly ledger: SqliteLedgerStore;
  readonly messages: SqliteMessageStore;
  readonly campaigns: SqliteCampaignStore;
  readonly webhooks: SqliteWebhookStore;
  readonly cluster: SqliteClusterStore;
  readonly delivery: SqliteDeliveryStore;
  readonly smppAccounts: SqliteSmppAccountStore;
  /** Migration versions applied when this store was opened (empty when the schema was current). */
  readonly appliedMigrations: readonly number[];
  private readonly pingStmt: Database.Statement;

  constructor(
    /** The underlying connection, for adapter-level tooling and tests. */
    readonly db: Database.Database,
    ledgerKey: Buffer,
  ) {
    for (const p of PRAGMAS) db.pragma(p);
    this.appliedMigrations = applyMigrations(db);
    this.enterprises = new SqliteEnterpriseStore(db);
    this.signatures = new SqliteSignatureStore(db);
    this.ports = new SqlitePortStore(db);
    this.ledger = new SqliteLedgerStore(db, ledgerKey);
    this.delivery = new SqliteDeliveryStore(db);
    this.messages = new SqliteMessageStore(db, this.delivery.insertNoticeRow);
    this.campaigns = new SqliteCampaignStore(db, this.messages);
    this.webhooks = new SqliteWebhookStore(db);
    this.cluster = new SqliteClusterStore(db);
    this.smppAccounts = new SqliteSmppAccountStore(db);
    this.pingStmt = db.prepare("SELECT 1");
    const g = new GroupCommit(db);
    this.group = g;
    groupWrites(g, this.messages, [
      "insert",
      "insertNotifying",
      "insertMany",
      "transition",
      "transitionReturning",
      "transitionNotifying",
      "claimOutbox",
      "defer",
      "markInFlightUnknown",
    ]);
    groupWrites(g, this.delivery, ["addRefs", "settlePart", "addNotice", "addNotices", "markSmppDelivered"]);
    // the reads of the relay's hot path (receipts matched, notices pushed, messages looked up)
    groupReads(g, this.delivery, ["findRef", "pendingSmpp", "refsOf"]);
    groupReads(g, this.messages, ["get"]);
    groupWrites(g, this.campaigns, ["insert", "recordChunk", "setStatus", "lease", "release"]);
    groupWrites(g, this.cluster, ["bumpRegistryVersion", "leaseJob", "releaseJob"]);
    groupWrites(g, this.enterprises, ["insert", "update", "insertKey", "revokeKey", "setPolicyOverride"]);
    groupWrites(g, this.ledger, ["append", "eraseRecipient", "insertAnchors"]);
    groupWrites(g, this.ports, ["insertPort", "insertAllocation"]);
    groupWrites(g, this.signatures, ["insert", "update", "insertAuthorization", "revokeAuthorization"]);
    groupWrites(g, this.smppAccounts, ["insert", "update", "recordFailedBind", "clearFailures"]);
    groupWrites(g, this.webhooks, ["set", "remove", "advance", "fail", "advanceNotices", "failNotices"]);
  }

  /** Writes made in one event-loop turn commit together (see GroupCommit). */
  readonly group: GroupCommit;

  async ping(): Promise<void> {
    this.pingStmt.get();
  }

  /** The checkpointing thread, when one runs (see {@link openSqliteStore}). */
  checkpoints: BackgroundCheckpoints | null = null;

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.group.commit();
    await this.checkpoints?.stop();
    this.db.close();
  }
}

/** Opens (creating and migrating when needed) the SQLite store at `opts.file`. */
export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const db = new Database(opts.file);
  try {
    const store = new SqliteStore(db, opts.ledgerKey);
    if (opts.backgroundCheckpoints && !db.memory)
      store.checkpoints = new BackgroundCheckpoints(
        db,
        db.name,
        opts.backgroundCheckpoints === true ? {} : opts.backgroundCheckpoints,
      );
    return store;
  } catch (err) {
    db.close();
    throw err;
  }
}
