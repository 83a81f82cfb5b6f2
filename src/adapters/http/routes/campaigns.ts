import { Readable } from "node:stream";
import multipart from "@fastify/multipart";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  type CreateCampaignInput,
  createCampaign,
  MAX_CAMPAIGN_RECIPIENTS,
} from "../../../app/campaigns/create-campaign.js";
import { campaignResultsCsv, changeCampaign, getCampaign } from "../../../app/campaigns/manage-campaign.js";
import { actorOf } from "../auth.js";
import {
  CAMPAIGN_FIELDS,
  campaignInputFromFields,
  phonesFromCsv,
  readMultipartCampaign,
} from "../campaign-input.js";
import { HttpError } from "../errors.js";
import {
  campaignSchema,
  categoryString,
  emptyBody,
  errorResponses,
  idParams,
  idString,
  timeSchema,
} from "../schemas.js";
import type { RouteDeps } from "./deps.js";

const tags = ["campaigns"];

/** Room for a million recipients in one JSON or CSV body. */
export const CAMPAIGN_BODY_LIMIT = 64 * 1024 * 1024;

const fieldProperties = {
  senderId: idString,
  signature: { type: "string", minLength: 1, maxLength: 64 },
  port: { type: "string", minLength: 1, maxLength: 64 },
  text: { type: "string", minLength: 1, maxLength: 2000 },
  category: categoryString,
} as const;

const jsonBody = {
  type: "object",
  additionalProperties: false,
  required: ["senderId", "signature", "port", "text", "category", "phones"],
  properties: {
    ...fieldProperties,
    phones: {
      type: "array",
      minItems: 1,
      maxItems: MAX_CAMPAIGN_RECIPIENTS,
      items: { type: "string", maxLength: 64 },
    },
    scheduledAt: timeSchema,
    at: { ...timeSchema, description: "acting time; only with ANNING_TEST_CLOCK=1" },
  },
} as const;

const textFields = Object.fromEntries(CAMPAIGN_FIELDS.map((f) => [f, { type: "string", maxLength: 2000 }]));

/** Documents the multipart form (read as a stream by the handler, which checks every part's name). */
const multipartDoc = {
  type: "object",
  additionalProperties: false,
  properties: { ...textFields, file: { type: "string", description: "CSV file with a phone column" } },
} as const;

const csvQuery = {
  type: "object",
  additionalProperties: false,
  description: "for text/csv bodies: the campaign's fields",
  properties: textFields,
} as const;

function mediaType(req: FastifyRequest): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Campaigns: create (JSON, CSV or multipart), follow, pause / resume / cancel, and results as CSV. */
export async function campaignRoutes(app: FastifyInstance, { services }: RouteDeps): Promise<void> {
  const { ctx, runner } = services;
  app.addContentTypeParser(
    "text/csv",
    { parseAs: "string", bodyLimit: CAMPAIGN_BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );
  await app.register(multipart, {
    limits: { fileSize: CAMPAIGN_BODY_LIMIT, files: 1, fields: 20, fieldSize: 4096 },
  });

  app.post<{ Body: unknown; Querystring: Record<string, string> }>(
    "/v1/campaigns",
    {
      bodyLimit: CAMPAIGN_BODY_LIMIT,
      preValidation: (req, _reply, done) => {
        // The multipart stream is read by the handler; the body schema sees an empty form.
        if (req.isMultipart() || req.body === undefined) req.body = {};
        done();
      },
      schema: {
        tags,
        summary: "Create a campaign from JSON, a CSV body (fields as query parameters) or a multipart form",
        querystring: csvQuery,
        body: {
          content: {
            "application/json": { schema: jsonBody },
            "text/csv": {
              schema: { type: "string", description: "CSV with a header holding a phone column" },
            },
            "multipart/form-data": { schema: multipartDoc },
          },
        },
        response: { 202: campaignSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const type = mediaType(req);
      let input: CreateCampaignInput;
      if (type === "text/csv") {
        input = campaignInputFromFields(req.query, phonesFromCsv(req.body as string));
      } else {
        if (Object.keys(req.query).length > 0) {
          const name = Object.keys(req.query)[0] ?? "";
          throw new HttpError(
            400,
            "UNKNOWN_FIELD",
            `unknown field: querystring: ${name} (query fields are for text/csv)`,
          );
        }
        if (type === "multipart/form-data") input = await readMultipartCampaign(req);
        else if (type === "application/json") input = req.body as CreateCampaignInput;
        else
          throw new HttpError(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "send application/json, text/csv or multipart/form-data",
          );
      }
      return reply.status(202).send(await createCampaign(ctx, runner, actorOf(req), input));
    },
  );

  app.get<{ Params: { id: string } }>(
    "/v1/campaigns/:id",
    {
      schema: {
        tags,
        summary: "A campaign's status and counts",
        params: idParams,
        response: { 200: campaignSchema, ...errorResponses },
      },
    },
    async (req) => getCampaign(ctx, actorOf(req), req.params.id),
  );

  for (const action of ["pause", "resume", "cancel"] as const) {
    app.post<{ Params: { id: string } }>(
      `/v1/campaigns/:id/${action}`,
      {
        schema: {
          tags,
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a campaign`,
          params: idParams,
          body: emptyBody,
          response: { 200: campaignSchema, ...errorResponses },
        },
      },
      async (req) => changeCampaign(ctx, runner, actorOf(req), req.params.id, action),
    );
  }

  app.get<{ Params: { id: string } }>(
    "/v1/campaigns/:id/results.csv",
    {
      schema: {
        tags,
        summary: "One row per recipient decided so far: masked phone, message id, status, reason codes",
        params: idParams,
        response: {
          200: { description: "CSV", content: { "text/csv": { schema: { type: "string" } } } },
          ...errorResponses,
        },
      },
    },
    async (req, reply) => {
      const rows = campaignResultsCsv(ctx, actorOf(req), req.params.id);
      const first = await rows.next(); // checks visibility before any byte is sent
      async function* all(): AsyncGenerator<string> {
        if (!first.done) yield first.value;
        yield* rows;
      }
      return reply
        .type("text/csv; charset=utf-8")
        .header(
          "content-disposition",
          `attachment; filename="${req.params.id.replace(/[^\w-]/g, "_")}-results.csv"`,
        )
        .send(Readable.from(all()));
    },
  );
}
