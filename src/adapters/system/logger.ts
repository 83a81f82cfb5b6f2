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

/**
 * JSON logs on stdout (pino). Anything named like a phone number is masked by redaction as a second
 * line of defence; callers already mask numbers and never log message bodies.
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
    },
    destination,
  );
}

/** A logger that discards everything (tests, CLI). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
