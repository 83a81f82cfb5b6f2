import type { FastifyInstance } from "fastify";
import { allocatePort, registerPort } from "../../../app/registry/ports.js";
import { actorOf } from "../auth.js";
import {
  allocationSchema,
  categoryString,
  errorResponses,
  idParams,
  idString,
  portSchema,
} from "../schemas.js";
import { allocationView, portView } from "../views.js";
import type { RouteDeps } from "./deps.js";

const tags = ["ports"];

const portBody = {
  type: "object",
  additionalProperties: false,
  required: ["providerId", "number"],
  properties: {
    providerId: idString,
    number: { type: "string", minLength: 1, maxLength: 32, description: "e.g. 1069012345" },
    categories: { type: "array", minItems: 1, maxItems: 32, items: categoryString },
  },
} as const;

const allocationBody = {
  type: "object",
  additionalProperties: false,
  required: ["enterpriseId", "signatureIds"],
  properties: {
    enterpriseId: idString,
    signatureIds: { type: "array", maxItems: 100, items: idString },
    extension: { type: "string", maxLength: 12, description: "digits appended to the port number" },
  },
} as const;

/** Sending ports (端口号) and their allocations to enterprises. */
export function portRoutes(app: FastifyInstance, { services }: RouteDeps): void {
  const { ctx } = services;

  app.post<{ Body: { providerId: string; number: string; categories?: string[] } }>(
    "/v1/ports",
    {
      schema: {
        tags,
        summary: "Register a sending port (admin, or the provider itself)",
        body: portBody,
        response: { 201: portSchema, ...errorResponses },
      },
    },
    async (req, reply) => reply.status(201).send(portView(await registerPort(ctx, actorOf(req), req.body))),
  );

  app.post<{
    Params: { id: string };
    Body: { enterpriseId: string; signatureIds: string[]; extension?: string };
  }>(
    "/v1/ports/:id/allocations",
    {
      schema: {
        tags,
        summary:
          "Allocate a port (plus extension) to an enterprise and bind signatures (admin or the port's provider)",
        params: idParams,
        body: allocationBody,
        response: { 201: allocationSchema, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.status(201).send(allocationView(await allocatePort(ctx, actorOf(req), req.params.id, req.body))),
  );
}
