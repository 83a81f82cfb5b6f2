import type { FastifyInstance } from "fastify";
import { cancelMessage } from "../../../app/messaging/cancel-message.js";
import { type DecideInput, decideMessage } from "../../../app/messaging/decide-message.js";
import { getMessage, listMessages } from "../../../app/messaging/get-message.js";
import { messageView } from "../../../app/messaging/send-request.js";
import { type SettleInput, settleMessage } from "../../../app/messaging/settle-message.js";
import { type SubmitInput, submitMessage } from "../../../app/messaging/submit-message.js";
import { actorOf } from "../auth.js";
import {
  categoryString,
  emptyBody,
  errorResponses,
  idParams,
  idString,
  messageSchema,
  phoneString,
  reasonsSchema,
  timeSchema,
} from "../schemas.js";
import type { RouteDeps } from "./deps.js";

const tags = ["messages"];

const sendProperties = {
  senderId: idString,
  signature: {
    type: "string",
    minLength: 1,
    maxLength: 64,
    description: "signature id, 【text】 or bare text",
  },
  port: {
    type: "string",
    minLength: 1,
    maxLength: 64,
    description: "sending number (port plus extension) or port id",
  },
  phone: phoneString,
  text: { type: "string", minLength: 1, maxLength: 2000 },
  category: categoryString,
} as const;

const sendRequired = ["senderId", "signature", "port", "phone", "text", "category"] as const;

const decisionBody = {
  type: "object",
  additionalProperties: false,
  required: sendRequired,
  properties: { ...sendProperties, at: { ...timeSchema, description: "decide as of this time (dry run)" } },
} as const;

const messageBody = {
  type: "object",
  additionalProperties: false,
  required: sendRequired,
  properties: {
    ...sendProperties,
    idempotencyKey: { type: "string", minLength: 1, maxLength: 128 },
    at: { ...timeSchema, description: "acting time; only with ANNING_TEST_CLOCK=1" },
  },
} as const;

const decisionSchema = {
  type: "object",
  properties: { allowed: { type: "boolean" }, reasons: reasonsSchema, at: { type: "string" } },
  required: ["allowed", "reasons"],
} as const;

const acceptedSchema = {
  type: "object",
  properties: { id: { type: "string" }, status: { type: "string", enum: ["accepted"] } },
  required: ["id", "status"],
} as const;

const refusedSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    status: { type: "string", enum: ["refused"] },
    reasons: reasonsSchema,
  },
  required: ["id", "status", "reasons"],
} as const;

/** The policy dry run (hot path), message submission and message lookup. */
export function messageRoutes(app: FastifyInstance, { services, metrics }: RouteDeps): void {
  const { ctx } = services;

  app.post<{ Body: DecideInput }>(
    "/v1/decisions",
    {
      schema: {
        tags,
        summary: "Decide one message without sending it (nothing recorded, no cap counted)",
        body: decisionBody,
        response: { 200: decisionSchema, ...errorResponses },
      },
    },
    async (req) => {
      const r = await decideMessage(ctx, actorOf(req), req.body);
      metrics.countDecision(r.reasons);
      return r;
    },
  );

  app.post<{ Body: SubmitInput }>(
    "/v1/messages",
    {
      schema: {
        tags,
        summary: "Submit one message: 202 accepted into the outbox, or 422 refused with every failed rule",
        body: messageBody,
        response: { 202: acceptedSchema, 422: refusedSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await submitMessage(ctx, actorOf(req), req.body);
      if (!r.duplicate) {
        metrics.countDecision(r.status === "refused" ? r.reasons : []);
        metrics.countMessage(r.status);
      } else reply.header("idempotent-replayed", "true");
      return r.status === "accepted"
        ? reply.status(202).send({ id: r.id, status: r.status })
        : reply.status(422).send({ id: r.id, status: r.status, reasons: r.reasons });
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/messages/:id",
    {
      schema: {
        tags,
        summary: "One message with its history (number masked), by its id or an SMPP part id msg_…-k",
        params: idParams,
        response: { 200: messageSchema, ...errorResponses },
      },
    },
    async (req) => getMessage(ctx, actorOf(req), req.params.id),
  );

  app.get<{ Querystring: { cursor?: string; limit?: string } }>(
    "/v1/messages",
    {
      schema: {
        tags,
        summary:
          "The caller's messages after a cursor, oldest first (a platform: its merchants' too), numbers masked",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            cursor: {
              type: "string",
              maxLength: 64,
              description: "the last message id of the previous page",
            },
            limit: { type: "string", pattern: "^\\d{1,4}$", description: "1–1000, default 100" },
          },
        },
        response: {
          200: {
            type: "object",
            properties: { items: { type: "array", items: messageSchema }, nextCursor: { type: "string" } },
            required: ["items", "nextCursor"],
          },
          ...errorResponses,
        },
      },
    },
    async (req) =>
      listMessages(ctx, actorOf(req), {
        ...(req.query.cursor !== undefined ? { cursor: req.query.cursor } : {}),
        ...(req.query.limit !== undefined ? { limit: Number(req.query.limit) } : {}),
      }),
  );

  app.post<{ Params: { id: string } }>(
    "/v1/messages/:id/cancel",
    {
      schema: {
        tags,
        summary:
          "Cancel a message not yet handed to a carrier (still accepted: scheduled or waiting); it becomes cancelled",
        params: idParams,
        body: emptyBody,
        response: { 200: messageSchema, ...errorResponses },
      },
    },
    async (req) => messageView(await cancelMessage(ctx, actorOf(req), req.params.id)),
  );

  app.post<{ Params: { id: string }; Body: SettleInput }>(
    "/v1/messages/:id/settle",
    {
      schema: {
        tags,
        summary:
          "Settle a message whose hand-over outcome is unknown as delivered or failed (admin); it is never resent",
        params: idParams,
        body: {
          type: "object",
          additionalProperties: false,
          required: ["status"],
          properties: {
            status: { type: "string", enum: ["delivered", "failed"] },
            note: { type: "string", maxLength: 200 },
          },
        },
        response: { 200: messageSchema, ...errorResponses },
      },
    },
    async (req) => messageView(await settleMessage(ctx, actorOf(req), req.params.id, req.body)),
  );
}
