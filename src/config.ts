import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { z } from "zod";
import { loadUpstreams, type UpstreamsFile } from "./adapters/upstream/upstreams-config.js";
import { DEFAULT_POLICY, type PolicyFile, parsePolicy } from "./domain/policy/policy.js";

const bool = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

/** Environment settings, parsed once at start-up; a bad value stops the process with its name. */
const EnvSchema = z.object({
  ANNING_HTTP_HOST: z.string().default("127.0.0.1"),
  ANNING_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  ANNING_DATA_DIR: z.string().default("./data"),
  ANNING_ADMIN_TOKEN: z.string().min(16, "ANNING_ADMIN_TOKEN must be at least 16 characters").optional(),
  ANNING_POLICY_FILE: z.string().optional(),
  ANNING_TEST_CLOCK: bool,
  ANNING_TEST_CLOCK_START: z.string().optional(),
  ANNING_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ANNING_DATABASE_URL: z.string().optional(),
  ANNING_REDIS_URL: z.string().optional(),
  ANNING_NODE_ID: z
    .string()
    .regex(/^[\w.-]{1,64}$/, "ANNING_NODE_ID is 1–64 letters, digits, _ . -")
    .optional(),
  ANNING_SYNC_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  ANNING_PG_POOL: z.coerce.number().int().min(1).max(200).default(10),
  ANNING_CAMPAIGN_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
  ANNING_INFLIGHT_GRACE_MS: z.coerce.number().int().min(0).optional(),
  ANNING_SMPP_ENABLED: z.enum(["0", "1", "true", "false", ""]).optional(),
  ANNING_SMPP_HOST: z.string().default("127.0.0.1"),
  ANNING_SMPP_PORT: z.coerce.number().int().min(0).max(65535).default(2775),
  ANNING_SMPP_TLS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ANNING_SMPP_TLS_KEY: z.string().optional(),
  ANNING_SMPP_TLS_CERT: z.string().optional(),
  ANNING_UPSTREAM: z.string().optional(),
  ANNING_UPSTREAMS_FILE: z.string().optional(),
  ANNING_SIM_PORT: z.coerce.number().int().min(0).max(65535).default(2875),
});

/** Where anning keeps its data: an embedded SQLite file (the default) or a PostgreSQL database. */
export type DatabaseConfig = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export interface Config {
  httpHost: string;
  httpPort: number;
  dataDir: string;
  adminToken: string | undefined;
  policy: PolicyFile;
  policyFile: string | null;
  testClock: boolean;
  /** With the test clock: the server's clock starts at this time and runs on in real time. */
  testClockStart: number | null;
  logLevel: string;
  /** The SQLite file (also the base name of the consent-index snapshot with PostgreSQL). */
  databaseFile: string;
  database: DatabaseConfig;
  /** Redis for counters shared by several nodes; null keeps them in process. */
  redisUrl: string | null;
  /** This node's name in leases and logs. */
  nodeId: string;
  /** How often a node polls for other nodes' ledger and registry changes (0: never). */
  syncPollMs: number;
  pgPoolSize: number;
  campaignLeaseMs: number;
  /**
   * How long a message may stay dispatching before another node marks it unknown (its node died during
   * the hand-over). 0 with SQLite (one node: everything in flight at start-up was this node's).
   */
  inFlightGraceMs: number;
  /** The SMPP server towards senders; null when ANNING_SMPP_ENABLED=false. */
  smpp: SmppConfig | null;
  /**
   * Carriers: the parsed ANNING_UPSTREAM / ANNING_UPSTREAMS_FILE, "simulator" for the bundled SMSC
   * simulator started in process (port ANNING_SIM_PORT), or null for the recording upstream.
   */
  upstreams: UpstreamsFile | "simulator" | null;
  simulatorPort: number;
}

export interface SmppConfig {
  host: string;
  port: number;
  tls: { port: number; keyFile: string; certFile: string } | null;
}

