import type { FastifyInstance } from "fastify";
import { assertAdmin } from "../../../app/context.js";
import { verifyLedger } from "../../../app/ledger/verify-ledger.js";
import { actorOf } from "../auth.js";
import { errorResponses } from "../schemas.js";
import type { RouteDeps } from "./deps.js";

const healthSchema = {
  type: "object",
  properties: {
    status: { type: "string", enum: ["ok", "degraded"] },
    checks: {
      type: "object",
      properties: {
        store: { type: "string", enum: ["ok", "error"] },
        redis: { type: "string", enum: ["ok", "rebuilding", "error"] },
        upstream: {
          type: "string",
          enum: ["ok", "partial", "connecting"],
          description:
            "every carrier has a bind up (ok), some have none (partial), or none has (connecting); informational: messages wait in the outbox meanwhile",
        },
      },
    },
    upstreams: {
      type: "array",
      description: "each carrier link, with its binds up now",
      items: {
        type: "object",
        properties: { name: { type: "string" }, ready: { type: "boolean" }, binds: { type: "integer" } },
      },
    },
  },
  required: ["status", "checks"],
} as const;

const verifySchema = {
  type: "object",
  properties: {
    ok: { type: "boolean" },
    checked: { type: "integer" },
    problems: { type: "array", items: { type: "object", additionalProperties: true } },
  },
  required: ["ok", "checked", "problems"],
} as const;

/** Health, metrics, the OpenAPI document and the ledger check. */
export function systemRoutes(app: FastifyInstance, { services, metrics }: RouteDeps): void {
  const { ctx } = services;

  app.get(
    "/healthz",
    {
      schema: {
        tags: ["system"],
        summary: "Liveness and the health of each dependency: the store, and Redis when configured (public)",
        security: [],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      try {
        await ctx.store.ping();
        checks.store = "ok";
      } catch (err) {
        app.log.error({ err }, "health check: store ping failed");
        checks.store = "error";
      }
      if (ctx.counters) {
        const r = await ctx.counters.health();
        checks.redis = r === "ok" || r === "rebuilding" ? r : "error";
        if (checks.redis === "error") app.log.warn({ redis: r }, "health check: redis");
      }
      const ok = Object.values(checks).every((v) => v === "ok");
      const up = services.upstream;
      const links = up.status?.() ?? [];
      if (links.length > 0) {
        const ready = links.filter((l) => l.ready).length;
        checks.upstream = ready === links.length ? "ok" : ready > 0 ? "partial" : "connecting";
      } else if (up.ready) checks.upstream = up.ready() ? "ok" : "connecting";
      const body = {
        status: ok ? "ok" : "degraded",
        checks,
        ...(links.length > 0 ? { upstreams: links } : {}),
      };
      return reply.status(ok ? 200 : 503).send(body);
    },
  );

  app.get(
    "/metrics",
    {
      schema: {
        tags: ["system"],
        summary: "Prometheus metrics, text format (admin)",
        response: {
          200: {
            description: "text exposition format",
            content: { "text/plain": { schema: { type: "string" } } },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      assertAdmin(actorOf(req));
      const m = await metrics.render();
      return reply.type(m.contentType).send(m.body);
    },
  );

  app.get(
    "/v1/ledger/verify",
    {
      schema: {
        tags: ["ledger"],
        summary: "Verify every shard of the consent ledger's hash chain against its anchors (admin)",
        response: { 200: verifySchema, ...errorResponses },
      },
    },
    async (req) => {
      assertAdmin(actorOf(req));
      return verifyLedger(ctx);
    },
  );

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
