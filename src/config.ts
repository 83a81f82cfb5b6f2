import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
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
  ANNING_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ANNING_DATABASE_URL: z.string().optional(),
});

export interface Config {
  httpHost: string;
  httpPort: number;
  dataDir: string;
  adminToken: string | undefined;
  policy: PolicyFile;
  policyFile: string | null;
  testClock: boolean;
  logLevel: string;
  databaseFile: string;
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
  if (e.ANNING_DATABASE_URL && !e.ANNING_DATABASE_URL.startsWith("sqlite:"))
    throw new Error("configuration: ANNING_DATABASE_URL: only sqlite: URLs are supported in this version");
  return {
    httpHost: e.ANNING_HTTP_HOST,
    httpPort: e.ANNING_HTTP_PORT,
    dataDir,
    adminToken: e.ANNING_ADMIN_TOKEN,
    policy: e.ANNING_POLICY_FILE ? readPolicyFile(e.ANNING_POLICY_FILE) : DEFAULT_POLICY,
    policyFile: e.ANNING_POLICY_FILE ? resolve(e.ANNING_POLICY_FILE) : null,
    testClock: e.ANNING_TEST_CLOCK,
    logLevel: e.ANNING_LOG_LEVEL,
    databaseFile: e.ANNING_DATABASE_URL
      ? resolve(e.ANNING_DATABASE_URL.replace(/^sqlite:(\/\/)?/, ""))
      : resolve(dataDir, "anning.db"),
  };
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