/** Reads the configuration from the environment (and the policy file it names). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = EnvSchema.safeParse(env);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`configuration: ${i?.path.join(".")}: ${i?.message}`);
  }
  const e = r.data;
  const dataDir = resolve(e.ANNING_DATA_DIR);
  const dbUrl = e.ANNING_DATABASE_URL;
  const isPg = dbUrl !== undefined && /^postgres(ql)?:\/\//.test(dbUrl);
  if (dbUrl && !isPg && !dbUrl.startsWith("sqlite:"))
    throw new Error("configuration: ANNING_DATABASE_URL: use sqlite:<file> or postgres://user@host:port/db");
  if (e.ANNING_REDIS_URL && !/^rediss?:\/\//.test(e.ANNING_REDIS_URL))
    throw new Error("configuration: ANNING_REDIS_URL: use redis://host:port");
  const databaseFile =
    dbUrl && !isPg
      ? resolve(dbUrl.replace(/^sqlite:(\/\/)?/, ""))
      : resolve(dataDir, isPg ? "anning-pg.db" : "anning.db");
  return {
    httpHost: e.ANNING_HTTP_HOST,
    httpPort: e.ANNING_HTTP_PORT,
    dataDir,
    adminToken: e.ANNING_ADMIN_TOKEN,
    policy: e.ANNING_POLICY_FILE ? readPolicyFile(e.ANNING_POLICY_FILE) : DEFAULT_POLICY,
    policyFile: e.ANNING_POLICY_FILE ? resolve(e.ANNING_POLICY_FILE) : null,
    testClock: e.ANNING_TEST_CLOCK,
    testClockStart: testClockStart(e),
    logLevel: e.ANNING_LOG_LEVEL,
    databaseFile,
    database: isPg ? { kind: "postgres", url: dbUrl as string } : { kind: "sqlite", file: databaseFile },
    redisUrl: e.ANNING_REDIS_URL ?? null,
    nodeId: e.ANNING_NODE_ID ?? `${hostname()}-${process.pid}`,
    syncPollMs: e.ANNING_SYNC_POLL_MS,
    pgPoolSize: e.ANNING_PG_POOL,
    campaignLeaseMs: e.ANNING_CAMPAIGN_LEASE_MS,
    inFlightGraceMs: e.ANNING_INFLIGHT_GRACE_MS ?? (isPg ? 60_000 : 0),
    smpp: smppConfig(e),
    upstreams: upstreamsConfig(e),
    simulatorPort: e.ANNING_SIM_PORT,
  };
}

function testClockStart(e: z.infer<typeof EnvSchema>): number | null {
  if (e.ANNING_TEST_CLOCK_START === undefined || e.ANNING_TEST_CLOCK_START === "") return null;
  if (!e.ANNING_TEST_CLOCK)
    throw new Error(
      "configuration: ANNING_TEST_CLOCK_START needs ANNING_TEST_CLOCK=1 (tests and simulations only)",
    );
  const t = Date.parse(e.ANNING_TEST_CLOCK_START);
  if (!Number.isFinite(t)) throw new Error("configuration: ANNING_TEST_CLOCK_START: not an ISO 8601 time");
  return t;
}

function smppConfig(e: z.infer<typeof EnvSchema>): SmppConfig | null {
  if (e.ANNING_SMPP_ENABLED === "0" || e.ANNING_SMPP_ENABLED === "false") return null;
  const tlsSet = [e.ANNING_SMPP_TLS_PORT, e.ANNING_SMPP_TLS_KEY, e.ANNING_SMPP_TLS_CERT].filter(
    (v) => v !== undefined,
  ).length;
  if (tlsSet !== 0 && tlsSet !== 3)
    throw new Error(
      "configuration: ANNING_SMPP_TLS_PORT, ANNING_SMPP_TLS_KEY and ANNING_SMPP_TLS_CERT go together",
    );
  return {
    host: e.ANNING_SMPP_HOST,
    port: e.ANNING_SMPP_PORT,
    tls:
      tlsSet === 3
        ? {
            port: e.ANNING_SMPP_TLS_PORT as number,
            keyFile: resolve(e.ANNING_SMPP_TLS_KEY as string),
            certFile: resolve(e.ANNING_SMPP_TLS_CERT as string),
          }
        : null,
  };
}

function upstreamsConfig(e: z.infer<typeof EnvSchema>): UpstreamsFile | "simulator" | null {
  if (e.ANNING_UPSTREAM === "simulator" && !e.ANNING_UPSTREAMS_FILE) return "simulator";
  try {
    return loadUpstreams({
      ANNING_UPSTREAM: e.ANNING_UPSTREAM,
      ANNING_UPSTREAMS_FILE: e.ANNING_UPSTREAMS_FILE,
    });
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.startsWith("configuration: ") ? message : `configuration: ${message}`);
  }
}

/** Reads and validates a policy file (JSON). */
export function readPolicyFile(path: string): PolicyFile {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`policy file ${path}: ${(err as Error).message}`);
  }
  return parsePolicy(doc);
}
