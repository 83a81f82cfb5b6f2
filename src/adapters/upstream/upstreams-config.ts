import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import type { Carrier } from "../../domain/routing/carriers.js";
import type { RouteRule } from "../../domain/routing/router.js";

/**
 * The carriers anning hands messages to as an SMPP client (ESME), and how messages are routed to them:
 * one URL in ANNING_UPSTREAM, or a JSON file named by ANNING_UPSTREAMS_FILE.
 */

/** One SMPP upstream (a carrier's or an aggregator's SMSC). */
export interface UpstreamConfig {
  /** Its name in routes, failover lists, logs and metrics. */
  name: string;
  host: string;
  port: number;
  /** At most 15 characters, as SMPP allows. */
  systemId: string;
  /** At most 8 characters, as SMPP allows. */
  password: string;
  systemType: string;
  bindMode: "transceiver" | "transmitter";
  /** Submits awaiting a response, per bind (default 10). */
  window: number;
  /** Submits per second across all binds; 0 = unlimited. */
  tps: number;
  /** Connections (binds) to open (default 1). */
  binds: number;
  enquireLinkMs: number;
  responseTimeoutMs: number;
  /** Reconnect delay: doubles from min to max after each failure. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long texts are sent: concatenated parts with a UDH, or whole in message_payload. */
  longMessages: "udh" | "payload";
  sourceTon: number;
  sourceNpi: number;
  destTon: number;
  destNpi: number;
  /** TLS on the connection (`smpps://`). */
  tls: boolean;
  /**
   * PEM file of the certificate authorities to trust for this upstream's TLS certificate, beside the
   * system's (a carrier's private CA); null for the system's alone.
   */
  caFile: string | null;
}

/** Upstreams, their routes and failover, and the optional number portability file. */
export interface UpstreamsFile {
  upstreams: UpstreamConfig[];
  routes: RouteRule[];
  /** Where numbers that no route matches go; null: nowhere (they fail). */
  default: string | null;
  /** For each upstream, the ones to try next when it refuses temporarily or is down. */
  failover: Record<string, string[]>;
  /** A CSV of ported numbers (phone,carrier), an absolute path; null when none. */
  portabilityFile: string | null;
}

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
const NAME = z
  .string()
  .regex(/^[A-Za-z0-9][\w.-]{0,31}$/, "1–32 letters, digits, _ . - (starting alphanumeric)");
const NPIS = [0, 1, 3, 4, 6, 8, 9, 10, 14, 18];
const NPI = z.number().refine((v) => NPIS.includes(v), `an SMPP NPI (${NPIS.join(", ")})`);
const CARRIER = z.enum(["cmcc", "cucc", "ctcc", "cbn"] satisfies Carrier[]);

const UpstreamSchema = z
  .object({
    name: NAME,
    host: z.string().min(1),
    port: int(1, 65535).default(2775),
    systemId: z.string().min(1).max(15),
    password: z.string().max(8).default(""),
    systemType: z.string().max(12).default(""),
    bindMode: z.enum(["transceiver", "transmitter"]).default("transceiver"),
    window: int(1, 1000).default(10),
    tps: int(0).default(0),
    binds: int(1, 64).default(1),
    enquireLinkMs: int(1000).default(30_000),
    responseTimeoutMs: int(100).default(10_000),
    reconnectMinMs: int(100).default(1000),
    reconnectMaxMs: int(100).default(30_000),
    longMessages: z.enum(["udh", "payload"]).default("udh"),
    sourceTon: int(0, 6).default(0),
    sourceNpi: NPI.default(1),
    destTon: int(0, 6).default(1),
    destNpi: NPI.default(1),
    tls: z.boolean().default(false),
    caFile: z.string().min(1).nullable().default(null),
  })
  .strict()
  .refine((u) => u.reconnectMaxMs >= u.reconnectMinMs, {
    path: ["reconnectMaxMs"],
    message: "must be at least reconnectMinMs",
  });

