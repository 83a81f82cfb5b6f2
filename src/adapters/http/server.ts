import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyPluginAsync, LogController } from "fastify";
import type { Logger as PinoLogger } from "pino";
import type { Services } from "../../services.js";
import { createLogger } from "../system/logger.js";
import { installAuth } from "./auth.js";
import { HttpError, installErrorHandlers, sendError } from "./errors.js";
import { HttpMetrics, type SmppCounters } from "./metrics.js";
import { newRequestId } from "./request-id.js";
import { campaignRoutes } from "./routes/campaigns.js";
import { consentRoutes } from "./routes/consents.js";
import { bodyMayBeAbsent, type RouteDeps } from "./routes/deps.js";
import { enterpriseRoutes } from "./routes/enterprises.js";
import { inboundRoutes } from "./routes/inbound.js";
import { messageRoutes } from "./routes/messages.js";
import { policyRoutes } from "./routes/policy.js";
import { portRoutes } from "./routes/ports.js";
import { signatureRoutes } from "./routes/signatures.js";
import { smppAccountRoutes } from "./routes/smpp-accounts.js";
import { systemRoutes } from "./routes/system.js";
import { webhookRoutes } from "./routes/webhooks.js";

/** Default request body limit; the campaign route raises its own. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Options of {@link buildHttpServer}. */
export interface HttpServerOptions {
  /** A pino logger for the one-line-per-request log and server errors (default: JSON on stdout); false for none. */
  logger?: PinoLogger | false;
  /** The SMPP server's counters, when one runs beside the HTTP API (exposed on /metrics). */
  smppStats?: () => SmppCounters | null;
}

/**
 * Builds the HTTP API over the services: authentication, one error envelope for every failure, request
 * ids, per-request logs and metrics, the OpenAPI document and every route. Registered and ready, not
 * listening.
 */
export async function buildHttpServer(
  services: Services,
  opts: HttpServerOptions = {},
): Promise<FastifyInstance> {
  const logger = opts.logger === undefined ? createLogger() : opts.logger;
  let self: FastifyInstance | null = null;
  const app = Fastify({
    ...(logger === false ? { logger: false } : { loggerInstance: logger }),
    // disableRequestLogging: one line per request is written by the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    genReqId: newRequestId,
    bodyLimit: DEFAULT_BODY_LIMIT,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // Errors found before routing (a malformed URL…) get the same envelope.
    frameworkErrors: (err, req, reply) => {
      if (self) sendError(self, err, req, reply);
    },
  }) as unknown as FastifyInstance;
  self = app;

  installErrorHandlers(app);
  installContentTypes(app);
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });
  // Registry reads and API keys see what another node wrote a moment ago (register, then sign up, or
  // revoke a key, through a load balancer): the check runs before authentication. Sends and decisions,
  // the hot path, rely on the change bus instead (milliseconds).
  app.addHook("onRequest", (req, _reply, done) => {
    const sync = services.ctx.sync;
    const url = req.routeOptions.url;
    if (!sync || req.is404 || url === "/v1/messages" || url === "/v1/decisions" || url === "/healthz")
      return done();
    sync.checkRegistry().then(() => done(), done);
  });
  installAuth(app, services.ctx, services.adminToken);

  // A route with a body schema treats an absent body as {}: a missing field is then named (MISSING_FIELD).
  app.addHook("onRoute", (route) => {
    if (route.schema?.body && route.preValidation === undefined) route.preValidation = bodyMayBeAbsent;
  });

  const counters = services.ctx.counters;
  const metrics = new HttpMetrics(counters ? () => counters.roundTrips : undefined, opts.smppStats, {
    upstreams: () => services.upstream.status?.() ?? [],
    outcomes: () => ({ ...services.dispatcher.stats }),
  });
  app.addHook("onResponse", (req, reply, done) => {
    const route = req.routeOptions.url ?? "(unmatched)";
    const ms = Math.round(reply.elapsedTime * 1000) / 1000;
    metrics.observeRequest(req.method, route, reply.statusCode, ms);
    app.log.info(
      { requestId: req.id, method: req.method, route, statusCode: reply.statusCode, ms },
      "request",
    );
    done();
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "anning",
        description:
          "Consent-first compliance gateway for marketing SMS. Every error answers {error: {code, message, requestId}}.",
        version: "0.1.0",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "the admin token or an enterprise API key" },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  const deps: RouteDeps = { services, metrics };
  systemRoutes(app, deps);
  enterpriseRoutes(app, deps);
  signatureRoutes(app, deps);
  portRoutes(app, deps);
  policyRoutes(app, deps);
  consentRoutes(app, deps);
  messageRoutes(app, deps);
  inboundRoutes(app, deps);
  webhookRoutes(app, deps);
  smppAccountRoutes(app, deps);
  // Own scope: the campaign route's text/csv and multipart parsers apply to it alone.
  await app.register(campaignRoutes satisfies FastifyPluginAsync<RouteDeps>, deps);

  await app.ready();
  return app;
}

/** Valid JSON the parser refused: it holds a `__proto__` or `constructor.prototype` key (poisoning). */
const prototypeKey = () =>
  new HttpError(
    400,
    "INVALID_JSON",
    "the body holds a __proto__ or constructor.prototype key, which is refused",
  );

function validJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * JSON only (the campaign route adds text/csv and multipart in its own scope); an empty JSON body counts
 * as no body, so that routes without a body accept `Content-Type: application/json` with nothing.
 */
function installContentTypes(app: FastifyInstance): void {
  const json = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    if (body === "" || (typeof body === "string" && body.trim() === "")) return done(null, undefined);
    // The default parser is synchronous (it calls done); `void` marks that nothing is awaited.
    void json(req, body as string, (err, value) => {
      if (err && validJson(body as string)) return done(prototypeKey(), undefined);
      done(err, value);
    });
  });
}
