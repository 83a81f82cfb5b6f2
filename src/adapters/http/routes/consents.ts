import type { FastifyInstance } from "fastify";
import { changeDnd } from "../../../app/consent/dnd.js";
import { queryConsents } from "../../../app/consent/query-consents.js";
import { type RecordConsentInput, recordConsent } from "../../../app/consent/record-consent.js";
import { listSuppressions } from "../../../app/consent/suppressions.js";
import { type WithdrawInput, withdrawConsent } from "../../../app/consent/withdraw-consent.js";
import { maskPhone } from "../../../domain/phone/phone.js";
import { actorOf } from "../auth.js";
import {
  categoryString,
  errorResponses,
  idString,
  phoneString,
  shortString,
  timeSchema,
} from "../schemas.js";
import type { RouteDeps } from "./deps.js";

const tags = ["consents"];

const recordBody = {
  type: "object",
  additionalProperties: false,
  required: ["phone", "enterpriseId", "category", "method", "capturedAt", "source", "noticeText"],
  properties: {
    phone: phoneString,
    enterpriseId: idString,
    category: categoryString,
    method: {
      type: "string",
      minLength: 1,
      maxLength: 64,
      description: "web_form_unticked_box, sms_double_opt_in, …",
    },
    capturedAt: timeSchema,
    source: shortString,
    noticeText: { type: "string", minLength: 1, maxLength: 5000, description: "the exact notice shown" },
    expiresAt: timeSchema,
  },
} as const;

const withdrawBody = {
  type: "object",
  additionalProperties: false,
  required: ["phone", "channel"],
  properties: { phone: phoneString, enterpriseId: idString, category: categoryString, channel: shortString },
} as const;

const queryBody = {
  type: "object",
  additionalProperties: false,
  required: ["phone"],
  properties: {
    phone: phoneString,
    at: { ...timeSchema, description: "audit time (server recording time)" },
  },
} as const;

const dndBody = {
  type: "object",
  additionalProperties: false,
  required: ["phone", "scope"],
  properties: {
    phone: phoneString,
    scope: { ...categoryString, description: '"all" or a marketing category' },
  },
} as const;

const suppressionsQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    cursor: { type: "string", pattern: "^\\d{1,15}$" },
    limit: { type: "string", pattern: "^\\d{1,6}$", description: "1–10000, default 1000" },
  },
} as const;

const nullableString = { type: ["string", "null"] } as const;

const consentViewSchema = {
  type: "object",
  properties: {
    phone: { type: "string", description: "masked" },
    at: nullableString,
    dnd: { type: "array", items: { type: "string" } },
    consents: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: nullableString,
          enterpriseId: { type: "string" },
          category: { type: "string" },
          status: { type: "string" },
          method: nullableString,
          weakEvidence: { type: "boolean" },
          capturedAt: nullableString,
          expiresAt: nullableString,
          updatedAt: nullableString,
          history: { type: "array", items: { type: "object", additionalProperties: true } },
        },
      },
    },
  },
} as const;

const suppressionsSchema = {
  type: "object",
  properties: {
    items: {
      type: "array",
      items: {
        type: "object",
        properties: {
          cursor: { type: "string" },
          type: { type: "string", enum: ["withdrawn", "dnd", "dnd_removed"] },
          phone: nullableString,
          phoneMasked: nullableString,
          enterpriseId: nullableString,
          category: { type: "string" },
          channel: nullableString,
          at: { type: "string" },
        },
      },
    },
    nextCursor: { type: "string" },
  },
} as const;

const dndSchema = {
  type: "object",
  properties: {
    phone: { type: "string", description: "masked" },
    scope: { type: "string" },
    dnd: { type: "boolean" },
  },
} as const;

/** Consent records, withdrawals, audits, do-not-disturb and the suppression feed. */
export function consentRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;

  app.post<{ Body: RecordConsentInput }>(
    "/v1/consents",
    {
      schema: {
        tags,
        summary: "Record a consent (granted at once, or pending for sms_double_opt_in)",
        body: recordBody,
        response: {
          201: {
            type: "object",
            properties: { id: { type: "string" }, status: { type: "string", enum: ["granted", "pending"] } },
          },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => reply.status(201).send(await recordConsent(ctx, actorOf(req), req.body)),
  );

  app.post<{ Body: WithdrawInput }>(
    "/v1/consents/withdraw",
    {
      schema: {
        tags,
        summary: "Withdraw consent at once",
        body: withdrawBody,
        response: {
          200: {
            type: "object",
            properties: {
              withdrawn: { type: "integer" },
              enterpriseIds: { type: "array", items: { type: "string" } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => withdrawConsent(ctx, actorOf(req), req.body),
  );

  app.post<{ Body: { phone: string; at?: string | number } }>(
    "/v1/consents/query",
    {
      schema: {
        tags,
        summary: "A recipient's consents with their history, now or as of a past time",
        body: queryBody,
        response: { 200: consentViewSchema, ...errorResponses },
      },
    },
    async (req) => queryConsents(ctx, actorOf(req), req.body),
  );

  for (const [path, set] of [
    ["/v1/dnd", true],
    ["/v1/dnd/remove", false],
  ] as const) {
    app.post<{ Body: { phone: string; scope: string } }>(
      path,
      {
        schema: {
          tags,
          summary: `${set ? "Set" : "Lift"} do-not-disturb for a recipient (admin)`,
          body: dndBody,
          response: { 200: dndSchema, ...errorResponses },
        },
      },
      async (req) => {
        const r = await changeDnd(ctx, actorOf(req), req.body, set);
        return { ...r, phone: maskPhone(req.body.phone) };
      },
    );
  }

  app.get<{ Querystring: { cursor?: string; limit?: string } }>(
    "/v1/suppressions",
    {
      schema: {
        tags,
        summary: "Withdrawn and DND recipients since a cursor (CRM sync)",
        querystring: suppressionsQuery,
        response: { 200: suppressionsSchema, ...errorResponses },
      },
    },
    async (req) =>
      listSuppressions(ctx, actorOf(req), {
        ...(req.query.cursor !== undefined ? { cursor: req.query.cursor } : {}),
        ...(req.query.limit !== undefined ? { limit: Number(req.query.limit) } : {}),
      }),
  );
}
