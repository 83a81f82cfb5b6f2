import { readFileSync } from "node:fs";
import type { IdFormat, ReceiptIdForm, SimLog, SimOptions } from "../smpp/sim/sim-options.js";
import { SmscSimulator } from "../smpp/sim/smsc-simulator.js";
import { createLogger } from "../system/logger.js";
import { CliError } from "./csv-input.js";

/** `anning smsc-sim` flags as commander hands them over (strings). */
export interface SmscSimFlags {
  port?: string;
  host?: string;
  systemId?: string;
  password?: string;
  receiptDelayMs?: string;
  latencyMs?: string;
  failRatio?: string;
  expireRatio?: string;
  rejectRatio?: string;
  failDestinations?: string;
  idFormat?: string;
  receiptIdForm?: string;
  controlPort?: string;
  window?: string;
  tlsKey?: string;
  tlsCert?: string;
}

/** `anning smsc-sim mo` flags. */
export interface SmscSimMoFlags {
  from?: string;
  to?: string;
  text?: string;
  systemId?: string;
  control?: string;
}

/** The default control API of `anning smsc-sim` (SMPP on 2875: anning's own SMPP server has 2775). */
export const DEFAULT_CONTROL_URL = "http://127.0.0.1:2876";

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer >= ${min}`);
  return n;
}

function ratio(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !(n >= 0 && n <= 1)) throw new CliError(`--${name} must be between 0 and 1`);
  return n;
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v))
    throw new CliError(`--${name} must be one of ${allowed.join(", ")}`);
  return v as T;
}

function readPem(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    throw new CliError(`--${name}: cannot read ${path}`);
  }
}

/** Turns the flags into simulator options (CliError on a bad value). SMPP port 2875 unless given. */
export function simOptionsFromFlags(f: SmscSimFlags): SimOptions {
  const o: SimOptions = { port: int("port", f.port, 0) ?? 2875 };
  if (o.port > 65535) throw new CliError("--port must be 0..65535");
  const set = <K extends keyof SimOptions>(k: K, v: SimOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set("host", f.host);
  // SMPP 3.4's limits: no client could bind with longer credentials
  if (f.systemId !== undefined && f.systemId.length > 15)
    throw new CliError("--system-id must be at most 15 characters (SMPP 3.4)");
  if (f.password !== undefined && f.password.length > 8)
    throw new CliError("--password must be at most 8 characters (SMPP 3.4)");
  set("systemId", f.systemId);
  set("password", f.password);
  set("receiptDelayMs", int("receipt-delay-ms", f.receiptDelayMs, 0));
  set("latencyMs", int("latency-ms", f.latencyMs, 0));
  set("failRatio", ratio("fail-ratio", f.failRatio));
  set("expireRatio", ratio("expire-ratio", f.expireRatio));
  set("rejectRatio", ratio("reject-ratio", f.rejectRatio));
  if (f.failDestinations !== undefined)
    o.failDestinations = f.failDestinations
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  set("idFormat", oneOf<IdFormat>("id-format", f.idFormat, ["hex", "decimal"]));
  set(
    "receiptIdForm",
    oneOf<ReceiptIdForm>("receipt-id-form", f.receiptIdForm, ["same", "decimal", "lowerhex"]),
  );
  set("controlPort", int("control-port", f.controlPort, -1));
  set("window", int("window", f.window, 1));
  if ((o.failRatio ?? 0) + (o.expireRatio ?? 0) > 1)
    throw new CliError("--fail-ratio plus --expire-ratio must not exceed 1");
  if ((f.tlsKey === undefined) !== (f.tlsCert === undefined))
    throw new CliError("--tls-key and --tls-cert go together");
  if (f.tlsKey !== undefined && f.tlsCert !== undefined)
    o.tls = { key: readPem("tls-key", f.tlsKey), cert: readPem("tls-cert", f.tlsCert) };
  return o;
}

/** The line `anning smsc-sim` prints once listening. */
export function listeningLine(sim: SmscSimulator): string {
  const control = sim.controlPort >= 0 ? `control http://${sim.host}:${sim.controlPort}` : "no control API";
  return `smsc-sim listening on ${sim.host}:${sim.port} (${control})`;
}

/**
 * Starts the simulator and prints where it listens. The caller stops it with `close()`.
 *
 * @param write where the listening line goes (stdout by default)
 * @param log where warnings go (JSON logs on stdout by default)
 */
export async function startSmscSim(
  flags: SmscSimFlags,
  write: (line: string) => void = (l) => process.stdout.write(l),
  log: SimLog = createLogger(),
): Promise<SmscSimulator> {
  const opts = simOptionsFromFlags(flags);
  const sim = await SmscSimulator.start({ ...opts, log });
  write(`${listeningLine(sim)}\n`);
  return sim;
}

/** `anning smsc-sim`: runs the simulator in the foreground until SIGINT or SIGTERM, then stops cleanly. */
export async function smscSimCommand(flags: SmscSimFlags): Promise<void> {
  const sim = await startSmscSim(flags);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`anning: unclean stop: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/** The outcome of `anning smsc-sim mo`: the HTTP status and the body the control API answered. */
export interface MoResult {
  ok: boolean;
  status: number;
  body: string;
}

/**
 * `anning smsc-sim mo`: posts a mobile-originated message to a running simulator's control API.
 *
 * @throws CliError when --from, --to or --text is missing or the URL is bad; Error when nothing answers.
 */
export async function smscSimMoCommand(f: SmscSimMoFlags): Promise<MoResult> {
  if (f.from === undefined || f.to === undefined || f.text === undefined)
    throw new CliError("smsc-sim mo needs --from, --to and --text");
  let url: URL;
  try {
    url = new URL("/mo", f.control ?? DEFAULT_CONTROL_URL);
  } catch {
    throw new CliError(`--control is not a URL: ${f.control}`);
  }
  const payload: Record<string, string> = { from: f.from, to: f.to, text: f.text };
  if (f.systemId !== undefined) payload.systemId = f.systemId;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    throw new Error(`no answer from the simulator at ${url.origin}${cause}`);
  }
  return { ok: res.ok, status: res.status, body: await res.text() };
}
