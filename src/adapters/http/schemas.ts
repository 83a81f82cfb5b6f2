/**
 * JSON Schemas shared by the routes. Plain objects: fastify validates bodies with them (unknown fields are
 * rejected, never stripped), serializes replies with them and @fastify/swagger publishes them.
 */

/** The error envelope. */
export const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: { code: { type: "string" }, message: { type: "string" }, requestId: { type: "string" } },
      required: ["code", "message", "requestId"],
    },
  },
  required: ["error"],
} as const;

/** Error answers every route may give. */
export const errorResponses = { "4xx": errorSchema, "5xx": errorSchema } as const;

/** An ISO 8601 time or epoch milliseconds. */
export const timeSchema = {
  anyOf: [
    { type: "string", minLength: 1, maxLength: 40 },
    { type: "number", minimum: 0 },
  ],
  description: "ISO 8601 time (e.g. 2025-06-10T10:00:00+08:00) or epoch milliseconds",
} as const;

export const idString = { type: "string", minLength: 1, maxLength: 64 } as const;
export const shortString = { type: "string", minLength: 1, maxLength: 200 } as const;
export const phoneString = {
  type: "string",
  minLength: 1,
  maxLength: 64,
  description: "mobile number",
} as const;
export const categoryString = { type: "string", minLength: 1, maxLength: 64 } as const;
export const reasonField = { type: "string", minLength: 1, maxLength: 500 } as const;

/** Path parameters `{id}`. */
export const idParams = {
  type: "object",
  properties: { id: idString },
  required: ["id"],
  additionalProperties: false,
} as const;

/** A body that must be empty (or absent, or `{}`). */
export const emptyBody = { type: "object", properties: {}, additionalProperties: false } as const;

const isoOrNull = { type: ["string", "null"] } as const;

export const enterpriseSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    kind: { type: "string", enum: ["platform", "merchant", "provider"] },
    name: { type: "string" },
    creditCode: { type: "string" },
    parentId: { type: ["string", "null"] },
    status: { type: "string", enum: ["active", "suspended"] },
    statusReason: { type: ["string", "null"] },
    createdAt: { type: "string" },
  },
  required: ["id", "kind", "name", "creditCode", "parentId", "status"],
} as const;

export const signatureSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    ownerId: { type: "string" },
    text: { type: "string" },
    scope: { type: "array", items: { type: "string" } },
    status: { type: "string", enum: ["pending", "active", "suspended", "revoked"] },
    statusReason: { type: ["string", "null"] },
    createdAt: { type: "string" },
  },
  required: ["id", "ownerId", "text", "scope", "status"],
} as const;

export const authorizationSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    signatureId: { type: "string" },
    enterpriseId: { type: "string" },
    validFrom: { type: "string" },
    validTo: { type: "string" },
    revokedAt: isoOrNull,
    createdAt: { type: "string" },
  },
  required: ["id", "signatureId", "enterpriseId", "validFrom", "validTo", "revokedAt"],
} as const;

export const portSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    providerId: { type: "string" },
    number: { type: "string" },
    categories: { type: "array", items: { type: "string" } },
    createdAt: { type: "string" },
  },
  required: ["id", "providerId", "number", "categories"],
} as const;

export const allocationSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    portId: { type: "string" },
    enterpriseId: { type: "string" },
    extension: { type: "string" },
    signatureIds: { type: "array", items: { type: "string" } },
    createdAt: { type: "string" },
  },
  required: ["id", "portId", "enterpriseId", "extension", "signatureIds"],
} as const;

export const reasonSchema = {
  type: "object",
  properties: { code: { type: "string" }, message: { type: "string" } },
  required: ["code", "message"],
} as const;

export const reasonsSchema = { type: "array", items: reasonSchema } as const;

export const campaignSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    status: { type: "string", enum: ["scheduled", "running", "paused", "cancelled", "completed"] },
    senderId: { type: "string" },
    category: { type: "string" },
    total: { type: "integer" },
    decided: { type: "integer" },
    accepted: { type: "integer" },
    refused: { type: "integer" },
    refusedByCode: { type: "object", additionalProperties: { type: "integer" } },
    scheduledAt: isoOrNull,
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
  },
  required: ["id", "status", "total", "accepted", "refusedByCode"],
} as const;

export const messageSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    status: { type: "string" },
    senderId: { type: "string" },
    signature: { type: "string" },
    signatureId: { type: ["string", "null"] },
    port: { type: "string" },
    phone: { type: "string", description: "masked, e.g. 138****5678" },
    category: { type: "string" },
    text: { type: "string" },
    parts: { type: "integer" },
    campaignId: { type: ["string", "null"] },
    idempotencyKey: { type: ["string", "null"] },
    reasons: reasonsSchema,
    upstreamId: { type: ["string", "null"] },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
    history: {
      type: "array",
      items: {
        type: "object",
        properties: { status: { type: "string" }, at: { type: "string" }, reasons: reasonsSchema },
        additionalProperties: true,
      },
    },
  },
  required: ["id", "status"],
} as const;

/** An open object: serialized as is (documents whose shape the use case owns). */
export const openObject = { type: "object", additionalProperties: true } as const;
