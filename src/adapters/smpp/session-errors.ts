/** Why a session request did not get its response. */

/** A request could not complete because the session closed (or was unbinding). */
export class SessionClosedError extends Error {
  override name = "SessionClosedError";
}

/**
 * A request that never reached the wire: the session closed (or was unbinding) while it waited for a
 * window slot, or before it was made. Unlike a request on the wire, whose outcome is unknown, the peer
 * never saw it, so it may be sent again, on this bind or another.
 */
export class RequestNotSentError extends SessionClosedError {
  override name = "RequestNotSentError";
}

/** No response within responseTimeoutMs. */
export class SessionTimeoutError extends Error {
  override name = "SessionTimeoutError";
}
