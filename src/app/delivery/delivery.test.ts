import { describe, expect, it } from "vitest";
import { RecordingUpstream } from "../../adapters/upstream/recording-upstream.js";
import type { Message } from "../../domain/messages/message.js";
import { appHarness, grant, sendingSetup } from "../../test-support/app-fixtures.js";
import { changeDnd } from "../consent/dnd.js";
import { withdrawConsent } from "../consent/withdraw-consent.js";
import { ADMIN } from "../context.js";
import { submitMessage } from "../messaging/submit-message.js";
import { setEnterpriseStatus } from "../registry/enterprises.js";
import { listMessageEvents } from "../webhooks/message-events.js";
import type { Upstream, UpstreamResult } from "./upstream.port.js";

const PHONE = "13812345678";

/** Resolves once `ok()` holds, polling every 10 ms; fails after 5 s. */
async function eventually(ok: () => boolean): Promise<void> {
  for (const until = Date.now() + 5000; !ok(); ) {
    if (Date.now() > until) throw new Error("condition not met within 5 s");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An upstream whose hand-overs never complete: the process "dies" while they are in flight. */
class HangingUpstream implements Upstream {
  readonly name = "hanging";
  calls = 0;
  submit(): Promise<UpstreamResult> {
    this.calls++;
    return new Promise(() => {});
  }
  async close() {}
}

async function acceptedMessage(h: Awaited<ReturnType<typeof appHarness>>) {
  const s = h.services;
  const f = await sendingSetup(s);
  await grant(s, PHONE, f.platformId);
  const r = await submitMessage(s.ctx, ADMIN, {
    senderId: f.platformId,
    signature: f.signature,
    port: f.port,
    phone: PHONE,
    text: f.text,
    category: "marketing.retail",
  });
  expect(r.status).toBe("accepted");
  return { f, id: r.id };
}

/**
 * A carrier whose binds can all go down (capacity 0) while hand-overs are out; each hand-over waits until
 * the test settles it, or goes at once once `instant` is set.
 */
class FlakyUpstream implements Upstream {
  readonly name = "flaky";
  cap = 2;
  instant = false;
  readonly handedOver: string[] = [];
  readonly waiting: Array<(r: UpstreamResult) => void> = [];
  capacity(): number {
    return this.cap;
  }
  submit(m: Message): Promise<UpstreamResult> {
    const done = (r: UpstreamResult) => {
      if (r.ok) this.handedOver.push(m.id);
      return r;
    };
    if (this.instant) return Promise.resolve(done({ ok: true, upstreamId: `u-${m.id}` }));
    return new Promise((resolve) => this.waiting.push((r) => resolve(done(r))));
  }
  async close() {}
}

describe("delivery", () => {
  it("a crash between accept and dispatch loses nothing and sends once after restart", async () => {
    const h = await appHarness();
    const { id } = await acceptedMessage(h);
    // crash: the first process never dispatched; a new one opens the same file
    const up = new RecordingUpstream();
    const again = await h.reopen(up);
    await again.dispatcher.start();
    await again.dispatcher.drain();
    // the started loop may hold the batch: stopping waits until it has recorded it
    await again.dispatcher.stop();
    expect(up.handedOver).toEqual([id]);
    expect((await again.ctx.store.messages.get(id))?.status).toBe("sent");
    // another restart sends nothing more
    const up2 = new RecordingUpstream();
    const third = await h.reopen(up2);
    await third.dispatcher.start();
    await third.dispatcher.drain();
    // the started loop may hold the batch: stopping waits until it has recorded it
    await third.dispatcher.stop();
    expect(up2.handedOver).toEqual([]);
    await third.close();
    await again.close();
  });

  it("a crash during hand-over marks the message unknown and never resends it", async () => {
    const h = await appHarness();
    const hanging = new HangingUpstream();
    const s = await h.reopen(hanging);
    const { id } = await acceptedMessage({ ...h, services: s });
    void s.dispatcher.dispatchBatch();
    await new Promise((r) => setTimeout(r, 50));
    expect(hanging.calls).toBe(1);
    expect((await s.ctx.store.messages.get(id))?.status).toBe("dispatching");
    const up = new RecordingUpstream();
    const after = await h.reopen(up);
    await after.dispatcher.start();
    await after.dispatcher.drain();
    // the started loop may hold the batch: stopping waits until it has recorded it
    await after.dispatcher.stop();
    const m = (await after.ctx.store.messages.get(id)) as Message;
    expect(m.status).toBe("unknown");
    expect(up.handedOver).toEqual([]);
    await after.close();
  });

  it("the loop goes on after every carrier bind went down with hand-overs out, once binds are back", async () => {
    const h = await appHarness();
    const s = h.services;
    const f = await sendingSetup(s);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const phone = `1381234560${i}`;
      await grant(s, phone, f.platformId);
      const r = await submitMessage(s.ctx, ADMIN, {
        senderId: f.platformId,
        signature: f.signature,
        port: f.port,
        phone,
        text: f.text,
        category: "notification",
      });
      ids.push(r.id);
    }
    const up = new FlakyUpstream();
    const again = await h.reopen(up);
    await again.dispatcher.start();
    await eventually(() => up.waiting.length === 2);
    // every bind goes down: the two out come back as "not sent", one after the other, and meanwhile
    // nothing may be claimed (the loop once waited here for fewer than none in flight, for ever)
    up.cap = 0;
    const notSent: UpstreamResult = { ok: false, permanent: false, error: "no bind up" };
    up.waiting.shift()?.(notSent);
    await new Promise((r) => setTimeout(r, 50));
    up.waiting.shift()?.(notSent);
    await new Promise((r) => setTimeout(r, 50));
    // the binds are back and the retry time has come: all four go
    up.cap = 2;
    up.instant = true;
    h.clock.advance(60_000);
    again.dispatcher.wake();
    await eventually(() => up.handedOver.length === 4);
    expect([...up.handedOver].sort()).toEqual([...ids].sort());
    await again.dispatcher.stop();
    await again.close();
    await s.close();
  });

  it("a message the carrier cannot take for now waits longer after each try, up to five minutes", async () => {
    const h = await appHarness();
    const { id } = await acceptedMessage(h);
    const up = new FlakyUpstream();
    const again = await h.reopen(up);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const tried = again.dispatcher.dispatchBatch();
      await eventually(() => up.waiting.length === 1);
      up.waiting.shift()?.({ ok: false, permanent: false, error: "no bind up on a" });
      await tried;
      const m = (await again.ctx.store.messages.get(id)) as Message;
      expect(m.status).toBe("accepted");
      waits.push(m.notBefore - h.clock.now());
      h.clock.set(m.notBefore);
    }
    expect(waits).toEqual([5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    await again.close();
    await h.services.close();
  });

  it("a claim committed whose answer was lost (the database went away) is settled unknown, never left dispatching", async () => {
    const h = await appHarness();
    const { id } = await acceptedMessage(h);
    const up = new RecordingUpstream();
    const again = await h.reopen(up);
    const messages = again.ctx.store.messages;
    const claim = messages.claimOutbox.bind(messages);
    let lost = false;
    messages.claimOutbox = async (limit, now) => {
      const claimed = await claim(limit, now);
      if (lost || claimed.length === 0) return claimed;
      lost = true;
      throw new Error("connection lost after the commit");
    };
    await again.dispatcher.start();
    await eventually(() => lost);
    for (const until = Date.now() + 5000; Date.now() < until; ) {
      if ((await messages.get(id))?.status !== "dispatching") break;
      again.dispatcher.wake();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await messages.get(id))?.status).toBe("unknown");
    expect(up.handedOver).toEqual([]);
    await again.dispatcher.stop();
    await again.close();
    await h.services.close();
  });

  it("a withdrawal stops a queued message before hand-over", async () => {
    const h = await appHarness();
    const s = h.services;
    const { f, id } = await acceptedMessage(h);
    await withdrawConsent(s.ctx, ADMIN, { phone: PHONE, enterpriseId: f.platformId, channel: "app" });
    const up = new RecordingUpstream();
    const again = await h.reopen(up);
    await again.dispatcher.start();
    await again.dispatcher.drain();
    // the started loop may hold the batch: stopping waits until it has recorded it
    await again.dispatcher.stop();
    const m = (await again.ctx.store.messages.get(id)) as Message;
    expect(m.status).toBe("refused");
    expect(m.reasons.map((r) => r.code)).toEqual(["CONSENT_WITHDRAWN"]);
    expect(up.handedOver).toEqual([]);
    await again.close();
  });

  it("DND and suspension also stop queued messages", async () => {
    const h = await appHarness();
    const s = h.services;
    const { f, id } = await acceptedMessage(h);
    await changeDnd(s.ctx, ADMIN, { phone: PHONE, scope: "all" }, true);
    await setEnterpriseStatus(s.ctx, ADMIN, f.platformId, "suspended", "complaints");
    await s.dispatcher.drain();
    const m = (await s.ctx.store.messages.get(id)) as Message;
    expect(m.status).toBe("refused");
    expect(m.reasons.map((r) => r.code)).toEqual(["SENDER_SUSPENDED", "DND"]);
    await s.close();
  });

  /** A notification accepted with 15 s of validity (SMPP validity_period), no dispatcher running. */
  async function shortLived() {
    const h = await appHarness();
    const s = h.services;
    const f = await sendingSetup(s);
    const r = await submitMessage(s.ctx, ADMIN, {
      senderId: f.platformId,
      signature: f.signature,
      port: f.port,
      phone: PHONE,
      text: f.text,
      category: "notification",
      validUntil: h.clock.now() + 15_000,
    });
    return { h, s, f, r };
  }

  it("a message whose validity ends while no carrier is up expires, and its sender gets EXPIRED", async () => {
    const { h, s, f, r } = await shortLived();
    expect(r.status).toBe("accepted");
    const down: Upstream = {
      name: "down",
      ready: () => false,
      submit: () => new Promise(() => {}),
      close: async () => {},
    };
    const again = await h.reopen(down);
    await again.dispatcher.start();
    await new Promise((res) => setTimeout(res, 50));
    expect((await again.ctx.store.messages.get(r.id))?.status).toBe("accepted"); // still valid: waits
    h.clock.advance(16_000);
    again.dispatcher.wake();
    await eventually(() => again.dispatcher.stats.refused === 1);
    const m = (await again.ctx.store.messages.get(r.id)) as Message;
    expect([m.status, m.reasons.map((x) => x.code)]).toEqual(["refused", ["MESSAGE_EXPIRED"]]);
    const events = await listMessageEvents(again.ctx, f.platformId, "0", 100);
    expect(events.items.filter((e) => e.type === "receipt")).toEqual([
      expect.objectContaining({ messageId: r.id, status: "refused", stat: "EXPIRED" }),
    ]);
    await again.dispatcher.stop();
    await again.close();
    await s.close();
  });

  it("a message claimed after its validity is refused MESSAGE_EXPIRED with an EXPIRED receipt, not REJECTD", async () => {
    const { h, s, f, r } = await shortLived();
    h.clock.advance(16_000);
    const up = new RecordingUpstream();
    const again = await h.reopen(up);
    await again.dispatcher.drain();
    expect(up.handedOver).toEqual([]);
    const events = await listMessageEvents(again.ctx, f.platformId, "0", 100);
    expect(events.items.filter((e) => e.type === "receipt")).toEqual([
      expect.objectContaining({ messageId: r.id, status: "refused", stat: "EXPIRED" }),
    ]);
    await again.close();
    await s.close();
  });

  it("a message meeting quiet hours waits for the window, then goes", async () => {
    const h = await appHarness();
    const s = h.services;
    const { id } = await acceptedMessage(h);
    h.clock.set(Date.parse("2026-11-25T13:30:00Z")); // 21:30 in Shanghai
    const up = new RecordingUpstream();
    const again = await h.reopen(up);
    await again.dispatcher.drain();
    let m = (await again.ctx.store.messages.get(id)) as Message;
    expect(m.status).toBe("accepted");
    expect(m.notBefore).toBe(Date.parse("2026-11-26T00:00:00Z")); // 08:00 next day in Shanghai
    h.clock.set(Date.parse("2026-11-26T00:00:01Z"));
    await again.dispatcher.drain();
    m = (await again.ctx.store.messages.get(id)) as Message;
    expect(m.status).toBe("sent");
    expect(up.handedOver).toEqual([id]);
    await again.close();
    await s.close();
  });
});
