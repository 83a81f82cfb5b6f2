/** Why a session request did not get its response. */

/** A request could not complete because the session closed (or was unbinding). */
export class SessionClosedError extends Error {
  override name = "SessionClosedError";
}

/** No response within responseTimeoutMs. */
export class SessionTimeoutError extends Error {
  override name = "SessionTimeoutError";
}
