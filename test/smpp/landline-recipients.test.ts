import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeText } from "../../src/adapters/smpp/pdu/index.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

/**
 * SMS goes to mobiles: a Chinese fixed-line number as `dest_addr`, in any form, answers ESME_RINVDSTADR
 * (RECIPIENT_INVALID) and reaches no carrier; a reply "from" a fixed line is dropped, and the gateway
 * goes on.
 */
describe("SMPP: fixed-line numbers are not recipients", () => {
  let w: SmppWorld;
  const mobile = "13812360001";

  beforeAll(async () => {
    w = await smppWorld();
    await grant(w.services, mobile, w.setup.platformId);
  });
  afterAll(async () => {
    await w?.close();
  });

  it("refuses a landline dest_addr with ESME_RINVDSTADR, international or national", async () => {
    const esme = await w.esme();
    const forms: Array<[number, string]> = [
      [1, "861012345678"],
      [1, "862087654321"],
      [0, "01012345678"],
      [0, "02087654321"],
      [0, "+861012345678"],
    ];
    for (const [destTon, destAddr] of forms) {
      const r = await esme.submit({ sourceAddr: w.setup.port, destTon, destAddr, text: w.setup.text });
      expect([destAddr, r.status]).toEqual([destAddr, 0x0b]);
    }
    const ok = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${mobile}`, text: w.setup.text });
    expect(ok.status).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.sim.messages.map((m) => m.destination.slice(-11))).toEqual([mobile]);
  });

  it("drops a reply from a landline without harm; the next reply from a mobile is forwarded", async () => {
    const esme = await w.esme("receiver");
    await w.sim.injectMo({ from: "01012345678", to: w.setup.port, text: "TD" });
    await w.sim.injectMo({ from: `86${mobile}`, to: w.setup.port, text: "你好" });
    const mo = await esme.waitFor((p) => p.esmClass === 0);
    expect(decodeText(mo.dataCoding, mo.shortMessage)).toBe("你好");
    expect(mo.sourceAddr).toContain(mobile);
    await new Promise((r) => setTimeout(r, 300));
    expect(esme.inbox.filter((p) => p.esmClass === 0)).toHaveLength(1);
  });
});
