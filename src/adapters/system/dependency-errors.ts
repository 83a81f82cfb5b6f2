/** Socket-level failures of a client library talking to PostgreSQL or Redis. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * Whether an error means a dependency (PostgreSQL, Redis) is unreachable or shutting down, rather than
 * a fault of the request: such requests are answered "degraded, retry" (HTTP 503), never 500.
 * PostgreSQL classes 08 (connection exception) and 57P (operator intervention: shutdown) count, as do
 * the drivers' own connection errors.
 */
export function isDependencyDown(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  }
  const m = err.message;
  return (
    m.includes("Connection terminated") ||
    m.includes("timeout exceeded when trying to connect") ||
    m.includes("Client has encountered a connection error") ||
    m.includes("Connection is closed") ||
    m.includes("Stream isn't writeable") ||
    m.includes("connect ECONNREFUSED")
  );
}