const RouteSchema = z
  .object({
    upstream: NAME,
    prefixes: z
      .array(z.string().regex(/^\+?\d{1,15}$/, 'E.164 digits such as "86134" or "+86134"'))
      .min(1)
      .optional(),
    carriers: z.array(CARRIER).min(1).optional(),
  })
  .strict()
  .refine((r) => r.prefixes !== undefined || r.carriers !== undefined, "a route needs prefixes or carriers");

const FileSchema = z
  .object({
    upstreams: z.array(UpstreamSchema).min(1),
    routes: z.array(RouteSchema).default([]),
    default: NAME.nullable().optional(),
    failover: z.record(z.string(), z.array(z.string())).default({}),
    portabilityFile: z.string().min(1).nullable().default(null),
  })
  .strict();

/** Fields a URL's query may set (the others come from the URL's parts), and which of them are numbers. */
const QUERY_FIELDS = new Set(["systemType", "bindMode", "longMessages", "caFile"]);
const NUMERIC_QUERY_FIELDS = new Set([
  "window",
  "tps",
  "binds",
  "enquireLinkMs",
  "responseTimeoutMs",
  "reconnectMinMs",
  "reconnectMaxMs",
  "sourceTon",
  "sourceNpi",
  "destTon",
  "destNpi",
]);

/** The first issue as "path: message" (never a value: passwords stay out of errors). */
function firstIssue(error: z.ZodError): string {
  const i = error.issues[0];
  return `${i?.path.join(".") || "(root)"}: ${i?.message}`;
}

/** The raw fields of `smpp[s]://systemId:password@host:port?query`; throws naming the part at fault. */
function urlFields(url: string): Record<string, unknown> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error("not a URL; use smpp://systemId:password@host:port");
  }
  if (u.protocol !== "smpp:" && u.protocol !== "smpps:") throw new Error(`scheme must be smpp: or smpps:`);
  if (u.pathname !== "" && u.pathname !== "/") throw new Error("the URL may not have a path");
  const fields: Record<string, unknown> = {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1"),
    systemId: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    tls: u.protocol === "smpps:",
  };
  if (u.port !== "") fields.port = Number(u.port);
  for (const [key, value] of u.searchParams) {
    if (NUMERIC_QUERY_FIELDS.has(key)) fields[key] = value.trim() === "" ? value : Number(value);
    else if (QUERY_FIELDS.has(key)) fields[key] = value;
    else throw new Error(`unknown parameter "${key}"`);
  }
  return fields;
}

/**
 * Parses `smpp://systemId:password@host:port[?window=10&tps=0&systemType=&bindMode=transceiver]`
 * (`smpps://` for TLS; any other {@link UpstreamConfig} field but the URL's own parts may be a query
 * parameter). Throws an Error naming the offending part or field, never the password.
 */
export function parseUpstreamUrl(url: string, name = "default"): UpstreamConfig {
  let fields: Record<string, unknown>;
  try {
    fields = urlFields(url);
  } catch (err) {
    throw new Error(`upstream URL: ${(err as Error).message}`);
  }
  const r = UpstreamSchema.safeParse({ name, ...fields });
  if (!r.success) throw new Error(`upstream URL: ${firstIssue(r.error)}`);
  return r.data;
}

/** Replaces each upstream's `url` by the fields it carries (fields given beside it win). */
function expandUrls(doc: unknown): unknown {
  if (typeof doc !== "object" || doc === null || !("upstreams" in doc) || !Array.isArray(doc.upstreams))
    return doc;
  const upstreams = doc.upstreams.map((entry: unknown, i: number) => {
    if (typeof entry !== "object" || entry === null || !("url" in entry)) return entry;
    const { url, ...rest } = entry;
    if (typeof url !== "string") throw new Error(`upstreams.${i}.url: expected a string`);
    try {
      return { ...urlFields(url), ...rest };
    } catch (err) {
      throw new Error(`upstreams.${i}.url: ${(err as Error).message}`);
    }
  });
  return { ...doc, upstreams };
}

