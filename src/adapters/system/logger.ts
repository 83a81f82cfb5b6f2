import { pino } from "pino";
import type { Logger } from "../../app/logger.port.js";
import { maskPhone } from "../../domain/phone/phone.js";

const PHONE_KEYS: ReadonlySet<string> = new Set(["phone", "from", "to"]);

/** What a redacted key shows: a number masked as everywhere else (`138****5678`), a text not at all. */
export function censorLogValue(value: unknown, path: readonly string[]): string {
  const key = path[path.length - 1] ?? "";
  if (!PHONE_KEYS.has(key) || typeof value !== "string") return "[redacted]";
  // masked already by the caller (the rule): kept as is
  return value.includes("*") ? value : maskPhone(value);
}

/** Runs of 8 or more digits (an optional + before): numbers, masked wherever an error text quotes them. */
const DIGIT_RUNS = /\+?\d{8,}/g;

/** A string with every long digit run masked (`138****5678`). */
function maskDigitRuns(s: string): string {
  return s.replace(DIGIT_RUNS, (run) => maskPhone(run));
}

/**
 * The `err` of a log line (an Error or its text) with the numbers it quotes masked: a driver's error may
 * name a row's values (PostgreSQL's `detail`: "Key (phone)=(+86…)"), and errors are logged as they come.
 */
export function logError(err: unknown): unknown {
  if (typeof err === "string") return maskDigitRuns(err);
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = pino.stdSerializers.err(err);
  for (const [k, v] of Object.entries(out)) if (typeof v === "string") out[k] = maskDigitRuns(v);
  return out;
}

/**
 * JSON logs on stdout (pino). Anything named like a phone number is masked by redaction as a second
 * line of defence, and so is every long digit run in an `err`; callers already mask numbers and never
 * log message bodies.
 */
export function createLogger(level = process.env.ANNING_LOG_LEVEL ?? "info"): Logger & pino.Logger {
  // asynchronous writes: lines queued while a write is in flight go out together
  const destination = pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level,
      base: { service: "anning" },
      // top-level keys only: wildcard paths cost every log line a walk of the object
      redact: { paths: ["phone", "from", "to", "text", "body"], censor: censorLogValue },
      serializers: { err: logError },
    },
    destination,
  );
}

/** A logger that discards everything (tests, CLI). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
