import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../adapters/system/system-clock.js";
import { recordConsent } from "../app/consent/record-consent.js";
import { ADMIN } from "../app/context.js";
import type { Upstream } from "../app/delivery/upstream.port.js";
import { registerEnterprise } from "../app/registry/enterprises.js";
import { allocatePort, registerPort } from "../app/registry/ports.js";
import { changeSignatureStatus, registerSignature } from "../app/registry/signatures.js";
import { loadConfig } from "../config.js";
import { creditCodeCheckChar } from "../domain/enterprises/credit-code.js";
import { buildServices, type Services } from "../services.js";
import { testStoreEnv } from "./pg-test-db.js";

let codeCounter = 0;

/** A distinct valid unified social credit code per call. */
export function freshCreditCode(): string {
  const body = `91110000${String(++codeCounter + Math.floor(Math.random() * 1e6)).padStart(9, "0")}`.slice(
    0,
    17,
  );
  return body + (creditCodeCheckChar(body) as string);
}

/** 2026-11-25 10:00 in Shanghai: inside the marketing window. */
export const SHANGHAI_10AM = Date.parse("2026-11-25T02:00:00Z");

export interface AppHarness {
  services: Services;
  clock: ManualClock;
  dir: string;
  /** Builds the services again on the same data dir (a restart); the old ones must be closed or dropped. */
  reopen(upstream?: Upstream): Promise<Services>;
}

/** Services on a fresh temp data dir with a manual clock; workers not started. */
export async function appHarness(
  opts: { now?: number; upstream?: Upstream; dir?: string } = {},
): Promise<AppHarness> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "anning-app-"));
  const clock = new ManualClock(opts.now ?? SHANGHAI_10AM);
  const config = loadConfig({
    ANNING_DATA_DIR: dir,
    ANNING_ADMIN_TOKEN: "test-admin-token-0123456789",
    ANNING_TEST_CLOCK: "1",
    ...testStoreEnv(dir),
  });
  const make = (upstream?: Upstream) =>
    buildServices(config, { clock, anchorEveryMs: 0, ...(upstream ? { upstream } : {}) });
  const services = await make(opts.upstream);
  return { services, clock, dir, reopen: make };
}

/** A platform with an active marketing signature on an allocated port, ready to send. */
export async function sendingSetup(s: Services, n = 1) {
  const ctx = s.ctx;
  const platform = await registerEnterprise(ctx, ADMIN, {
    kind: "platform",
    name: `平台${n}`,
    creditCode: freshCreditCode(),
  });
  const provider = await registerEnterprise(ctx, ADMIN, {
    kind: "provider",
    name: `服务商${n}`,
    creditCode: freshCreditCode(),
  });
  const text = `好物商城${n}`;
  const sig = await registerSignature(ctx, ADMIN, {
    ownerId: platform.enterprise.id,
    text,
    scope: ["marketing.retail", "notification", "verification"],
  });
  await changeSignatureStatus(ctx, ADMIN, sig.id, "activate", null);
  const number = `10690${String(n).padStart(5, "0")}`;
  const port = await registerPort(ctx, ADMIN, { providerId: provider.enterprise.id, number });
  await allocatePort(ctx, ADMIN, port.id, { enterpriseId: platform.enterprise.id, signatureIds: [sig.id] });
  return {
    platformId: platform.enterprise.id,
    platformKey: platform.apiKey,
    providerId: provider.enterprise.id,
    signatureId: sig.id,
    signature: `【${text}】`,
    port: number,
    text: `【${text}】双11大促，全场五折。回TD退订`,
  };
}

/** Grants marketing.retail consent through the use case. */
export async function grant(s: Services, phone: string, enterpriseId: string, category = "marketing.retail") {
  return recordConsent(s.ctx, ADMIN, {
    phone,
    enterpriseId,
    category,
    method: "web_form_unticked_box",
    capturedAt: new Date(s.ctx.clock.now() - 3600_000).toISOString(),
    source: "https://shop.example/signup",
    noticeText: "我同意接收营销短信",
  });
}