/** Checks that routes, failover and default name upstreams that exist, and names are unique. */
function checkNames(f: z.infer<typeof FileSchema>): void {
  const names = new Set<string>();
  f.upstreams.forEach((u, i) => {
    if (names.has(u.name)) throw new Error(`upstreams.${i}.name: "${u.name}" is used twice`);
    names.add(u.name);
  });
  const known = (path: string, name: string) => {
    if (!names.has(name)) throw new Error(`${path}: no upstream is named "${name}"`);
  };
  for (const [i, r] of f.routes.entries()) known(`routes.${i}.upstream`, r.upstream);
  if (f.default) known("default", f.default);
  for (const [from, to] of Object.entries(f.failover)) {
    known(`failover.${from}`, from);
    for (const [j, n] of to.entries()) known(`failover.${from}.${j}`, n);
  }
}

/**
 * Validates an upstreams document (parsed JSON). `default` may be omitted when there is one upstream
 * (it becomes the default) and is null otherwise; `portabilityFile` is resolved against `baseDir`.
 * Upstream entries may give a `url` instead of host, port and credentials. Throws an Error naming the
 * offending field ("routes.1.upstream: no upstream is named …").
 */
export function parseUpstreamsFile(doc: unknown, baseDir: string): UpstreamsFile {
  const r = FileSchema.safeParse(expandUrls(doc));
  if (!r.success) throw new Error(firstIssue(r.error));
  const f = r.data;
  checkNames(f);
  const only = f.upstreams.length === 1 ? (f.upstreams[0]?.name ?? null) : null;
  return {
    upstreams: f.upstreams.map((u) => (u.caFile === null ? u : { ...u, caFile: resolve(baseDir, u.caFile) })),
    routes: f.routes,
    default: f.default === undefined ? only : f.default,
    failover: f.failover,
    portabilityFile: f.portabilityFile === null ? null : resolve(baseDir, f.portabilityFile),
  };
}

/** Throws unless every upstream's CA file can be read and holds a PEM certificate. */
function checkCaFiles(upstreams: readonly UpstreamConfig[], name: (u: UpstreamConfig) => string): void {
  for (const u of upstreams) {
    if (u.caFile === null) continue;
    let pem: string;
    try {
      pem = readFileSync(u.caFile, "utf8");
    } catch {
      throw new Error(`${name(u)}: cannot be read`);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`${name(u)}: holds no PEM certificate`);
  }
}

/**
 * The upstreams from the environment: ANNING_UPSTREAM (one URL, the default route for everything) or
 * ANNING_UPSTREAMS_FILE (JSON, see {@link parseUpstreamsFile}); null when neither is set. Setting both
 * is an error, as is any invalid value (the message names the variable or file and the field).
 */
export function loadUpstreams(env: {
  ANNING_UPSTREAM?: string;
  ANNING_UPSTREAMS_FILE?: string;
}): UpstreamsFile | null {
  const url = env.ANNING_UPSTREAM || undefined;
  const file = env.ANNING_UPSTREAMS_FILE || undefined;
  if (url && file) throw new Error("configuration: set ANNING_UPSTREAM or ANNING_UPSTREAMS_FILE, not both");
  if (url) {
    try {
      const upstream = parseUpstreamUrl(url);
      checkCaFiles([upstream], (u) => `caFile (${u.caFile})`);
      return {
        upstreams: [upstream],
        routes: [],
        default: upstream.name,
        failover: {},
        portabilityFile: null,
      };
    } catch (err) {
      throw new Error(
        `configuration: ANNING_UPSTREAM: ${(err as Error).message.replace(/^upstream URL: /, "")}`,
      );
    }
  }
  if (!file) return null;
  const path = resolve(file);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`upstreams file ${path}: ${(err as Error).message}`);
  }
  try {
    const parsed = parseUpstreamsFile(doc, dirname(path));
    checkCaFiles(parsed.upstreams, (u) => `upstreams.${parsed.upstreams.indexOf(u)}.caFile (${u.caFile})`);
    return parsed;
  } catch (err) {
    throw new Error(`upstreams file ${path}: ${(err as Error).message}`);
  }
}
