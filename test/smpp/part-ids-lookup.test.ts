import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildHttpServer } from "../../src/adapters/http/server.js";
import { encodeUcs2 } from "../../src/adapters/smpp/pdu/index.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

const PHONE = "13812345671";

describe("GET /v1/messages/{id} with the ids an SMPP sender was given", () => {
  let w: SmppWorld | undefined;
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    await w?.close();
    app = undefined;
    w = undefined;
  });

  it("finds a long message it split itself by each part's id (as acknowledged and as receipted)", async () => {
    w = await smppWorld();
    app = await buildHttpServer(w.services, { logger: false });
    await grant(w.services, PHONE, w.setup.platformId);
    const esme = await w.esme();
    const bytes = encodeUcs2(`${w.setup.text}${"上新".repeat(60)}`);
    const chunks = [bytes.subarray(0, 134), bytes.subarray(134)];
    const ids: string[] = [];
    for (const [i, c] of chunks.entries()) {
      const r = await esme.submit({
        sourceAddr: w.setup.port,
        destAddr: `86${PHONE}`,
        esmClass: 0x40,
        dataCoding: 8,
        shortMessage: Buffer.concat([Buffer.from([5, 0, 3, 0x2a, 2, i + 1]), c]),
      });
      expect(r.status).toBe(0);
      ids.push(r.command === "submit_sm_resp" ? r.messageId : "");
    }
    const messageId = ids[0]?.replace(/-1$/, "") ?? "";
    expect(ids).toEqual([`${messageId}-1`, `${messageId}-2`]);
    const receipted = await esme.waitFor((p) => p.tlvs.receiptedMessageId === ids[1]);
    expect(receipted.tlvs.receiptedMessageId).toBe(`${messageId}-2`);

    const get = (id: string, key = w?.setup.platformKey ?? "") =>
      app?.inject({ method: "GET", url: `/v1/messages/${id}`, headers: { authorization: `Bearer ${key}` } });
    const whole = await get(messageId);
    expect(whole?.statusCode).toBe(200);
    expect(whole?.json()).toMatchObject({ id: messageId, parts: 2 });
    for (const id of ids) {
      const r = await get(id);
      expect([id, r?.statusCode]).toEqual([id, 200]);
      expect(r?.json()).toEqual(whole?.json());
    }
    for (const id of [`${messageId}-0`, `${messageId}-3`, `${messageId}-9`])
      expect([id, (await get(id))?.statusCode]).toEqual([id, 404]);
  });
});
