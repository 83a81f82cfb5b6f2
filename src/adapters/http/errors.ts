import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, type DomainErrorCode } from "../../domain/shared/domain-error.js";
import { StoreConflictError } from "../../domain/shared/store-errors.js";
import { isDependencyDown } from "../system/dependency-errors.js";

/** A fault found by the HTTP layer itself (authentication, parsing, a field the schema could not express). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The one error body every route answers with. */
export interface ErrorEnvelope {
  error: { code: string; message: string; requestId: string };
}

/**
 * HTTP status of a domain error code. Exhaustive: adding a code to {@link DomainErrorCode} without a status
 * here fails to compile.
 */
export function codeToHttpStatus(code: DomainErrorCode): number {
  switch (code) {
    case "VALIDATION_FAILED":
      return 400;
    case "NOT_FOUND":
      return 404;
    case "FORBIDDEN":
      return 403;
    case "CONFLICT":
      return 409;
    case "CREDIT_CODE_INVALID":
    case "PARENT_INVALID":
    case "SIGNATURE_TEXT_INVALID":
    case "CATEGORY_UNKNOWN":
    case "PORT_NUMBER_INVALID":
    case "RECIPIENT_INVALID":
    case "CONSENT_NOT_AFFIRMATIVE":
    case "CONSENT_CAPTURED_IN_FUTURE":
    case "POLICY_NOT_TIGHTER":
      return 422;
    case "CONSENT_PREDATES_WITHDRAWAL":
      return 409;
    case "OPT_IN_REQUEST_TOO_SOON":
      return 429;
    case "INVALID_STATE":
      return 409;
    case "TEST_CLOCK_DISABLED":
      return 400;
    case "IDEMPOTENCY_MISMATCH":
      return 409;
    case "SERVICE_DEGRADED":
      return 503;
    case "RATE_LIMITED":
      return 429;
    default: {
      const never: never = code;
      return never;
    }
  }
}

/** An AJV error as fastify attaches it to a validation failure. */
interface AjvIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** What a validation context's members are called: body fields, query parameters, path parameters. */
const MEMBER: Record<string, string> = {
  querystring: "query parameter",
  params: "path parameter",
  headers: "header",
};

function fieldPath(context: string | undefined, instancePath: string, leaf?: string): string {
  const parts = instancePath.split("/").filter(Boolean);
  if (leaf !== undefined) parts.push(leaf);
  const path = parts.join(".");
  const member = context === undefined ? undefined : MEMBER[context];
  if (member !== undefined) return path ? `${member} ${path}` : `the ${member}s`;
  return path || "body";
}

/**
 * What is wrong with one value, in words: a pattern is not quoted (a caller needs the format, which the
 * API reference gives, not a regular expression); a value that may take several forms ("string or
 * number") names the rule of the form it took (say "must be >= 0"), else the forms allowed.
 */
function problem(issues: AjvIssue[], i: AjvIssue): string {
  const alternatives = issues.find(
    (x) => (x.keyword === "anyOf" || x.keyword === "oneOf") && x.instancePath === i.instancePath,
  );
  if (alternatives) {
    const same = issues.filter((x) => x.instancePath === i.instancePath && x !== alternatives);
    const rule = same.find((x) => x.keyword !== "type");
    if (rule) return problem([], rule);
    const types = [...new Set(same.map((x) => String(x.params.type)))];
    return types.length > 0 ? `must be ${types.join(" or ")}` : "is not valid";
  }
  if (i.keyword === "pattern" || i.keyword === "format") return "is not in the expected format";
  return i.message ?? "is not valid";
}

