import { join } from "node:path";
import Database from "better-sqlite3";
import type { LightMyRequestResponse } from "fastify";
import pg from "pg";
import { expect } from "vitest";
import type { Caller, Harness, Registered, World } from "../../src/test-support/http-harness.js";
import { schemaFor, TEST_PG_URL, TEST_STORE } from "../../src/test-support/pg-test-db.js";

/** The body of a decision or a message. */
export interface SendBody {
  senderId: string;
  signature: string;
  port: string;
  phone: string;
  text: string;
  category: string;
  at?: string | number;
  idempotencyKey?: string;
}

interface ReasonJson {
  code: string;
  message: string;
}

/** A marketing request from merchant A of the world to `phone`, valid once A has the recipient's consent. */
export function marketingFromA(w: World, phone: string, extra: Partial<SendBody> = {}): SendBody {
  return {
    senderId: w.A.id,
    signature: w.sigA,
    port: w.portA,
    phone,
    text: w.textA,
    category: "marketing.retail",
    ...extra,
  };
}

/** Reason codes of a decision or refusal body, in the order given. */
export function codesOf(r: LightMyRequestResponse): string[] {
  const body = r.json<{ reasons?: ReasonJson[] }>();
  return (body.reasons ?? []).map((x) => x.code);
}

/** `POST /v1/decisions`; fails the test on a status other than 200. */
export async function decide(
  caller: Caller,
  body: SendBody,
): Promise<{ allowed: boolean; codes: string[]; reasons: ReasonJson[] }> {
  const { idempotencyKey: _ignored, ...rest } = body;
  const r = await caller("POST", "/v1/decisions", rest);
  expect(r.statusCode, r.body).toBe(200);
  const json = r.json<{ allowed: boolean; reasons: ReasonJson[] }>();
  return { allowed: json.allowed, codes: json.reasons.map((x) => x.code), reasons: json.reasons };
}

/** `POST /v1/messages`; returns status code, id and codes. */
export async function submit(
  caller: Caller,
  body: SendBody,
): Promise<{
  statusCode: number;
  id: string;
  status: string;
  codes: string[];
  response: LightMyRequestResponse;
}> {
  const r = await caller("POST", "/v1/messages", body);
  const json = r.json<{ id?: string; status?: string }>();
  return {
    statusCode: r.statusCode,
    id: json.id ?? "",
    status: json.status ?? "",
    codes: codesOf(r),
    response: r,
  };
}

/** Submits a message that must be accepted (202); returns its id. */
export async function sendAccepted(caller: Caller, body: SendBody): Promise<string> {
  const r = await submit(caller, body);
  expect(r.statusCode, r.response.body).toBe(202);
  expect(r.status).toBe("accepted");
  return r.id;
}

/**
 * The full refusal path for one request: the dry run refuses with `code` first, the submission answers
 * 422 with `code` first in `reasons`, and the recorded message is `refused` with that reason. Returns the
 * decision's codes.
 */
export async function expectRefused(
  h: Harness,
  caller: Caller,
  body: SendBody,
  code: string,
): Promise<string[]> {
  const d = await decide(caller, body);
  expect(d.allowed, `decision for ${code}`).toBe(false);
  expect(d.codes[0], `decision codes ${d.codes.join(",")}`).toBe(code);
  for (const r of d.reasons) expect(r.message.length).toBeGreaterThan(0);

  const m = await submit(caller, body);
  expect(m.statusCode, m.response.body).toBe(422);
  expect(m.status).toBe("refused");
  expect(m.codes[0], `submission codes ${m.codes.join(",")}`).toBe(code);
  expect(m.id).toMatch(/\S/);

  const g = await h.admin("GET", `/v1/messages/${m.id}`);
  expect(g.statusCode, g.body).toBe(200);
  const stored = g.json<{ status: string; reasons: ReasonJson[]; phone: string }>();
  expect(stored.status).toBe("refused");
  expect(stored.reasons[0]?.code).toBe(code);
  return d.codes;
}

