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
    noticesCursor: {
      type: "string",
      pattern: "^(0|ntc_[0-9a-z]{1,40})$",
      description:
        'deliver message events (receipts, replies) after this notice id ("0": all kept; a new webhook starts at now)',
    },
  },
} as const;

const setSchema = {
  type: "object",
  properties: {
    url: { type: "string" },
    secret: { type: "string", description: "the signing secret, shown only here" },
    cursor: { type: "string", description: "the suppression feed's cursor" },
    noticesCursor: { type: "string", description: 'the message events\' cursor (a notice id, or "0")' },
  },
  required: ["url", "secret", "cursor", "noticesCursor"],
} as const;

const webhookSchema = {
  type: "object",
  properties: {
    enterpriseId: { type: "string" },
    url: { type: "string" },
    cursor: { type: "string", description: "suppression events up to this cursor were delivered" },
    attempts: { type: "integer", description: "failed suppression deliveries since the last success" },
    nextAttemptAt: { type: "string" },
    lastError: { type: ["string", "null"] },
    noticesCursor: { type: "string", description: "message events up to this notice id were delivered" },
    noticesAttempts: {
      type: "integer",
      description: "failed message-event deliveries since the last success",
    },
    noticesNextAttemptAt: { type: "string" },
    noticesLastError: { type: ["string", "null"] },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
  },
  required: [
    "enterpriseId",
    "url",
    "cursor",
    "attempts",
    "nextAttemptAt",
    "lastError",
    "noticesCursor",
    "noticesAttempts",
    "noticesNextAttemptAt",
    "noticesLastError",
  ],
} as const;

/**
 * An enterprise's signed webhook, carrying two feeds: its suppressions (withdrawals and DND changes)
 * and its message events (delivery receipts and replies).
 */
export function webhookRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;

  app.put<{ Params: { id: string }; Body: SetWebhookInput }>(
    "/v1/enterprises/:id/webhook",
    {
      schema: {
        tags,
        summary:
          "Subscribe the suppression feed and the message events to a signed webhook, or replace it (new URL and secret)",
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
