import { PgChangeBus } from "./adapters/postgres/change-bus.pg.js";
import { openPostgresStore, type PostgresStore, sharedAdminToken } from "./adapters/postgres/pg-store.js";
import { RedisBindLeases } from "./adapters/redis/bind-leases.js";
import { type CountsSnapshot, RedisSharedCounters } from "./adapters/redis/redis-counters.js";
import { openSqliteStore } from "./adapters/sqlite/index.js";
import { FileIndexSnapshotStore } from "./adapters/system/index-snapshot.file.js";
import { silentLogger } from "./adapters/system/logger.js";
import { loadSecrets } from "./adapters/system/secrets.js";
import { shiftedClock, systemClock } from "./adapters/system/system-clock.js";
import { TimeSortedIds } from "./adapters/system/time-sorted-ids.js";
import { CsvPortabilityTable } from "./adapters/upstream/portability-table.js";
import { RecordingUpstream } from "./adapters/upstream/recording-upstream.js";
import { SmppUpstream, type UpstreamHandlers } from "./adapters/upstream/smpp-upstream.js";
import type { UpstreamsFile } from "./adapters/upstream/upstreams-config.js";
import { FetchWebhookSender } from "./adapters/webhooks/fetch-webhook-sender.js";
import { CampaignRunner } from "./app/campaigns/campaign-runner.js";
import { NO_BUS } from "./app/cluster/change-bus.port.js";
import { ClusterSync } from "./app/cluster/cluster-sync.js";
import type { AppContext, Secrets } from "./app/context.js";
import { loadPolicyState, saveSnapshot } from "./app/context.js";
import { Dispatcher } from "./app/delivery/dispatcher.js";
import { ReceiptRecorder } from "./app/delivery/receipts.js";
import type { Upstream } from "./app/delivery/upstream.port.js";
import { receiveReply } from "./app/inbound/receive-reply.js";
import { anchorLedger } from "./app/ledger/verify-ledger.js";
import type { Logger } from "./app/logger.port.js";
import type { Store } from "./app/store.port.js";
import { WebhookDispatcher } from "./app/webhooks/webhook-dispatcher.js";
import type { WebhookSender } from "./app/webhooks/webhook-sender.port.js";
import type { Config } from "./config.js";
import { localTime } from "./domain/policy/local-time.js";
import { Router } from "./domain/routing/router.js";
import type { Clock } from "./domain/shared/clock.port.js";

/** Everything an entry point (HTTP server, CLI) needs, built once. */
export interface Services {
  ctx: AppContext;
  dispatcher: Dispatcher;
  runner: CampaignRunner;
  upstream: Upstream;
  /** Pushes each subscribed enterprise's suppression feed and message events to its signed webhook. */
  webhooks: WebhookDispatcher;
  adminToken: string;
  /** The admin token was generated at this start (print it once). */
  generatedToken: boolean;
  /** Starts the dispatcher, the campaign runner, the webhook dispatcher and periodic ledger anchoring. */
  start(): Promise<void>;
  /** Drains the workers and closes the store. Safe to call twice. */
  close(): Promise<void>;
}

export interface BuildOptions {
  clock?: Clock;
  log?: Logger;
  upstream?: Upstream;
  store?: Store;
  /** Ledger anchoring interval; 0 turns it off. */
  anchorEveryMs?: number;
  /** How often the webhook dispatcher looks for due subscriptions (default 2 s); 0 turns it off. */
  webhookPollMs?: number;
  /** Where webhook deliveries go (default: Node's fetch). */
  webhookSender?: WebhookSender;
  /** SQLite file: checkpoint the WAL from a worker thread, never inside a commit (the gateway does). */
  backgroundCheckpoints?: boolean;
}

