import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { type Logger as PinoLogger, pino } from "pino";
import { buildHttpServer } from "../adapters/http/server.js";
import { logError } from "../adapters/system/logger.js";
import { ManualClock } from "../adapters/system/system-clock.js";
import { loadConfig } from "../config.js";
import { creditCodeCheckChar } from "../domain/enterprises/credit-code.js";
import { buildServices, type Services } from "../services.js";
import { dropTestStore, testStoreEnv } from "./pg-test-db.js";

export const ADMIN_TOKEN = "test-admin-token-0123456789";

/** 2025-06-10 10:00 in Shanghai: inside marketing hours. */
export const SHANGHAI_10AM = Date.parse("2025-06-10T10:00:00+08:00");

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

/** Sends one request; `body` objects go as JSON. */
export type Caller = (method: HttpMethod, url: string, body?: unknown) => Promise<LightMyRequestResponse>;

/** An enterprise as registered through the API, with its first key. */
export interface Registered {
  id: string;
  apiKey: string;
  keyId: string;
  kind: string;
  parentId: string | null;
}

/** What {@link Harness.world} registers. */
export interface World {
  P: Registered;
  A: Registered;
  B: Registered;
  Q: Registered;
  C: Registered;
  V: Registered;
  /** A's signature 好物商城 (marketing.retail, notification) and B's 优选超市 (marketing.retail). */
  sigA: string;
  sigB: string;
  portId: string;
  /** Sending numbers: the port plus A's extension 01, B's 02. */
  portA: string;
  portB: string;
  textA: string;
  textB: string;
}

/** A distinct, valid Chinese mobile number for each `n`. */
export function phoneNo(n: number): string {
  return `139${String(n).padStart(8, "0")}`;
}

