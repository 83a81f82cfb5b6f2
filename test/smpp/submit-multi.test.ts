import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reasonToSmppStatus } from "../../src/adapters/smpp/command-status.js";
import {
  CMD,
  encodePdu,
  encodeText,
  MESSAGE_STATE,
  type MultiDest,
  type Pdu,
  readHeader,
  STATUS,
  type SubmitMultiPdu,
} from "../../src/adapters/smpp/pdu/index.js";
import type { RequestPdu } from "../../src/adapters/smpp/session.js";
import { ADMIN } from "../../src/app/context.js";
import { createSmppAccount } from "../../src/app/smpp/accounts.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import {
  bindFields,
  type Esme,
  eventually,
  type SmppWorld,
  smppWorld,
} from "../../src/test-support/smpp-harness.js";

const sme = (phone: string): MultiDest => ({ kind: "sme", ton: 1, npi: 1, addr: `86${phone}` });

describe("submit_multi over a real bind", () => {
  let w: SmppWorld;
  beforeEach(async () => {
    w = await smppWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  function multi(dests: MultiDest[], over: Partial<SubmitMultiPdu> = {}): RequestPdu {
    const { dataCoding, bytes } = encodeText(w.setup.text);
    return {
      command: "submit_multi",
      serviceType: "",
      sourceTon: 0,
      sourceNpi: 0,
      sourceAddr: w.setup.port,
      dests,
      esmClass: 0,
      protocolId: 0,
      priority: 0,
      scheduleDeliveryTime: "",
      validityPeriod: "",
      registeredDelivery: 1,
      replaceIfPresent: 0,
      dataCoding,
      smDefaultMsgId: 0,
      shortMessage: bytes,
      tlvs: {},
      ...over,
    };
  }

  const resp = (p: Pdu) => (p.command === "submit_multi_resp" ? p : null);

  it("sends one message per destination through the policy, lists the refused ones with their status", async () => {
    const [a, b, refused] = ["13812345611", "13812345612", "13812345613"];
    await grant(w.services, a, w.setup.platformId);
    await grant(w.services, b, w.setup.platformId);
    const esme = await w.esme();
    const r = resp(
      await esme.session.request(multi([sme(a), { kind: "list", name: "vip" }, sme(refused), sme(b)])),
    );
    expect(r?.status).toBe(0);
    expect(r?.messageId).toMatch(/^msg_/);
    expect(r?.unsuccess).toEqual([
      { ton: 0, npi: 0, addr: "vip", status: STATUS.ESME_RINVDLNAME },
      { ton: 1, npi: 1, addr: `86${refused}`, status: reasonToSmppStatus("CONSENT_MISSING") },
    ]);
    // both accepted destinations reach the carrier; each receipt names its own message, from its recipient
    await eventually(() => w.sim.messages.length === 2);
    expect(w.sim.messages.map((m) => m.destination.slice(-11)).sort()).toEqual([a, b]);
    const first = r?.messageId ?? "";
    const dlrA = await esme.waitFor((p) => p.tlvs.receiptedMessageId === first);
    expect(dlrA.sourceAddr).toBe(`86${a}`);
    const dlrB = await esme.waitFor(
      (p) => p.sourceAddr === `86${b}` && p.tlvs.messageState === MESSAGE_STATE.DELIVERED,
    );
    expect(dlrB.tlvs.receiptedMessageId).not.toBe(first);
    // the refused destination is recorded, as a refused submit_sm is, and its sender gets a REJECTD receipt
    await esme.waitFor(
      (p) => p.sourceAddr === `86${refused}` && p.tlvs.messageState === MESSAGE_STATE.REJECTED,
    );
    const all = await w.services.ctx.store.messages.listBySenders([w.setup.platformId], "", 100);
    expect(all.map((m) => [m.phone, m.status]).sort()).toEqual([
      [`+86${a}`, "delivered"],
      [`+86${b}`, "delivered"],
      [`+86${refused}`, "refused"],
    ]);
    // query_sm with the answer's id finds the first destination's message
    const q = await esme.session.request({
      command: "query_sm",
      messageId: first,
      sourceTon: 0,
      sourceNpi: 0,
      sourceAddr: "",
    });
    expect(q).toMatchObject({ status: 0, messageState: MESSAGE_STATE.DELIVERED });
  });

  it("answers the first refusal's status and no id when no destination is taken", async () => {
    const esme = await w.esme();
    const r = resp(await esme.session.request(multi([sme("13812345621"), { kind: "list", name: "all" }])));
    expect(r).toMatchObject({ status: reasonToSmppStatus("CONSENT_MISSING"), messageId: "" });
    expect(r?.unsuccess.map((u) => u.status)).toEqual([
      reasonToSmppStatus("CONSENT_MISSING"),
      STATUS.ESME_RINVDLNAME,
    ]);
    // a fault of the whole PDU: every destination carries it
    const bad = resp(
      await esme.session.request(multi([sme("13812345621"), sme("13812345622")], { dataCoding: 0x04 })),
    );
    expect(bad?.status).toBe(STATUS.ESME_RINVDCS);
    expect(bad?.unsuccess.map((u) => u.status)).toEqual([STATUS.ESME_RINVDCS, STATUS.ESME_RINVDCS]);
  });

  it("refuses parts of a long message (ESME_RINVESMCLASS) and a receiver bind (ESME_RINVBNDSTS)", async () => {
    await grant(w.services, "13812345631", w.setup.platformId);
    const esme = await w.esme();
    const udh = resp(await esme.session.request(multi([sme("13812345631")], { esmClass: 0x40 })));
    expect(udh).toMatchObject({ status: STATUS.ESME_RINVESMCLASS, messageId: "", unsuccess: [] });
    const sar = multi([sme("13812345631")], {
      tlvs: { sarMsgRefNum: 1, sarTotalSegments: 2, sarSegmentSeqnum: 1 },
    });
    expect(resp(await esme.session.request(sar))?.status).toBe(STATUS.ESME_RINVESMCLASS);
    const rx = await w.esme("receiver");
    expect(resp(await rx.session.request(multi([sme("13812345631")])))?.status).toBe(STATUS.ESME_RINVBNDSTS);
    await new Promise((r) => setTimeout(r, 200));
    expect(await w.services.ctx.store.messages.listBySenders([w.setup.platformId], "", 10)).toEqual([]);
  });

  it("counts every destination against the account's tps", async () => {
    const created = await createSmppAccount(w.services.ctx, ADMIN, {
      enterpriseId: w.setup.platformId,
      defaultCategory: "marketing.retail",
      tps: 2,
    });
    const phones = ["13812345641", "13812345642", "13812345643", "13812345644", "13812345645"];
    for (const p of phones) await grant(w.services, p, w.setup.platformId);
    const esme: Esme = await w.esme("transceiver", {
      systemId: created.account.systemId,
      password: created.password,
    });
    const r = resp(await esme.session.request(multi(phones.map(sme))));
    expect(r?.status).toBe(0);
    const throttled = r?.unsuccess.filter((u) => u.status === STATUS.ESME_RTHROTTLED) ?? [];
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    expect(r?.unsuccess.length).toBe(throttled.length);
  });
});

describe("submit_multi malformed, and the commands anning does not take, on a bound raw socket", () => {
  let w: SmppWorld;
  beforeEach(async () => {
    w = await smppWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  function frame(commandId: number, body: number[], seq: number): Buffer {
    const h = Buffer.alloc(16);
    h.writeUInt32BE(16 + body.length, 0);
    h.writeUInt32BE(commandId, 4);
    h.writeUInt32BE(0, 8);
    h.writeUInt32BE(seq, 12);
    return Buffer.concat([h, Buffer.from(body)]);
  }

  it("answers generic_nack with the reason, keeps the session, and nacks replace_sm and data_sm ESME_RINVCMDID", async () => {
    const socket = connect({ host: "127.0.0.1", port: w.server.port });
    await new Promise<void>((r) => socket.once("connect", () => r()));
    let data = Buffer.alloc(0);
    socket.on("data", (d: Buffer) => {
      data = Buffer.concat([data, d]);
    });
    const headers = () => {
      const out: Array<ReturnType<typeof readHeader>> = [];
      for (let off = 0; off + 16 <= data.length; off += Math.max(16, readHeader(data, off).length))
        out.push(readHeader(data, off));
      return out;
    };
    const answerTo = (seq: number) => eventually(() => headers().find((h) => h.sequence === seq));
    socket.write(
      encodePdu({
        command: "bind_transceiver",
        sequence: 1,
        status: 0,
        ...bindFields(w.account),
      }),
    );
    expect((await answerTo(1)).status).toBe(0);
    const head = [0, 0, 0, ...Buffer.from("106"), 0];
    socket.write(frame(CMD.submit_multi, [...head, 0], 2));
    expect(await answerTo(2)).toMatchObject({
      commandId: CMD.generic_nack,
      status: STATUS.ESME_RINVNUMDESTS,
    });
    socket.write(frame(CMD.submit_multi, [...head, 1, 7, 1, 1, 0x38, 0x36, 0], 3));
    expect(await answerTo(3)).toMatchObject({
      commandId: CMD.generic_nack,
      status: STATUS.ESME_RINVDESTFLAG,
    });
    socket.write(frame(CMD.query_sm, [0x6d, 0x73, 0x67], 4));
    expect(await answerTo(4)).toMatchObject({ commandId: CMD.generic_nack, status: STATUS.ESME_RINVCMDLEN });
    for (const [seq, id] of [
      [5, CMD.replace_sm],
      [6, CMD.data_sm],
    ] as const) {
      socket.write(frame(id, [0, 0, 0, 0x31, 0], seq));
      expect(await answerTo(seq)).toMatchObject({
        commandId: CMD.generic_nack,
        status: STATUS.ESME_RINVCMDID,
      });
    }
    socket.write(encodePdu({ command: "enquire_link", sequence: 7, status: 0 }));
    expect(await answerTo(7)).toMatchObject({ commandId: CMD.enquire_link_resp, status: 0 });
    socket.destroy();
  });
});
