import type { FastifyInstance } from "fastify";
import {
  getEnterprise,
  issueKey,
  listEnterprises,
  type RegisterEnterpriseInput,
  registerEnterprise,
  revokeKey,
  setEnterpriseStatus,
} from "../../../app/registry/enterprises.js";
import { actorOf } from "../auth.js";
import { emptyBody, enterpriseSchema, errorResponses, idParams, idString, reasonField } from "../schemas.js";
import { enterpriseView } from "../views.js";
import type { RouteDeps } from "./deps.js";

const tags = ["enterprises"];

const registerBody = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "name", "creditCode"],
  properties: {
    kind: { type: "string", enum: ["platform", "merchant", "provider"] },
    name: { type: "string", minLength: 1, maxLength: 100 },
    creditCode: {
      type: "string",
      minLength: 1,
      maxLength: 40,
      description: "统一社会信用代码, 18 characters",
    },
    parentId: { ...idString, description: "the platform of a merchant" },
  },
} as const;

const reasonBody = {
  type: "object",
  additionalProperties: false,
  required: ["reason"],
  properties: { reason: reasonField },
} as const;

const keyParams = {
  type: "object",
  additionalProperties: false,
  required: ["id", "keyId"],
  properties: { id: idString, keyId: idString },
} as const;

const keySchema = {
  type: "object",
  properties: { keyId: { type: "string" }, apiKey: { type: "string", description: "shown once" } },
  required: ["keyId", "apiKey"],
} as const;

/** Enterprises (platforms, merchants, providers) and their API keys. */
export function enterpriseRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;

  app.post<{ Body: RegisterEnterpriseInput }>(
    "/v1/enterprises",
    {
      schema: {
        tags,
        summary: "Register an enterprise (admin; a platform may register its own merchants)",
        body: registerBody,
        response: {
          201: {
            ...enterpriseSchema,
            properties: { ...enterpriseSchema.properties, ...keySchema.properties },
            required: [...enterpriseSchema.required, "apiKey", "keyId"],
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const r = await registerEnterprise(ctx, actorOf(req), req.body);
      return reply.status(201).send({ ...enterpriseView(r.enterprise), apiKey: r.apiKey, keyId: r.keyId });
    },
  );

  app.get(
    "/v1/enterprises",
    {
      schema: {
        tags,
        summary: "Enterprises the caller may see",
        response: {
          200: { type: "object", properties: { items: { type: "array", items: enterpriseSchema } } },
          ...errorResponses,
        },
      },
    },
    async (req) => ({ items: listEnterprises(ctx, actorOf(req)).map(enterpriseView) }),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/enterprises/:id",
    {
      schema: {
        tags,
        summary: "One enterprise",
        params: idParams,
        response: { 200: enterpriseSchema, ...errorResponses },
      },
    },
    async (req) => enterpriseView(getEnterprise(ctx, actorOf(req), req.params.id)),
  );

  for (const [action, status] of [
    ["suspend", "suspended"],
    ["restore", "active"],
  ] as const) {
    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      `/v1/enterprises/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action === "suspend" ? "Suspend" : "Restore"} an enterprise (admin)`,
          params: idParams,
          body: reasonBody,
          response: { 200: enterpriseSchema, ...errorResponses },
        },
      },
      async (req) =>
        enterpriseView(await setEnterpriseStatus(ctx, actorOf(req), req.params.id, status, req.body.reason)),
    );
  }

  app.post<{ Params: { id: string } }>(
    "/v1/enterprises/:id/keys",
    {
      schema: {
        tags,
        summary: "Issue another API key (rotation)",
        params: idParams,
        body: emptyBody,
        response: { 201: keySchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(await issueKey(ctx, actorOf(req), req.params.id)),
  );

  app.delete<{ Params: { id: string; keyId: string } }>(
    "/v1/enterprises/:id/keys/:keyId",
    {
      schema: {
        tags,
        summary: "Revoke an API key at once",
        params: keyParams,
        response: { 204: { type: "null", description: "revoked" }, ...errorResponses },
      },
    },
    async (req, reply) => {
      await revokeKey(ctx, actorOf(req), req.params.id, req.params.keyId);
      return reply.status(204).send();
    },
  );
}
