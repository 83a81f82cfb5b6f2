import type { FastifyInstance } from "fastify";
import { setPolicyOverride, showPolicy } from "../../../app/registry/policy-overrides.js";
import { actorOf } from "../auth.js";
import { errorResponses, idParams, idString, openObject } from "../schemas.js";
import type { RouteDeps } from "./deps.js";

const tags = ["policy"];

const count = { type: "integer", minimum: 0 } as const;
const hhmm = { type: "string", pattern: "^([01]\\d|2[0-4]):[0-5]\\d$" } as const;

/** A partial policy profile; it may only tighten the policy file. */
const overrideBody = {
  type: "object",
  additionalProperties: false,
  properties: {
    marketingHours: {
      type: "object",
      additionalProperties: false,
      required: ["start", "end"],
      properties: { start: hhmm, end: hhmm },
    },
    perSenderPerDay: count,
    perRecipientPerDay: count,
    verification: {
      type: "object",
      additionalProperties: false,
      properties: { perMinute: count, perHour: count, perDay: count },
    },
    requireOptOutText: { type: "boolean" },
  },
} as const;

/** Policy overrides per enterprise and the policy in force. */
export function policyRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;

  app.put<{ Params: { id: string }; Body: Record<string, unknown> }>(
    "/v1/enterprises/:id/policy",
    {
      schema: {
        tags,
        summary: "Set an enterprise's policy override; it may only tighten the file's policy (admin)",
        params: idParams,
        body: overrideBody,
        response: { 200: { type: "object", properties: { override: openObject } }, ...errorResponses },
      },
    },
    async (req) => ({ override: await setPolicyOverride(ctx, actorOf(req), req.params.id, req.body) }),
  );

  app.get<{ Querystring: { enterpriseId?: string } }>(
    "/v1/policy",
    {
      schema: {
        tags,
        summary: "The policy in force today (for an enterprise, with its override)",
        querystring: { type: "object", additionalProperties: false, properties: { enterpriseId: idString } },
        response: {
          200: {
            type: "object",
            properties: {
              file: openObject,
              override: { type: ["object", "null"], additionalProperties: true },
              effectiveToday: openObject,
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => showPolicy(ctx, actorOf(req), req.query.enterpriseId),
  );
}
