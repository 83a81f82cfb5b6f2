import { afterEach, describe, expect, it } from "vitest";
import { decodeText, parseReceipt, type SmPdu } from "../../src/adapters/smpp/pdu/index.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { eventually, type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

function idOf(r: { command: string; messageId?: string }): string {
  return r.command === "submit_sm_resp" ? (r.messageId ?? "") : "";
}

function receiptOf(p: SmPdu) {
  return parseReceipt(decodeText(p.dataCoding, p.shortMessage));
}

/**
 * Receipts to senders are deliver_sm in data_coding 1 (IA5/ASCII): every character of
 * `id:msg_… sub:… stat:… err:… text:…` is the same byte whichever way a client reads it (in GSM 03.38,
 * data_coding 0, the "_" of every id would be 0x11). anning reads such receipts from its carriers too.
 */
describe("SMPP receipts to senders: data_coding 1, ASCII bytes", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function world(opts: Parameters<typeof smppWorld>[0] = {}): Promise<SmppWorld> {
    const w = await smppWorld(opts);
    closers.push(() => w.close());
    return w;
  }

  it("a sender's receipt is data_coding 1 and its text, id included, is plain ASCII", async () => {
    const w = await world();
    const phone = "13812345611";
    await grant(w.services, phone, w.setup.platformId);
    const esme = await w.esme();
    const r = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${phone}`, text: w.setup.text });
    expect(r.status).toBe(0);
    const id = idOf(r);
    expect(id).toMatch(/^msg_/);
    const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === id);
    expect(dlr.esmClass).toBe(0x04);
    expect(dlr.dataCoding).toBe(1);
    const bytes = dlr.shortMessage;
    expect([...bytes].every((b) => b >= 0x20 && b <= 0x7e)).toBe(true);
    // read as ASCII, as most clients do: "msg_", not "msg\x11"
    const ascii = bytes.toString("ascii");
    expect(ascii).toMatch(
      new RegExp(
        `^id:${id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000 text:`,
      ),
    );
    expect(bytes.includes(0x11)).toBe(false);
    expect(parseReceipt(ascii)?.id).toBe(id);
  });

  it("anning reads a data_coding 1 receipt from a carrier that is itself anning (stat and err from its text)", async () => {
    const delivered = "13812345621";
    const failed = "13812345622";
    // the carrier: an anning whose own carrier (its simulator) fails one number with err 001
    const carrier = await world({ sim: { failDestinations: [failed] } });
    // the gateway under test: its one upstream is the carrier anning, bound with the carrier's account
    const creds = `${encodeURIComponent(carrier.account.systemId)}:${encodeURIComponent(carrier.account.password)}`;
    const w = await world({
      env: { ANNING_UPSTREAM: `smpp://${creds}@127.0.0.1:${carrier.server.port}?reconnectMinMs=100` },
    });
    await eventually(() => w.services.upstream.ready?.() === true, 5000);
    // both fixtures register the same signature and port (sendingSetup n=1): consent on both sides
    for (const phone of [delivered, failed]) {
      await grant(w.services, phone, w.setup.platformId);
      await grant(carrier.services, phone, carrier.setup.platformId);
    }
    const esme = await w.esme();
    const ids: Record<string, string> = {};
    for (const phone of [delivered, failed]) {
      const r = await esme.submit({ sourceAddr: w.setup.port, destAddr: `86${phone}`, text: w.setup.text });
      expect(r.status).toBe(0);
      ids[phone] = idOf(r);
    }
    const ok = await esme.waitFor((p) => p.tlvs.receiptedMessageId === ids[delivered], 15_000);
    const ko = await esme.waitFor((p) => p.tlvs.receiptedMessageId === ids[failed], 15_000);
    // the carrier anning's messages went out and its receipts came back (data_coding 1) to the gateway
    expect(carrier.sim.messages.map((m) => m.destination.slice(-11)).sort()).toEqual([delivered, failed]);
    expect([receiptOf(ok)?.stat, receiptOf(ok)?.err]).toEqual(["DELIVRD", "000"]);
    // err 001 is only in the carrier's receipt text (its TLVs carry the id and the state): it was read
    expect([receiptOf(ko)?.stat, receiptOf(ko)?.err]).toEqual(["UNDELIV", "001"]);
    expect((await w.services.ctx.store.messages.get(ids[delivered] ?? ""))?.status).toBe("delivered");
    expect((await w.services.ctx.store.messages.get(ids[failed] ?? ""))?.status).toBe("failed");
  });
});
