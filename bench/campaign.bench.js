// Campaign decisions against a store holding N consent records (default 10,000,000).
// Prints: seeding rate, index load time, decisions per second for the deciding itself,
// seconds end to end until every result is recorded, peak RSS.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../dist/adapters/system/system-clock.js";
import { createCampaign } from "../dist/app/campaigns/create-campaign.js";
import { appendToLedger } from "../dist/app/consent/ledger-writer.js";
import { ADMIN, pseudonym } from "../dist/app/context.js";
import { registerEnterprise } from "../dist/app/registry/enterprises.js";
import { allocatePort, registerPort } from "../dist/app/registry/ports.js";
import { changeSignatureStatus, registerSignature } from "../dist/app/registry/signatures.js";
import { loadConfig } from "../dist/config.js";
import { creditCodeCheckChar } from "../dist/domain/enterprises/credit-code.js";
import { decideRecipient, prepareSend } from "../dist/domain/policy/decide.js";
import { buildServices } from "../dist/services.js";

const CONSENTS = Number(process.env.BENCH_CONSENTS ?? 10_000_000);
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 1_000_000);
const NOW = Date.parse("2026-11-25T02:00:00Z"); // 10:00 in Shanghai
const code = (n) => {
  const body = `9111000000000${String(n).padStart(4, "0")}`;
  return body + creditCodeCheckChar(body);
};
const phoneOf = (i) => `1${3 + (i % 7)}${String(100000000 + ((i * 7919) % 900000000)).slice(-9)}`;
const mb = (b) => `${Math.round(b / 1048576)} MiB`;

export async function campaignBench(log) {
  const dir = mkdtempSync(join(tmpdir(), "anning-bench-"));
  const clock = new ManualClock(NOW);
  const config = loadConfig({
    ANNING_DATA_DIR: dir,
    ANNING_ADMIN_TOKEN: "bench-admin-token-0123456789",
    ANNING_LOG_LEVEL: "silent",
  });
  let s = await buildServices(config, { clock, anchorEveryMs: 0 });
  const ctx = s.ctx;
  const platform = await registerEnterprise(ctx, ADMIN, {
    kind: "platform",
    name: "平台",
    creditCode: code(1),
  });
  const provider = await registerEnterprise(ctx, ADMIN, {
    kind: "provider",
    name: "服务商",
    creditCode: code(2),
  });
  const others = [];
  for (let i = 0; i < 9; i++)
    others.push(
      (await registerEnterprise(ctx, ADMIN, { kind: "platform", name: `其他${i}`, creditCode: code(10 + i) }))
        .enterprise.id,
    );
  const sig = await registerSignature(ctx, ADMIN, {
    ownerId: platform.enterprise.id,
    text: "好物商城",
    scope: ["marketing.retail"],
  });
  await changeSignatureStatus(ctx, ADMIN, sig.id, "activate", null);
  const port = await registerPort(ctx, ADMIN, { providerId: provider.enterprise.id, number: "1069012345" });
  await allocatePort(ctx, ADMIN, port.id, { enterpriseId: platform.enterprise.id, signatureIds: [sig.id] });
  const sender = platform.enterprise.id;

  // Seed: the campaign's sender holds consent from half of the campaign's recipients; the rest of the
  // records belong to other enterprises and other numbers.
  let t0 = performance.now();
  const BATCH = 100_000;
  for (let start = 0; start < CONSENTS; start += BATCH) {
    const events = [];
    const phones = new Map();
    for (let i = start; i < Math.min(CONSENTS, start + BATCH); i++) {
      const mine = i < RECIPIENTS && i % 2 === 0;
      const e164 = `+86${phoneOf(mine ? i : i + RECIPIENTS)}`;
      const recipientId = pseudonym(ctx, e164);
      phones.set(recipientId, e164);
      events.push({
        id: `evt_seed${i}`,
        consentId: `cns_seed${i}`,
        recipientId,
        enterpriseId: mine ? sender : others[i % others.length],
        category: "marketing.retail",
        type: "grant",
        method: "web_form_unticked_box",
        capturedAt: NOW - 86_400_000,
        recordedAt: NOW - 3_600_000,
        source: "bench",
        noticeText: "我同意接收营销短信",
        expiresAt: null,
        channel: null,
        actor: "admin",
      });
    }
    await appendToLedger(ctx, events, phones);
  }
  const seedS = (performance.now() - t0) / 1000;
  log(
    `seeded ${CONSENTS.toLocaleString()} consents in ${seedS.toFixed(1)} s (${Math.round(CONSENTS / seedS).toLocaleString()}/s, through the hash-chained ledger)`,
  );
  await s.close();

  // Restart: the consent index is rebuilt from the SQLite file.
  global.gc?.();
  t0 = performance.now();
  s = await buildServices(config, { clock, anchorEveryMs: 0 });
  const loadS = (performance.now() - t0) / 1000;
  log(
    `start-up with ${s.ctx.state.consents.size.toLocaleString()} consents in the index: ${loadS.toFixed(1)} s, index ${mb(s.ctx.state.consents.bytes)}`,
  );

  const phones = Array.from({ length: RECIPIENTS }, (_, i) => phoneOf(i));
  const req = {
    senderId: sender,
    signature: "【好物商城】",
    port: "1069012345",
    text: "【好物商城】双11大促，全场五折。回TD退订",
    category: "marketing.retail",
  };

  // 1. The deciding itself (no recording), on a copy of the counters so the real run starts clean.
  const state = { ...s.ctx.state, counters: new s.ctx.state.counters.constructor() };
  t0 = performance.now();
  const prepared = prepareSend(state, req, NOW);
  let allowed = 0;
  for (let i = 0; i < phones.length; i++)
    if (decideRecipient(state, prepared, phones[i], NOW, true).codes.length === 0) allowed++;
  const decideS = (performance.now() - t0) / 1000;
  const rate = Math.round(RECIPIENTS / decideS);

  // 2. End to end: create the campaign and decide it, every result recorded in the message log.
  t0 = performance.now();
  const view = await createCampaign(s.ctx, s.runner, ADMIN, { ...req, phones });
  if (view.status !== "completed") await s.runner.runToEnd(view.id);
  const done = await s.ctx.store.campaigns.get(view.id);
  const e2eS = (performance.now() - t0) / 1000;
  const rss = process.resourceUsage().maxRSS * 1024;
  await s.close();
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  else log(`kept ${dir}`);
  return {
    consents: CONSENTS,
    recipients: RECIPIENTS,
    allowed,
    decisionsPerSecond: rate,
    decideSeconds: decideS,
    endToEndSeconds: e2eS,
    accepted: done?.accepted,
    status: done?.status,
    peakRss: rss,
    seedPerSecond: CONSENTS / seedS,
    startupSeconds: loadS,
  };
}
