import type { FastifyInstance } from "fastify";
import type { InboundInput } from "../../../app/inbound/handle-inbound.js";
import { handleReply } from "../../../app/inbound/receive-reply.js";
import { actorOf } from "../auth.js";
import { errorResponses, phoneString, timeSchema } from "../schemas.js";
import type { RouteDeps } from "./deps.js";

const inboundBody = {
  type: "object",
  additionalProperties: false,
  required: ["from", "to", "text"],
  properties: {
    from: { ...phoneString, description: "the recipient who replied" },
    to: {
      type: "string",
      minLength: 1,
      maxLength: 32,
      description: "the port number (plus extension) replied to",
    },
    text: { type: "string", maxLength: 2000 },
    at: { ...timeSchema, description: "acting time; only with ANNING_TEST_CLOCK=1" },
  },
} as const;

const strings = { type: "array", items: { type: "string" } } as const;

const inboundSchema = {
  type: "object",
  properties: {
    action: { type: "string", enum: ["opt_out", "opt_in_confirmed", "nothing"] },
    keyword: { type: "string" },
    enterpriseIds: strings,
    withdrawn: { type: "integer" },
    confirmed: { type: "integer" },
    confirmationId: { type: ["string", "null"] },
    forwardedTo: {
      ...strings,
      description: "the enterprises the reply was forwarded to (SMPP binds, webhooks)",
    },
  },
  required: ["action"],
} as const;

/**
 * Replies (MO) from recipients: opt-out keywords and double opt-in confirmations take effect, then the reply
 * is forwarded to the enterprises it is aimed at, as one from a carrier is.
 */
export function inboundRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;
  app.post<{ Body: InboundInput }>(
    "/v1/inbound",
    {
      schema: {
        tags: ["inbound"],
        summary: "Handle a reply to a port (admin, or the port's provider)",
        body: inboundBody,
        response: { 200: inboundSchema, ...errorResponses },
      },
    },
    async (req) => handleReply(ctx, actorOf(req), req.body),
  );
}
