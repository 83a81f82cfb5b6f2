import { randomBytes } from "node:crypto";
import type { Secrets } from "../../app/context.js";
import type { Store } from "../../app/store.port.js";
import { PgCampaignStore } from "./campaign-store.pg.js";
import { PgClusterStore } from "./cluster-store.pg.js";
import { PgDeliveryStore } from "./delivery-store.pg.js";
import { PgEnterpriseStore } from "./enterprise-store.pg.js";
import { PgLedgerStore } from "./ledger-store.pg.js";
import { PgMessageStore } from "./message-store.pg.js";
import { applyPgMigrations } from "./migrations.js";
import { openPool, type PgPool, type PgTarget, parsePgUrl } from "./pg-util.js";
import { PgPortStore } from "./port-store.pg.js";
import { PgSignatureStore } from "./signature-store.pg.js";
import { PgSmppAccountStore } from "./smpp-account-store.pg.js";
import { PgWebhookStore } from "./webhook-store.pg.js";

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/db[?schema=name]`. */
  url: string;
  /** HMAC key of the ledger chains; by default the deployment's shared key from `node_secrets`. */
  ledgerKey?: Buffer;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/**
 * Every anning store on one PostgreSQL database (one pool shared by the sub-stores). Several nodes may
 * open the same database at once: migrations run once under an advisory lock, and every multi-row
 * change is one transaction.
 */
export class PostgresStore implements Store {
  readonly kind = "postgres";
  readonly enterprises: PgEnterpriseStore;
  readonly signatures: PgSignatureStore;
  readonly ports: PgPortStore;
  readonly ledger: PgLedgerStore;
  readonly messages: PgMessageStore;
  readonly campaigns: PgCampaignStore;
  readonly webhooks: PgWebhookStore;
  readonly cluster: PgClusterStore;
  readonly delivery: PgDeliveryStore;
  readonly smppAccounts: PgSmppAccountStore;
  private closed = false;

  constructor(
    /** The pool, for adapter-level tooling and tests. */
    readonly pool: PgPool,
    readonly target: PgTarget,
    /** The deployment's shared keys (read from, or first written to, `node_secrets`). */
    readonly secrets: Secrets,
    /** Migration versions applied when this store was opened. */
    readonly appliedMigrations: readonly number[],
  ) {
    this.enterprises = new PgEnterpriseStore(pool);
    this.signatures = new PgSignatureStore(pool);
    this.ports = new PgPortStore(pool);
    this.ledger = new PgLedgerStore(pool, secrets.ledgerKey);
    this.messages = new PgMessageStore(pool);
    this.campaigns = new PgCampaignStore(pool, this.messages);
    this.webhooks = new PgWebhookStore(pool);
    this.cluster = new PgClusterStore(pool);
    this.delivery = new PgDeliveryStore(pool);
    this.smppAccounts = new PgSmppAccountStore(pool);
  }

  /** Creates this month's and the coming months' partitions of the time-partitioned tables. */
  async maintain(now: number): Promise<void> {
    await this.ledger.ensurePartitions(now);
    await this.messages.ensurePartitions(now);
  }

  async ping(): Promise<void> {
    await this.pool.query("SELECT 1");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** Opens (creating and migrating when needed) the PostgreSQL store named by `opts.url`. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const target = parsePgUrl(opts.url);
  const pool = openPool(target, opts.poolSize ?? 10);
  try {
    const applied = await applyPgMigrations(pool, target.schema);
    const shared = await loadSharedSecrets(pool);
    const secrets = opts.ledgerKey ? { ...shared, ledgerKey: opts.ledgerKey } : shared;
    const store = new PostgresStore(pool, target, secrets, applied);
    await store.maintain(Date.now());
    return store;
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}

/**
 * The admin token shared by every node: the one given in the environment, or else the one the first
 * node generated and stored (returned with `generated` true only to that node).
 */
export async function sharedAdminToken(
  pool: PgPool,
  fromEnv: string | undefined,
): Promise<{ token: string; generated: boolean }> {
  if (fromEnv) return { token: fromEnv, generated: false };
  const mine = `adm_${randomBytes(24).toString("base64url")}`;
  const r = await pool.query(
    `INSERT INTO node_secrets (name, value, created_at) VALUES ('adminToken', $1, $2)
     ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING value`,
    [mine, Date.now()],
  );
  const token = String(r.rows[0]?.value);
  return { token, generated: token === mine };
}

/** The deployment's keys: the first node to start makes them, every later one reads the same. */
export async function loadSharedSecrets(pool: PgPool): Promise<Secrets> {
  const now = Date.now();
  for (const name of ["ledgerKey", "pseudonymKey"])
    await pool.query(
      "INSERT INTO node_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
      [name, randomBytes(32).toString("hex"), now],
    );
  const rows = (await pool.query("SELECT name, value FROM node_secrets")).rows as Array<{
    name: string;
    value: string;
  }>;
  const get = (n: string) => Buffer.from(rows.find((r) => r.name === n)?.value ?? "", "hex");
  return { ledgerKey: get("ledgerKey"), pseudonymKey: get("pseudonymKey") };
}
