import { pino } from "pino";
import type { Logger } from "../../app/logger.port.js";

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
      redact: { paths: ["phone", "from", "to", "text", "body"], censor: "[redacted]" },
    },
    destination,
  );
}

/** A logger that discards everything (tests, CLI). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