export interface Harness {
  app: FastifyInstance;
  services: Services;
  clock: ManualClock;
  dataDir: string;
  /** Calls with the admin token. */
  admin: Caller;
  /** Calls with an enterprise API key (or any token). */
  as: (apiKey: string) => Caller;
  /** Calls without a token. */
  anon: Caller;
  /** Raw inject with the admin token by default. */
  inject: (opts: InjectOptions) => Promise<LightMyRequestResponse>;
  registerPlatform(): Promise<Registered>;
  registerMerchant(platformId: string): Promise<Registered>;
  registerProvider(): Promise<Registered>;
  /** Registers (as admin) and activates a signature; returns its id. */
  activeSignature(ownerId: string, text: string, scope: string[]): Promise<string>;
  /** Registers a port (as admin); returns its id. */
  port(providerId: string, number: string, categories?: string[]): Promise<string>;
  /** Allocates a port (as admin); returns the allocation id. */
  allocate(portId: string, enterpriseId: string, signatureIds: string[], extension?: string): Promise<string>;
  /** Records an affirmative consent (as admin); returns the consent id. */
  grant(phone: string, enterpriseId: string, category: string): Promise<string>;
  /** A small registry: platform P with merchants A and B, platform Q with merchant C, provider V, ports. */
  world(): Promise<World>;
  /** Closes the services and builds them (and the server) again on the same data directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A valid unified social credit code derived from `n` (distinct for distinct `n`), with its check
 * character computed by {@link creditCodeCheckChar}.
 */
export function validCreditCode(n: number): string {
  const first17 = `91310000${String(Math.abs(Math.trunc(n)) % 1e9).padStart(9, "0")}`;
  return first17 + (creditCodeCheckChar(first17) ?? "0");
}

let nextCode = 1;

/** A fresh valid credit code on every call. */
export function freshCreditCode(): string {
  return validCreditCode(nextCode++);
}

function expectStatus(r: LightMyRequestResponse, status: number, what: string): void {
  if (r.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${r.statusCode}: ${r.body}`);
}

/** Errors only (a 500's cause), to stderr: a test that fails on one shows why in the CI log. */
const UNEXPECTED_ERRORS = pino(
  { level: "error", serializers: { err: logError } },
  pino.destination({ dest: 2, sync: true }),
);

/**
 * Starts the whole stack on a fresh temporary data directory: real SQLite store, a manual clock (10:00 in
 * Shanghai unless `now` says otherwise), the test clock on and the HTTP server built (not listening), logging
 * only errors unless a `logger` is given.
 */
export async function startHarness(
  opts: { env?: Record<string, string>; now?: number; logger?: PinoLogger } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(join(tmpdir(), "anning-http-"));
  const clock = new ManualClock(opts.now ?? SHANGHAI_10AM);
  const config = loadConfig({
    ANNING_DATA_DIR: dataDir,
    ANNING_ADMIN_TOKEN: ADMIN_TOKEN,
    ANNING_TEST_CLOCK: "1",
    ...testStoreEnv(dataDir),
    ...opts.env,
  });
  const build = async () => {
    const services = await buildServices(config, { clock, anchorEveryMs: 0 });
    const app = await buildHttpServer(services, { logger: opts.logger ?? UNEXPECTED_ERRORS });
    return { services, app };
  };
  let current = await build();

  const inject = (o: InjectOptions) =>
    current.app.inject({ ...o, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...o.headers } });
  const caller =
    (token: string | null): Caller =>
    (method, url, body) =>
      current.app.inject({
        method,
        url,
        headers: token === null ? {} : { authorization: `Bearer ${token}` },
        ...(body === undefined ? {} : { payload: body as InjectOptions["payload"] }),
      });
  const admin = caller(ADMIN_TOKEN);

  const register = async (kind: string, parentId?: string): Promise<Registered> => {
    const r = await admin("POST", "/v1/enterprises", {
      kind,
      name: `${kind} ${nextCode}`,
      creditCode: freshCreditCode(),
      ...(parentId ? { parentId } : {}),
    });
    expectStatus(r, 201, `register ${kind}`);
    return r.json<Registered>();
  };

  const h: Harness = {
    get app() {
      return current.app;
    },
    get services() {
      return current.services;
    },
    clock,
    dataDir,
    admin,
    as: (apiKey) => caller(apiKey),
    anon: caller(null),
    inject,
    registerPlatform: () => register("platform"),
    registerMerchant: (platformId) => register("merchant", platformId),
    registerProvider: () => register("provider"),
    async activeSignature(ownerId, text, scope) {
      const r = await admin("POST", "/v1/signatures", { ownerId, text, scope });
      expectStatus(r, 201, "register signature");
      const id = r.json<{ id: string }>().id;
      expectStatus(await admin("POST", `/v1/signatures/${id}/activate`), 200, "activate signature");
      return id;
    },
    async port(providerId, number, categories) {
      const r = await admin("POST", "/v1/ports", {
        providerId,
        number,
        ...(categories ? { categories } : {}),
      });
      expectStatus(r, 201, "register port");
      return r.json<{ id: string }>().id;
    },
    async allocate(portId, enterpriseId, signatureIds, extension) {
      const body = { enterpriseId, signatureIds, ...(extension === undefined ? {} : { extension }) };
      const r = await admin("POST", `/v1/ports/${portId}/allocations`, body);
      expectStatus(r, 201, "allocate port");
      return r.json<{ id: string }>().id;
    },
    async grant(phone, enterpriseId, category) {
      const r = await admin("POST", "/v1/consents", {
        phone,
        enterpriseId,
        category,
        method: "web_form_unticked_box",
        capturedAt: clock.now() - 60_000,
        source: "https://shop.example/signup",
        noticeText: "我同意接收营销短信 / I agree to receive marketing SMS",
      });
      expectStatus(r, 201, "grant consent");
      return r.json<{ id: string }>().id;
    },
    async world() {
      const P = await h.registerPlatform();
      const [A, B] = [await h.registerMerchant(P.id), await h.registerMerchant(P.id)];
      const Q = await h.registerPlatform();
      const C = await h.registerMerchant(Q.id);
      const V = await h.registerProvider();
      const sigA = await h.activeSignature(A.id, "好物商城", ["marketing.retail", "notification"]);
      const sigB = await h.activeSignature(B.id, "优选超市", ["marketing.retail"]);
      const portId = await h.port(V.id, "1069012345");
      await h.allocate(portId, A.id, [sigA], "01");
      await h.allocate(portId, B.id, [sigB], "02");
      const [textA, textB] = ["【好物商城】新品上市，回TD退订", "【优选超市】周末特惠，回TD退订"];
      return {
        P,
        A,
        B,
        Q,
        C,
        V,
        sigA,
        sigB,
        portId,
        portA: "106901234501",
        portB: "106901234502",
        textA,
        textB,
      };
    },
    async restart() {
      await current.app.close();
      await current.services.close();
      current = await build();
    },
    async close() {
      await current.app.close();
      await current.services.close();
      await dropTestStore(dataDir);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
