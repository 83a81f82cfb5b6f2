import { afterEach, describe, expect, it } from "vitest";
import { reasonToSmppStatus } from "../../src/adapters/smpp/command-status.js";
import { decodeText, encodeUcs2, parseReceipt, type SmPdu } from "../../src/adapters/smpp/pdu/index.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { type Esme, type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

const PHONE = "13812345670";

function receiptOf(p: SmPdu) {
  return parseReceipt(decodeText(p.dataCoding, p.shortMessage));
}

/** The text's UCS-2 bytes in chunks of 134 (a UDH'd part's room). */
function chunksOf(text: string): Buffer[] {
  const bytes = encodeUcs2(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 134) chunks.push(bytes.subarray(i, i + 134));
  return chunks;
}

/** Submits one SAR part; its status and the id it was acknowledged with. */
async function submitPart(w: SmppWorld, esme: Esme, c: Buffer, ref: number, total: number, seq: number) {
  const r = await esme.submit({
    sourceAddr: w.setup.port,
    destAddr: `86${PHONE}`,
    dataCoding: 8,
    shortMessage: c,
    tlvs: { sarMsgRefNum: ref, sarTotalSegments: total, sarSegmentSeqnum: seq },
  });
  return { status: r.status, id: r.command === "submit_sm_resp" ? r.messageId : "" };
}

describe("SMPP long messages that never come whole: acknowledged parts are recorded and told", () => {
  let w: SmppWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("a message whose last part never arrives is recorded refused, and its parts get REJECTD receipts", async () => {
    w = await smppWorld({ server: { longMessageTimeoutMs: 300 } });
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    const chunks = chunksOf(`${w.setup.text}${"上新".repeat(90)}`);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const acked = [
      await submitPart(w, esme, chunks[0] as Buffer, 11, chunks.length, 1),
      await submitPart(w, esme, chunks[1] as Buffer, 11, chunks.length, 2),
    ];
    expect(acked.map((a) => a.status)).toEqual([0, 0]);
    const messageId = acked[0]?.id.replace(/-1$/, "") ?? "";
    expect(acked.map((a) => a.id)).toEqual([`${messageId}-1`, `${messageId}-2`]);
    const incomplete = reasonToSmppStatus("MESSAGE_INCOMPLETE").toString(16).toUpperCase();
    for (const a of acked) {
      const dlr = await esme.waitFor((p) => p.tlvs.receiptedMessageId === a.id);
      expect(receiptOf(dlr)?.stat).toBe("REJECTD");
      expect(receiptOf(dlr)?.err).toBe(incomplete);
    }
    // no receipt for the part that never came
    expect(esme.inbox.filter((p) => p.tlvs.receiptedMessageId?.startsWith(messageId))).toHaveLength(2);
    const m = await w.services.ctx.store.messages.get(messageId);
    expect(m?.status).toBe("refused");
    expect(m?.reasons.map((r) => r.code)).toEqual(["MESSAGE_INCOMPLETE"]);
    expect(m?.parts).toBe(chunks.length);
    // nothing of it reached the carrier
    expect(w.sim.messages.filter((s) => s.destination.endsWith(PHONE))).toEqual([]);
  });
});