/** The dry run allows the request (nothing recorded). */
export async function expectAllowed(caller: Caller, body: SendBody): Promise<void> {
  const d = await decide(caller, body);
  expect(d.codes, "expected no reasons").toEqual([]);
  expect(d.allowed).toBe(true);
}

/** A further merchant of platform P with its own active signature on its own extension of the world's port. */
export interface ExtraSender {
  ent: Registered;
  sig: string;
  port: string;
  text: string;
  body(phone: string, extra?: Partial<SendBody>): SendBody;
}

const SENDER_NAMES = ["甲号店", "乙号店", "丙号店", "丁号店", "戊号店", "己号店", "庚号店", "辛号店"];

/** Registers merchant number `i` (0–7) with signature, allocation (extension 7i) and, optionally, consent of `phones`. */
export async function extraSender(
  h: Harness,
  w: World,
  i: number,
  consentOf: string[] = [],
): Promise<ExtraSender> {
  const name = SENDER_NAMES[i];
  if (name === undefined) throw new Error("extraSender: i must be 0–7");
  const ent = await h.registerMerchant(w.P.id);
  const sig = await h.activeSignature(ent.id, name, ["marketing.retail", "notification"]);
  const extension = `7${i}`;
  await h.allocate(w.portId, ent.id, [sig], extension);
  for (const p of consentOf) await h.grant(p, ent.id, "marketing.retail");
  const port = `1069012345${extension}`;
  const text = `【${name}】会员日特惠，回TD退订`;
  return {
    ent,
    sig,
    port,
    text,
    body: (phone, extra = {}) => ({
      senderId: ent.id,
      signature: sig,
      port,
      phone,
      text,
      category: "marketing.retail",
      ...extra,
    }),
  };
}

/**
 * Runs a read-only query (with `?` placeholders) on the store under test, behind the API's back (to
 * count rows the API does not list): the harness's SQLite file, or its PostgreSQL schema.
 */
export async function storeGet<T>(dataDir: string, sql: string, ...params: unknown[]): Promise<T> {
  if (TEST_STORE === "postgres") {
    let n = 0;
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    try {
      await c.query(`SET search_path TO ${schemaFor(dataDir)}`);
      const r = await c.query(
        sql.replace(/\?/g, () => `$${++n}`),
        params,
      );
      // count(*) is int8, which pg returns as a string; anning's own pool reads it as a number too
      const row = { ...r.rows[0] };
      for (const f of r.fields) if (f.dataTypeID === 20) row[f.name] = Number(row[f.name]);
      return row as T;
    } finally {
      await c.end();
    }
  }
  const db = new Database(join(dataDir, "anning.db"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
}

/** Consents of a phone as the admin sees them now (or at `at`). */
export async function consentsOf(
  h: Harness,
  phone: string,
  at?: string | number,
): Promise<
  Array<{
    id: string | null;
    enterpriseId: string;
    category: string;
    status: string;
    method: string | null;
    weakEvidence: boolean;
  }>
> {
  const r = await h.admin("POST", "/v1/consents/query", at === undefined ? { phone } : { phone, at });
  expect(r.statusCode, r.body).toBe(200);
  return r.json<{
    consents: Array<{
      id: string | null;
      enterpriseId: string;
      category: string;
      status: string;
      method: string | null;
      weakEvidence: boolean;
    }>;
  }>().consents;
}

/** Status of one (enterprise, category) consent of a phone, or undefined. */
export async function consentStatus(
  h: Harness,
  phone: string,
  enterpriseId: string,
  category = "marketing.retail",
  at?: number,
) {
  const all = await consentsOf(h, phone, at);
  return all.find((c) => c.enterpriseId === enterpriseId && c.category === category)?.status;
}

/** Shanghai wall-clock time as epoch milliseconds: `shanghai("2025-06-10T21:00")`. */
export function shanghai(local: string): number {
  const t = Date.parse(`${local}:00+08:00`);
  if (!Number.isFinite(t)) throw new Error(`bad time ${local}`);
  return t;
}
