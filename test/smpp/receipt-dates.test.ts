import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { decodeText, parseReceipt } from "../../src/adapters/smpp/pdu/index.js";
import { DEFAULT_POLICY } from "../../src/domain/policy/policy.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

/**
 * The dates of a receipt to a sender (`submit date:YYMMDDhhmm done date:YYMMDDhhmm`) name no zone:
 * anning writes them on the clock of the policy's `defaultTimeZone`, Asia/Shanghai unless configured.
 * The worlds' clock stands at 02:00 UTC on 25 November 2026, 10:00 in Shanghai.
 */
describe("SMPP receipts to senders: dates in the service's time zone", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function receiptDates(w: SmppWorld, phone: string): Promise<[string?, string?]> {
    closers.push(() => w.close());
    await grant(w.services, phone, w.setup.platformId);
    const esme = await w.esme();
    const r = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${phone}`, text: w.setup.text });
    expect(r.status).toBe(0);
    const id = r.command === "submit_sm_resp" ? r.messageId : "";
    const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === id);
    const parsed = parseReceipt(decodeText(dlr.dataCoding, dlr.shortMessage));
    expect(parsed?.stat).toBe("DELIVRD");
    return [parsed?.submitDate, parsed?.doneDate];
  }

  it("writes them in Shanghai time by default", async () => {
    expect(await receiptDates(await smppWorld(), "13812345631")).toEqual(["2611251000", "2611251000"]);
  });

  it("writes them in the policy file's defaultTimeZone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anning-policy-"));
    const file = join(dir, "policy.json");
    writeFileSync(file, JSON.stringify({ ...DEFAULT_POLICY, defaultTimeZone: "UTC" }));
    const w = await smppWorld({ env: { ANNING_POLICY_FILE: file } });
    expect(await receiptDates(w, "13812345632")).toEqual(["2611250200", "2611250200"]);
  });
});
