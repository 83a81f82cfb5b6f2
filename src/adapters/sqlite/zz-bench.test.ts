import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { it } from "vitest";
import { reason } from "../../domain/policy/reason-codes.js";
import {
  aCampaign,
  aMessage,
  anEvent,
  aRecipientId,
  T0,
} from "../../test-support/store-contract/fixtures.js";
import { CONTRACT_LEDGER_KEY } from "../../test-support/store-contract/run-store-contract.js";
import { openSqliteStore } from "./sqlite-store.js";

it("bench", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anning-"));
  const s = openSqliteStore({ file: path.join(dir, "b.db"), ledgerKey: CONTRACT_LEDGER_KEY });
  const time = async (label: string, f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    console.log(label, (performance.now() - t).toFixed(0), "ms");
  };
  const mk = (n: number, cpg: string | null) =>
    Array.from({ length: n }, (_, i) =>
      aMessage({
        phone: `+86139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`,
        campaignId: cpg,
        senderId: `ent_${i % 50}`,
        status: i % 4 === 0 ? "refused" : "accepted",
        reasons: i % 4 === 0 ? [reason("CONSENT_MISSING")] : [],
        createdAt: T0 + i,
        notBefore: T0 + i,
      }),
    );
  const m100k = mk(100_000, null);
  await time("insertMany 100k messages", () => s.messages.insertMany(m100k));
  const m1m = mk(1_000_000, "cpg_big");
  await time("insertMany 1M messages", () => s.messages.insertMany(m1m));
  const ev = Array.from({ length: 100_000 }, () => anEvent({ recipientId: aRecipientId() }));
  await time("append 100k events", () => s.ledger.append(ev));
  const phones = Array.from({ length: 1_000_000 }, (_, i) => `+86138${String(i).padStart(8, "0")}`);
  await time("campaign insert 1M phones", () => s.campaigns.insert(aCampaign({ total: 1e6 }), phones));
  await time("claimOutbox 1000", () => s.messages.claimOutbox(1000, T0 + 2e6));
  await time("marketingCountsSince", () => s.messages.marketingCountsSince(T0 + 900_000));
  await time("suppressions all", () => s.ledger.suppressions("all", 0, 1000));
  await time("reopen", async () => {
    await s.close();
    const s2 = openSqliteStore({ file: path.join(dir, "b.db"), ledgerKey: CONTRACT_LEDGER_KEY });
    await s2.close();
  });
  fs.rmSync(dir, { recursive: true, force: true });
}, 600_000);