/** Status, code and a caller-safe message for a schema validation failure. */
function fromValidation(issues: AjvIssue[], context: string | undefined): [number, string, string] {
  const i = issues[0];
  if (!i) return [400, "VALIDATION_FAILED", "the request is not valid"];
  const member = (context !== undefined && MEMBER[context]) || "field";
  if (i.keyword === "additionalProperties") {
    const name = String(i.params.additionalProperty ?? "");
    return [400, "UNKNOWN_FIELD", `unknown ${member}: ${fieldPath(undefined, i.instancePath, name)}`];
  }
  if (i.keyword === "required") {
    const name = String(i.params.missingProperty ?? "");
    return [400, "MISSING_FIELD", `missing ${member}: ${fieldPath(undefined, i.instancePath, name)}`];
  }
  return [400, "VALIDATION_FAILED", `${fieldPath(context, i.instancePath)} ${problem(issues, i)}`];
}

/** Maps any thrown value to status, code and message; unknown errors become a bare 500. */
export function classifyError(err: unknown): [number, string, string] {
  if (err instanceof DomainError) return [codeToHttpStatus(err.code), err.code, err.message];
  if (err instanceof HttpError) return [err.statusCode, err.code, err.message];
  if (err instanceof StoreConflictError) return [409, "CONFLICT", err.message];
  if (isDependencyDown(err))
    return [503, "SERVICE_DEGRADED", "a dependency is unavailable; nothing was recorded, retry later"];
  const fe = err as Partial<FastifyError> & { validation?: AjvIssue[] };
  if (fe && Array.isArray(fe.validation)) return fromValidation(fe.validation, fe.validationContext);
  switch (fe?.code) {
    case "FST_ERR_CTP_INVALID_JSON_BODY":
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return [400, "INVALID_JSON", "the body is not valid JSON"];
    case "FST_ERR_CTP_BODY_TOO_LARGE":
    case "FST_REQ_FILE_TOO_LARGE":
      return [413, "BODY_TOO_LARGE", "the request body is too large"];
    case "FST_FILES_LIMIT":
      return [400, "VALIDATION_FAILED", "send exactly one CSV file"];
    case "FST_FIELDS_LIMIT":
    case "FST_PARTS_LIMIT":
      return [400, "VALIDATION_FAILED", "too many form fields"];
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return [415, "UNSUPPORTED_MEDIA_TYPE", "unsupported content type"];
  }
  if (err instanceof SyntaxError && fe.statusCode === 400)
    return [400, "INVALID_JSON", "the body is not valid JSON"];
  const status = typeof fe?.statusCode === "number" ? fe.statusCode : 500;
  if (status === 413) return [413, "BODY_TOO_LARGE", "the request body is too large"];
  if (status === 415) return [415, "UNSUPPORTED_MEDIA_TYPE", "unsupported content type"];
  // Other client errors of fastify and its plugins; their messages may quote the URL, so none is echoed.
  if (status >= 400 && status < 500 && typeof fe.code === "string" && fe.code.startsWith("FST_"))
    return [status, "BAD_REQUEST", `the request is not valid (${fe.code})`];
  return [500, "INTERNAL_ERROR", "internal error"];
}

/** The envelope for a request. */
export function envelope(code: string, message: string, requestId: string): ErrorEnvelope {
  return { error: { code, message, requestId } };
}

/** Sends the error envelope for any thrown value; 500s are logged server-side with the real error. */
export function sendError(
  app: FastifyInstance,
  err: unknown,
  req: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const [status, code, message] = classifyError(err);
  if (status >= 500) app.log.error({ requestId: req.id, err }, "request failed");
  if (status === 401) reply.header("www-authenticate", "Bearer");
  if (code === "SERVICE_DEGRADED") reply.header("retry-after", "5");
  if (code === "RATE_LIMITED") reply.header("retry-after", "1");
  // Pre-serialized, so that a route's own schema for the same status (e.g. 422 refused) never reshapes it.
  return reply
    .header("x-request-id", req.id)
    .status(status)
    .type("application/json; charset=utf-8")
    .send(JSON.stringify(envelope(code, message, req.id)));
}

/** Installs the error and not-found handlers so that every failure answers with one envelope. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => sendError(app, err, req, reply));
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(envelope("ROUTE_NOT_FOUND", "no such route", req.id))),
  );
}
