/**
 * Caller faults the use cases raise. Each code is stable and documented; every boundary (HTTP, CLI,
 * SMPP) maps it exhaustively. Refused messages are NOT errors: they are policy results.
 */
export type DomainErrorCode =
  | "VALIDATION_FAILED"
  | "NOT_FOUND"
  | "FORBIDDEN"
  | "CONFLICT"
  | "CREDIT_CODE_INVALID"
  | "PARENT_INVALID"
  | "SIGNATURE_TEXT_INVALID"
  | "CATEGORY_UNKNOWN"
  | "PORT_NUMBER_INVALID"
  | "RECIPIENT_INVALID"
  | "CONSENT_NOT_AFFIRMATIVE"
  | "CONSENT_CAPTURED_IN_FUTURE"
  | "CONSENT_PREDATES_WITHDRAWAL"
  | "OPT_IN_REQUEST_TOO_SOON"
  | "POLICY_NOT_TIGHTER"
  | "INVALID_STATE"
  | "TEST_CLOCK_DISABLED"
  | "IDEMPOTENCY_MISMATCH"
  /** A dependency that caps or opt-outs rely on is down: nothing was accepted or recorded; retry later. */
  | "SERVICE_DEGRADED"
  /** The sender is over its messages-per-second limit: nothing was recorded; retry in a second. */
  | "RATE_LIMITED";

/** A typed caller fault with a stable code and a plain message (never personal data). */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}
