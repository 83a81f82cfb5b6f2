import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN } from "../../src/app/context.js";
import { decideMessage } from "../../src/app/messaging/decide-message.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { eventually, type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";
import { type Kannel, kannelAvailable, startKannel } from "../support/kannel.js";

/**
 * Kannel 1.4.5 (bearerbox + smsbox from the Debian packages), a real and independent SMS gateway, bound
 * to anning's SMPP server as a transceiver ESME, driven through its own /cgi-bin/sendsms interface.
 */
describe.skipIf(!kannelAvailable())("Kannel as an ESME bound to anning", () => {
  let w: SmppWorld;
  let kannel: Kannel;
  const consented = "13800138000";
  // one marketing message per sender per recipient per day (the default cap): one number per test
  const consentedLong = "13800138001";

  beforeAll(async () => {
    w = await smppWorld();
    await grant(w.services, consented, w.setup.platformId);
    await grant(w.services, consentedLong, w.setup.platformId);
    kannel = await startKannel({
      smppPort: w.server.port,
      systemId: w.account.systemId,
      password: w.account.password,
      dir: mkdtempSync(join(tmpdir(), "anning-kannel-")),
    });
  });
  afterAll(async () => {
    await kannel?.stop();
    await w?.close();
  });

  it("an allowed Chinese message reaches the carrier with its text, and its receipt reaches Kannel", async () => {
    const r = await kannel.sendsms({
      from: w.setup.port,
      to: `86${consented}`,
      text: w.setup.text,
      coding: 2,
      charset: "UTF-8",
      dlrMask: 31,
    });
    expect(r.status, r.body).toBe(202);
    const got = await eventually(() => w.sim.assembled.find((m) => m.text === w.setup.text), 15_000);
    expect(got.destination).toContain(consented);
    // type 8: accepted by the SMSC (anning's message id); type 1: delivered, matched by Kannel to it
    const accepted = await kannel.waitForDlr((d) => d.tag === r.tag && d.type === 8, 15_000);
    expect(accepted.foreignId).toMatch(/^msg_/);
    const delivered = await kannel.waitForDlr((d) => d.tag === r.tag && d.type === 1, 15_000);
    expect(delivered.reply).toContain("stat:DELIVRD");
  });

  it("a long message arrives whole at the carrier", async () => {
    const text = `${w.setup.text.replace("回TD退订", "")}${"双十一全场五折起，满三百减五十。".repeat(8)}回TD退订`;
    const r = await kannel.sendsms({
      from: w.setup.port,
      to: `86${consentedLong}`,
      text,
      coding: 2,
      charset: "UTF-8",
      dlrMask: 31,
    });
    expect(r.status, r.body).toBe(202);
    const got = await eventually(() => w.sim.assembled.find((m) => m.text === text), 15_000);
    expect(got.parts).toBeGreaterThan(1);
  });

  it("a refused message is refused with its documented permanent status (Kannel's dlr type 16)", async () => {
    const r = await kannel.sendsms({
      from: w.setup.port,
      to: "8613911112222",
      text: w.setup.text,
      coding: 2,
      charset: "UTF-8",
      dlrMask: 31,
    });
    expect(r.status, r.body).toBe(202);
    const nack = await kannel.waitForDlr((d) => d.tag === r.tag && d.type === 16, 15_000);
    // CONSENT_MISSING: 0x040E, documented in the README's status table; Kannel does not retry it
    expect(nack.reply).toContain("0x0000040e");
    const listed = await w.services.ctx.store.messages.listBySenders([w.setup.platformId], "", 100);
    expect(listed.some((m) => m.status === "refused" && m.reasons[0]?.code === "CONSENT_MISSING")).toBe(true);
  });

  it("a reply TD from the carrier withdraws consent and reaches Kannel", async () => {
    await w.sim.injectMo({ from: `86${consented}`, to: w.setup.port, text: "TD" });
    const mo = await kannel.waitForMo((m) => m.text === "TD", 15_000);
    expect(mo.to).toBe(w.setup.port);
    const d = await decideMessage(w.services.ctx, ADMIN, {
      senderId: w.setup.platformId,
      signature: w.setup.signature,
      port: w.setup.port,
      phone: consented,
      category: "marketing.retail",
      text: w.setup.text,
    });
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.reasons[0]?.code).toBe("CONSENT_WITHDRAWN");
  });
});
