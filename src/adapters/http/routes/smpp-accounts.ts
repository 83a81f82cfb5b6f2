import type { FastifyInstance } from "fastify";
import {
  type CreateSmppAccountInput,
  createSmppAccount,
  getSmppAccount,
  listSmppAccounts,
  resetSmppPassword,
  type SmppAccountSettings,
  setSmppAccountStatus,
  updateSmppAccount,
} from "../../../app/smpp/accounts.js";
import { actorOf } from "../auth.js";
import { emptyBody, errorResponses, idParams, idString } from "../schemas.js";
import { smppAccountView } from "../views.js";
import type { RouteDeps } from "./deps.js";

const tags = ["smpp"];

const settings = {
  maxBinds: { type: "integer", minimum: 1, maximum: 100, description: "binds open at once (default 4)" },
  tps: { type: "integer", minimum: 1, maximum: 100000, description: "submit_sm per second (default 100)" },
  defaultCategory: {
    type: ["string", "null"],
    minLength: 1,
    maxLength: 64,
    description: "category of a submit_sm naming none; null (default): such a submit_sm is refused",
  },
  allowedIps: {
    type: "array",
    maxItems: 50,
    items: { type: "string", minLength: 1, maxLength: 64 },
    description: "IPv4/IPv6 addresses or CIDR blocks binds may come from; empty (default): anywhere",
  },
} as const;

const createBody = {
  type: "object",
  additionalProperties: false,
  required: ["enterpriseId"],
  properties: { enterpriseId: idString, ...settings },
} as const;

const patchBody = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: settings,
} as const;

/** An account as callers see it: never its password or hash. */
const accountSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    enterpriseId: { type: "string" },
    systemId: { type: "string", description: "the bind's system_id" },
    maxBinds: { type: "integer" },
    tps: { type: "integer" },
    defaultCategory: { type: ["string", "null"] },
    allowedIps: { type: "array", items: { type: "string" } },
    status: { type: "string", enum: ["active", "disabled"] },
    lockedUntil: { type: ["string", "null"], description: "binds refused until then after wrong passwords" },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
  },
  required: ["id", "enterpriseId", "systemId", "maxBinds", "tps", "defaultCategory", "allowedIps", "status"],
} as const;

const password = { type: "string", description: "the bind password, shown only here" } as const;

const createdSchema = {
  ...accountSchema,
  properties: { ...accountSchema.properties, password },
  required: [...accountSchema.required, "password"],
} as const;

const passwordSchema = {
  type: "object",
  properties: { systemId: { type: "string" }, password },
  required: ["systemId", "password"],
} as const;

/** SMPP accounts: the system_id and password an enterprise binds with, and their limits. */
export function smppAccountRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;
  type ById = { Params: { id: string } };

  app.post<{ Body: CreateSmppAccountInput }>(
    "/v1/smpp/accounts",
    {
      schema: {
        tags,
        summary: "Open an SMPP account for an enterprise (admin); the password is shown only here",
        body: createBody,
        response: { 201: createdSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const r = await createSmppAccount(ctx, actorOf(req), req.body);
      return reply.status(201).send({ ...smppAccountView(r.account), password: r.password });
    },
  );

  app.get(
    "/v1/smpp/accounts",
    {
      schema: {
        tags,
        summary: "SMPP accounts the caller may see",
        response: {
          200: { type: "object", properties: { items: { type: "array", items: accountSchema } } },
          ...errorResponses,
        },
      },
    },
    async (req) => ({ items: (await listSmppAccounts(ctx, actorOf(req))).map(smppAccountView) }),
  );

  app.get<ById>(
    "/v1/smpp/accounts/:id",
    {
      schema: {
        tags,
        summary: "One SMPP account",
        params: idParams,
        response: { 200: accountSchema, ...errorResponses },
      },
    },
    async (req) => smppAccountView(await getSmppAccount(ctx, actorOf(req), req.params.id)),
  );

  app.patch<ById & { Body: SmppAccountSettings }>(
    "/v1/smpp/accounts/:id",
    {
      schema: {
        tags,
        summary: "Change an SMPP account's limits, default category or allowed addresses (admin)",
        params: idParams,
        body: patchBody,
        response: { 200: accountSchema, ...errorResponses },
      },
    },
    async (req) => smppAccountView(await updateSmppAccount(ctx, actorOf(req), req.params.id, req.body)),
  );

  app.post<ById>(
    "/v1/smpp/accounts/:id/password",
    {
      schema: {
        tags,
        summary: "Give an SMPP account a new password (admin), shown only here; the old one stops at once",
        params: idParams,
        body: emptyBody,
        response: { 200: passwordSchema, ...errorResponses },
      },
    },
    async (req) => {
      const r = await resetSmppPassword(ctx, actorOf(req), req.params.id);
      return { systemId: r.account.systemId, password: r.password };
    },
  );

  for (const [action, status] of [
    ["disable", "disabled"],
    ["enable", "active"],
  ] as const) {
    app.post<ById>(
      `/v1/smpp/accounts/:id/${action}`,
      {
        schema: {
          tags,
          summary:
            action === "disable"
              ? "Disable an SMPP account (admin): new binds are refused"
              : "Enable an SMPP account (admin), lifting a lock left by wrong passwords",
          params: idParams,
          body: emptyBody,
          response: { 200: accountSchema, ...errorResponses },
        },
      },
      async (req) => smppAccountView(await setSmppAccountStatus(ctx, actorOf(req), req.params.id, status)),
    );
  }
}
