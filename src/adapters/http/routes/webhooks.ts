import type { FastifyInstance } from "fastify";
import {
  getWebhook,
  removeWebhook,
  type SetWebhookInput,
  setWebhook,
} from "../../../app/webhooks/webhooks.js";
import { actorOf } from "../auth.js";
import { errorResponses, idParams } from "../schemas.js";
import type { RouteDeps } from "./deps.js";

const tags = ["webhooks"];

const setBody = {
  type: "object",
  additionalProperties: false,
  required: ["url"],
  properties: {
    url: { type: "string", minLength: 1, maxLength: 2048, description: "an http: or https: URL" },
    fromCursor: {
      type: "string",
      pattern: "^\\d{1,15}$",
      description: 'deliver events after this suppression cursor ("0", the default for a new webhook: all)',
    },
  },
} as const;

const setSchema = {
  type: "object",
  properties: {
    url: { type: "string" },
    secret: { type: "string", description: "the signing secret, shown only here" },
    cursor: { type: "string" },
  },
  required: ["url", "secret", "cursor"],
} as const;

const webhookSchema = {
  type: "object",
  properties: {
    enterpriseId: { type: "string" },
    url: { type: "string" },
    cursor: { type: "string", description: "events up to this cursor were delivered" },
    attempts: { type: "integer", description: "failed attempts since the last success" },
    nextAttemptAt: { type: "string" },
    lastError: { type: ["string", "null"] },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
  },
  required: ["enterpriseId", "url", "cursor", "attempts", "nextAttemptAt", "lastError"],
} as const;

/** An enterprise's signed webhook for its suppression feed (withdrawals and DND changes). */
export function webhookRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;

  app.put<{ Params: { id: string }; Body: SetWebhookInput }>(
    "/v1/enterprises/:id/webhook",
    {
      schema: {
        tags,
        summary: "Subscribe the suppression feed to a signed webhook, or replace it (new URL and secret)",
        params: idParams,
        body: setBody,
        response: { 200: setSchema, ...errorResponses },
      },
    },
    async (req) => setWebhook(ctx, actorOf(req), req.params.id, req.body),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/enterprises/:id/webhook",
    {
      schema: {
        tags,
        summary: "The webhook and its delivery state (never the secret)",
        params: idParams,
        response: { 200: webhookSchema, ...errorResponses },
      },
    },
    async (req) => getWebhook(ctx, actorOf(req), req.params.id),
  );

  app.delete<{ Params: { id: string } }>(
    "/v1/enterprises/:id/webhook",
    {
      schema: {
        tags,
        summary: "End the webhook at once",
        params: idParams,
        response: { 204: { type: "null", description: "removed" }, ...errorResponses },
      },
    },
    async (req, reply) => {
      await removeWebhook(ctx, actorOf(req), req.params.id);
      return reply.status(204).send();
    },
  );
}
