import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileIndexSnapshotStore } from "../adapters/system/index-snapshot.file.js";
import { appHarness, grant, sendingSetup } from "../test-support/app-fixtures.js";
import { withdrawConsent } from "./consent/withdraw-consent.js";
import { ADMIN } from "./context.js";
import { decideMessage } from "./messaging/decide-message.js";

async function decide(
  s: Awaited<ReturnType<typeof appHarness>>["services"],
  f: Awaited<ReturnType<typeof sendingSetup>>,
  phone: string,
) {
  const r = await decideMessage(s.ctx, ADMIN, {
    senderId: f.platformId,
    signature: f.signature,
    port: f.port,
    phone,
    text: f.text,
    category: "marketing.retail",
  });
  return r.reasons.map((x) => x.code);
}

describe("consent index snapshot", () => {
  it("a clean stop saves the index; the next start restores it and replays only later events", async () => {
    const h = await appHarness();
    const s = h.services;
    const f = await sendingSetup(s);
    await grant(s, "13800000001", f.platformId);
    await grant(s, "13800000002", f.platformId);
    await s.close();
    const snap = join(h.dir, "anning.db.consent-index");
    expect(existsSync(snap)).toBe(true);
    const saved = new FileIndexSnapshotStore(snap).load();
    expect(saved?.lastSeq).toBe(2);
    expect(saved?.consents.used).toBe(2);

    // a process that crashed after withdrawing (no snapshot written then)
    const crashed = await h.reopen();
    await withdrawConsent(crashed.ctx, ADMIN, {
      phone: "13800000002",
      enterpriseId: f.platformId,
      channel: "app",
    });

    const again = await h.reopen();
    expect(again.ctx.state.consents.lastSeq).toBe(4); // 2 grants, then withdrawals of retail and finance
    expect(await decide(again, f, "13800000001")).toEqual([]);
    expect(await decide(again, f, "13800000002")).toEqual(["CONSENT_WITHDRAWN"]);
    await again.close();
  });

  it("a snapshot that does not match the ledger is ignored", async () => {
    const h = await appHarness();
    const f = await sendingSetup(h.services);
    await grant(h.services, "13800000001", f.platformId);
    await h.services.close();
    const snap = join(h.dir, "anning.db.consent-index");
    writeFileSync(snap, Buffer.from("garbage"));
    const again = await h.reopen();
    expect(await decide(again, f, "13800000001")).toEqual([]);
    await again.close();
    rmSync(snap);
    const third = await h.reopen();
    expect(await decide(third, f, "13800000001")).toEqual([]);
    await third.close();
  });
});
