import type { MultipartFile, MultipartValue } from "@fastify/multipart";
import { parse } from "csv-parse/sync";
import type { FastifyRequest } from "fastify";
import type { CreateCampaignInput } from "../../app/campaigns/create-campaign.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import { HttpError } from "./errors.js";

/** Fields of a CSV or multipart campaign, given as query parameters or form fields. */
export const CAMPAIGN_FIELDS = [
  "senderId",
  "signature",
  "port",
  "text",
  "category",
  "scheduledAt",
  "at",
] as const;
const REQUIRED = ["senderId", "signature", "port", "text", "category"] as const;

export type CampaignFields = Partial<Record<(typeof CAMPAIGN_FIELDS)[number], string>>;

const isField = (name: string): name is (typeof CAMPAIGN_FIELDS)[number] =>
  (CAMPAIGN_FIELDS as readonly string[]).includes(name);

/** A time given as text: epoch milliseconds when all digits, ISO 8601 otherwise. */
function timeOf(v: string | undefined): string | number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

/**
 * The recipients of a CSV document: the `phone` column (case-insensitive header) of every row, rows with
 * an empty cell skipped. A missing column or a malformed document is VALIDATION_FAILED.
 */
export function phonesFromCsv(csv: string | Buffer): string[] {
  let rows: string[][];
  try {
    rows = parse(csv, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    }) as string[][];
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new DomainError(
      "VALIDATION_FAILED",
      `the CSV document is not valid (${typeof code === "string" ? code : "parse error"})`,
      {
        field: "csv",
      },
    );
  }
  const header = rows[0];
  const col = header ? header.findIndex((h) => h.trim().toLowerCase() === "phone") : -1;
  if (col < 0)
    throw new DomainError("VALIDATION_FAILED", "the CSV document needs a header with a phone column", {
      field: "phone",
    });
  const phones: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const cell = rows[i]?.[col];
    if (cell) phones.push(cell);
  }
  return phones;
}

/** Builds the use case input from text fields (query or form) and the recipients. */
export function campaignInputFromFields(fields: CampaignFields, phones: string[]): CreateCampaignInput {
  for (const name of REQUIRED)
    if (fields[name] === undefined || fields[name] === "")
      throw new HttpError(400, "MISSING_FIELD", `missing field: ${name}`);
  const input: CreateCampaignInput = {
    senderId: fields.senderId as string,
    signature: fields.signature as string,
    port: fields.port as string,
    text: fields.text as string,
    category: fields.category as string,
    phones,
  };
  const scheduledAt = timeOf(fields.scheduledAt);
  if (scheduledAt !== undefined) input.scheduledAt = scheduledAt;
  const at = timeOf(fields.at);
  if (at !== undefined) input.at = at;
  return input;
}

/**
 * Reads a multipart campaign: text fields named like {@link CAMPAIGN_FIELDS} and exactly one file part
 * holding the CSV. Unknown field names are rejected.
 */
export async function readMultipartCampaign(req: FastifyRequest): Promise<CreateCampaignInput> {
  const fields: CampaignFields = {};
  let csv: Buffer | null = null;
  for await (const part of req.parts()) {
    if (part.type === "file") {
      const file = part as MultipartFile;
      if (csv !== null)
        throw new DomainError("VALIDATION_FAILED", "send exactly one CSV file", { field: file.fieldname });
      csv = await file.toBuffer();
    } else {
      const f = part as MultipartValue;
      if (!isField(f.fieldname)) throw new HttpError(400, "UNKNOWN_FIELD", `unknown field: ${f.fieldname}`);
      fields[f.fieldname] = String(f.value);
    }
  }
  if (csv === null) throw new HttpError(400, "MISSING_FIELD", "missing field: file (the CSV of recipients)");
  return campaignInputFromFields(fields, phonesFromCsv(csv));
}
