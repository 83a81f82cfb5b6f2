import type { FastifyInstance } from "fastify";
import {
  authorizeSignature,
  changeSignatureStatus,
  getSignature,
  registerSignature,
  revokeAuthorization,
  type SignatureAction,
} from "../../../app/registry/signatures.js";
import { actorOf } from "../auth.js";
import {
  authorizationSchema,
  categoryString,
  emptyBody,
  errorResponses,
  idParams,
  idString,
  reasonField,
  signatureSchema,
  timeSchema,
} from "../schemas.js";
import { authorizationView, signatureView } from "../views.js";
import type { RouteDeps } from "./deps.js";

const tags = ["signatures"];

const registerBody = {
  type: "object",
  additionalProperties: false,
  required: ["ownerId", "text", "scope"],
  properties: {
    ownerId: idString,
    text: { type: "string", minLength: 1, maxLength: 40, description: "好物商城 or 【好物商城】" },
    scope: { type: "array", minItems: 1, maxItems: 32, items: categoryString },
  },
} as const;

const reasonBody = (required: boolean) =>
  ({
    type: "object",
    additionalProperties: false,
    required: required ? ["reason"] : [],
    properties: { reason: reasonField },
  }) as const;

const authorizeBody = {
  type: "object",
  additionalProperties: false,
  required: ["enterpriseId", "validFrom", "validTo"],
  properties: { enterpriseId: idString, validFrom: timeSchema, validTo: timeSchema },
} as const;

const ACTIONS: readonly SignatureAction[] = ["activate", "suspend", "restore", "revoke"];

/** Signatures (签名), their life cycle and their authorizations to other enterprises. */
export function signatureRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;

  app.post<{ Body: { ownerId: string; text: string; scope: string[] } }>(
    "/v1/signatures",
    {
      schema: {
        tags,
        summary: "Register a signature (pending until the admin activates it)",
        body: registerBody,
        response: { 201: signatureSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(signatureView(await registerSignature(ctx, actorOf(req), req.body))),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/signatures/:id",
    {
      schema: {
        tags,
        summary: "One signature",
        params: idParams,
        response: { 200: signatureSchema, ...errorResponses },
      },
    },
    async (req) => signatureView(getSignature(ctx, actorOf(req), req.params.id)),
  );

  for (const action of ACTIONS) {
    const optional = action === "activate";
    app.post<{ Params: { id: string }; Body: { reason?: string } }>(
      `/v1/signatures/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a signature (admin)`,
          params: idParams,
          body: reasonBody(!optional),
          response: { 200: signatureSchema, ...errorResponses },
        },
      },
      async (req) =>
        signatureView(
          await changeSignatureStatus(ctx, actorOf(req), req.params.id, action, req.body.reason ?? null),
        ),
    );
  }

  app.post<{
    Params: { id: string };
    Body: { enterpriseId: string; validFrom: string | number; validTo: string | number };
  }>(
    "/v1/signatures/:id/authorizations",
    {
      schema: {
        tags,
        summary:
          "Authorize another enterprise to use a signature within [validFrom, validTo) (owner or admin)",
        params: idParams,
        body: authorizeBody,
        response: { 201: authorizationSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(authorizationView(await authorizeSignature(ctx, actorOf(req), req.params.id, req.body))),
  );

  app.post<{ Params: { id: string } }>(
    "/v1/authorizations/:id/revoke",
    {
      schema: {
        tags,
        summary: "Revoke an authorization at once (owner or admin)",
        params: idParams,
        body: emptyBody,
        response: { 200: authorizationSchema, ...errorResponses },
      },
    },
    async (req) => authorizationView(await revokeAuthorization(ctx, actorOf(req), req.params.id)),
  );
}