/** The store the configuration names, with the keys and admin token that go with it. */
async function openStore(
  config: Config,
  given: Store | undefined,
  checkpoints: { enabled: boolean; log: Logger },
): Promise<{ store: Store; secrets: Secrets; adminToken: string; generatedToken: boolean }> {
  if (config.database.kind === "postgres" && !given) {
    const store = await openPostgresStore({ url: config.database.url, poolSize: config.pgPoolSize });
    try {
      const { token, generated } = await sharedAdminToken(store.pool, config.adminToken);
      return { store, secrets: store.secrets, adminToken: token, generatedToken: generated };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const { secrets, adminToken, generatedToken } = loadSecrets(config.dataDir, config.adminToken);
  const store =
    given ??
    openSqliteStore({
      file: config.databaseFile,
      ledgerKey: secrets.ledgerKey,
      ...(checkpoints.enabled
        ? {
            backgroundCheckpoints: {
              onError: (error: string) => checkpoints.log.warn({ error }, "background WAL checkpoint"),
            },
          }
        : {}),
    });
  // a PostgreSQL store handed in (tests) brings the deployment's keys with it
  const keys = isPostgres(store) ? store.secrets : secrets;
  return { store, secrets: keys, adminToken, generatedToken };
}

function isPostgres(store: Store): store is PostgresStore {
  return store.kind === "postgres";
}

/**
 * The composition root: opens the store (SQLite by default), loads the registry and folds the ledger
 * into the in-memory consent index, rebuilds today's frequency counters from the message log, and
 * wires the use cases' workers.
 */
export async function buildServices(config: Config, opts: BuildOptions = {}): Promise<Services> {
  const clock =
    opts.clock ?? (config.testClockStart !== null ? shiftedClock(config.testClockStart) : systemClock);
  const log = opts.log ?? silentLogger;
  const { store, secrets, adminToken, generatedToken } = await openStore(config, opts.store, {
    enabled: opts.backgroundCheckpoints === true,
    log: opts.log ?? silentLogger,
  });
  const snapshots = new FileIndexSnapshotStore(`${config.databaseFile}.consent-index`);
  const state = await loadPolicyState(store, config.policy, snapshots);
  const apiKeys = new Map((await store.enterprises.listKeys()).map((k) => [k.hash, k]));
  const ctx: AppContext = {
    store,
    clock,
    ids: new TimeSortedIds(clock),
    secrets,
    log,
    testClock: config.testClock,
    state,
    apiKeys,
    onAccepted: [],
  };
  const bus = isPostgres(store) ? new PgChangeBus(store.pool, store.target, log) : NO_BUS;
  const sync = new ClusterSync(ctx, bus, config.syncPollMs);
  ctx.sync = sync;
  await sync.init();
  let counters: RedisSharedCounters | null = null;
  if (config.redisUrl) {
    counters = RedisSharedCounters.open({
      url: config.redisUrl,
      rebuildFrom: () => countsFromLog(ctx),
      log,
    });
    ctx.counters = counters;
    ctx.bindLeases = new RedisBindLeases(counters.redis, counters.prefix);
    ctx.state.sharedCaps = true;
    if (!(await counters.ensureReady(3000)))
      log.warn({}, "redis is not reachable: marketing and verification are refused as degraded until it is");
  } else await rebuildCounters(ctx);
  let receipts: ReceiptRecorder | null = null;
  let upstream = opts.upstream;
  if (!upstream && config.upstreams && config.upstreams !== "simulator") {
    const recorder = new ReceiptRecorder(ctx);
    receipts = recorder;
    upstream = smppUpstream(config.upstreams, log, {
      onReceipt: (r) => recorder.record({ ...r, at: clock.now() }),
      onReply: (_route, mo) => receiveReply(ctx, mo),
    });
  }
  upstream ??= new RecordingUpstream();
  const theUpstream = upstream;
  const dispatcher = new Dispatcher(ctx, upstream, {
    inFlightGraceMs: config.inFlightGraceMs,
    nodeId: config.nodeId,
  });
  const runner = new CampaignRunner(ctx, { leaseMs: config.campaignLeaseMs, owner: config.nodeId });
  const webhookPollMs = opts.webhookPollMs ?? 2000;
  const webhooks = new WebhookDispatcher(ctx, opts.webhookSender ?? new FetchWebhookSender(), {
    pollMs: webhookPollMs,
    nodeId: config.nodeId,
    // receivers check `t` against their own clock: a server on a simulated clock still signs with real
    // time (a clock passed in by a test is that test's real time)
    ...(opts.clock === undefined && config.testClockStart !== null ? { signingClock: systemClock } : {}),
  });
  let anchorTimer: NodeJS.Timeout | null = null;
  let maintainTimer: NodeJS.Timeout | null = null;
  let closed = false;
  return {
    ctx,
    dispatcher,
    runner,
    upstream: theUpstream,
    webhooks,
    adminToken,
    generatedToken,
    async start() {
      await sync.start();
      if (store.maintain) {
        maintainTimer = setInterval(() => {
          store
            .maintain?.(clock.now())
            .catch((err: unknown) => log.error({ err: String(err) }, "store maintenance failed"));
        }, 86_400_000);
        maintainTimer.unref();
      }
      await theUpstream.start?.();
      await dispatcher.start();
      runner.start();
      if (webhookPollMs > 0) webhooks.start();
      const every = opts.anchorEveryMs ?? 600_000;
      if (every > 0) {
        anchorTimer = setInterval(() => {
          // one node anchors per period; the lease outlives the period so the others skip it
          ctx.store.cluster
            .leaseJob("ledger-anchor", config.nodeId, clock.now(), every - 1000)
            .then((mine) => (mine ? anchorLedger(ctx) : 0))
            .catch((err: unknown) => log.error({ err: String(err) }, "ledger anchoring failed"));
        }, every);
        anchorTimer.unref();
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (anchorTimer) clearInterval(anchorTimer);
      if (maintainTimer) clearInterval(maintainTimer);
      await runner.stop();
      await webhooks.stop();
      await dispatcher.stop();
      await sync.stop();
      await anchorLedger(ctx).catch(() => 0);
      await saveSnapshot(ctx, snapshots).catch((err: unknown) =>
        log.warn({ err: String(err) }, "index snapshot not saved"),
      );
      receipts?.close();
      await theUpstream.close();
      await counters?.close();
      await store.close();
    },
  };
}

/** The carriers of an upstreams configuration, routed by prefix and carrier with portability applied. */
function smppUpstream(file: UpstreamsFile, log: Logger, handlers: UpstreamHandlers): SmppUpstream {
  const portability = file.portabilityFile ? CsvPortabilityTable.fromFile(file.portabilityFile) : undefined;
  const router = new Router(file.routes, file.default, file.failover, portability);
  if (file.default === null)
    log.warn(
      { routes: file.routes.length },
      "upstreams file names no default route: a message to a number no route takes fails (no route for this number)",
    );
  return new SmppUpstream(file.upstreams, router, handlers, log);
}

/** What the shared counters should hold, read from the message log (after Redis lost its data). */
export async function countsFromLog(ctx: AppContext): Promise<CountsSnapshot> {
  const now = ctx.clock.now();
  const lt = localTime(ctx.state.policy.defaultTimeZone, now);
  const startOfDay = lt.day * 86_400_000 - lt.offsetMs;
  const snap: CountsSnapshot = { marketing: [], verification: [] };
  for (const c of await ctx.store.messages.marketingCountsSince(startOfDay)) {
    const digits = Number(c.phone.slice(1));
    if (Number.isFinite(digits) && digits > 0)
      snap.marketing.push({ day: lt.day, digits, senderId: c.senderId, count: c.count });
  }
  for (const v of await ctx.store.messages.verificationSince(now - 86_400_000)) {
    const digits = Number(v.phone.slice(1));
    if (Number.isFinite(digits) && digits > 0)
      snap.verification.push({ signatureId: v.signatureId, digits, at: v.at });
  }
  return snap;
}

/** Today's marketing counts and the last day's verification codes come back from the message log. */
export async function rebuildCounters(ctx: AppContext): Promise<void> {
  const snap = await countsFromLog(ctx);
  ctx.state.counters.clear();
  ctx.state.verification.clear();
  for (const v of snap.verification) ctx.state.verification.record(v.signatureId, v.digits, v.at);
  for (const m of snap.marketing)
    ctx.state.counters.increment(m.day, m.digits, ctx.state.consents.enterpriseTag(m.senderId), m.count);
}
