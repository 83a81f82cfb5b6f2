import { describe, expect, it } from "vitest";
import { appHarness } from "../../test-support/app-fixtures.js";
import { aMessage } from "../../test-support/store-contract/fixtures.js";
import { receiptNotice, refusalNotice } from "./sender-notices.js";

describe("sender receipt notices", () => {
  it("carry what a deliver_sm receipt or a webhook needs, the text cut at 20 characters", async () => {
    const h = await appHarness();
    // 24 characters, one of them outside the BMP (two UTF-16 units): the cut never splits it
    const text = "【好物商城】双11大促🎉全场五折，回TD退订吧";
    // an SMPP sender split it in two: it holds two ids, and the receipt is pending for its binds
    const m = aMessage({ text, parts: 2, smppParts: 2 });
    const n = receiptNotice(h.services.ctx, m, { status: "delivered", stat: "DELIVRD", err: "000", at: 99 });
    expect(n).toMatchObject({ enterpriseId: m.senderId, kind: "receipt", messageId: m.id, createdAt: 99 });
    expect(n.smppDeliveredAt).toBeNull();
    expect(n.id).toMatch(/^ntc_/);
    expect(n.payload).toEqual({
      messageId: m.id,
      status: "delivered",
      stat: "DELIVRD",
      err: "000",
      phone: m.phone,
      port: m.port,
      parts: 2,
      submittedAt: m.createdAt,
      doneAt: 99,
      text: [...text].slice(0, 20).join(""),
    });
    expect(n.payload.text).toBe("【好物商城】双11大促🎉全场五折，回TD");
    // one submit_sm, however many parts it goes out in (message_payload): one id
    const payload = receiptNotice(
      h.services.ctx,
      { ...m, smppParts: 1 },
      { status: "delivered", stat: "DELIVRD", err: "000", at: 99 },
    );
    expect([payload.payload.parts, payload.smppDeliveredAt]).toEqual([1, null]);
    // not submitted over SMPP (HTTP, campaigns): the message id alone, and never pending for SMPP binds
    const { smppParts: _, ...viaHttp } = m;
    const http = receiptNotice(h.services.ctx, viaHttp, {
      status: "delivered",
      stat: "DELIVRD",
      err: "000",
      at: 99,
    });
    expect([http.payload.parts, http.smppDeliveredAt]).toEqual([1, 99]);
    expect(
      receiptNotice(
        h.services.ctx,
        { ...m, text: "短" },
        { status: "failed", stat: "UNDELIV", err: "001", at: 1 },
      ).payload.text,
    ).toBe("短");
    await h.services.close();
  });

  it("a refusal's notice is a REJECTD receipt naming the reason and, when given, the parts", async () => {
    const h = await appHarness();
    const m = aMessage({ status: "refused", parts: 3, smppParts: 3 });
    const n = refusalNotice(h.services.ctx, m, "MESSAGE_INCOMPLETE", [1, 2]);
    expect(n.payload).toMatchObject({
      status: "refused",
      stat: "REJECTD",
      err: "000",
      reason: "MESSAGE_INCOMPLETE",
      onlyParts: [1, 2],
    });
    expect(refusalNotice(h.services.ctx, m, undefined).payload).not.toHaveProperty("onlyParts");
    await h.services.close();
  });
});
