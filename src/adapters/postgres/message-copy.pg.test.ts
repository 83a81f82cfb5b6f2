import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Message } from "../../domain/messages/message.js";
import { reason } from "../../domain/policy/reason-codes.js";
import { StoreConflictError } from "../../domain/shared/store-errors.js";
import { dropPgSchema, freshPgUrl } from "../../test-support/pg-test-db.js";
import { aCampaign, aMessage, anId, aPhone, T0 } from "../../test-support/store-contract/fixtures.js";
import { copyChunks, copyText } from "./message-copy.pg.js";
import { messageParams } from "./message-rows.pg.js";
import { COPY_MIN_ROWS } from "./message-store.pg.js";
import { openPostgresStore, type PostgresStore } from "./pg-store.js";

const AWKWARD = ["a\tb", "c\\d", "e\nf", "g\rh", "\\N", "\\.", "普通话", "😀\t", "", "x\u0001y"];

/** Messages whose every text column, now and then, holds something COPY's text format must escape. */
function awkwardMessages(n: number, campaignId: string | null = null): Message[] {
  const refusal = [reason("DND"), { code: "FREQUENCY_CAP" as const, message: "tab\there, back\\slash" }];
  return Array.from({ length: n }, (_, i) => {
    const odd = AWKWARD[i % AWKWARD.length] as string;
    const refused = i % 4 === 0;
    return aMessage({
      senderId: `ent_${i % 3}`,
      phone: i % 50 === 1 ? `x${odd}y` : aPhone(),
      text: i % 7 === 0 ? `t${odd}end` : "【好物商城】春季上新，全场八折。回TD退订",
      signatureId: i % 5 === 0 ? null : "sig_s",
      status: refused ? "refused" : "accepted",
      reasons: refused ? refusal : [],
      history:
        i % 9 === 0
          ? [
              { status: "accepted", at: T0, note: odd },
              { status: "refused", at: T0 + 1, reasons: [reason("DND")] },
            ]
          : [refused ? { status: "refused", at: T0, reasons: refusal } : { status: "accepted", at: T0 }],
      upstreamId: i % 11 === 0 ? `up\\${i}` : null,
      campaignId,
      notBefore: T0 + i,
    });
  });
}

/** The text-format rows of messages, encoded one value at a time (the reference). */
function reference(ms: readonly Message[]): string {
  return ms
    .map(
      (m) =>
        `${messageParams(m)
          .map((v) => (v === null ? "\\N" : copyText(String(v))))
          .join("\t")}\n`,
    )
    .join("");
}

describe("COPY encoding of messages", () => {
  it("writes exactly the escaped rows, whatever the values", () => {
    const ms = awkwardMessages(500);
    expect(Buffer.concat([...copyChunks(ms)]).toString()).toBe(reference(ms));
  });

  it("cuts chunks at row ends and gives an over-long row a chunk of its own", () => {
    const long = aMessage({ text: "长".repeat(600_000) });
    const ms = [...awkwardMessages(3_000), long, ...awkwardMessages(10)];
    const chunks = [...copyChunks(ms)];
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c[c.length - 1]).toBe(0x0a);
    expect(Buffer.concat(chunks).toString()).toBe(reference(ms));
  });
});

describe("PgMessageStore bulk inserts (COPY)", () => {
  let store: PostgresStore;
  let schema: string;
  beforeAll(async () => {
    const fresh = freshPgUrl("copy");
    schema = fresh.schema;
    store = await openPostgresStore({ url: fresh.url, poolSize: 2 });
  });
  afterAll(async () => {
    await store?.close();
    await dropPgSchema(schema);
  });

  it("round-trips a large batch of awkward messages", async () => {
    const ms = awkwardMessages(COPY_MIN_ROWS * 3);
    await store.messages.insertMany(ms);
    const back = await store.messages.listBySenders("all", "", ms.length + 1);
    expect(back).toEqual([...ms].sort((a, b) => (a.id < b.id ? -1 : 1)));
  });

  it("inserts nothing of a large batch holding a known id, and the connection stays usable", async () => {
    const [known] = awkwardMessages(1);
    await store.messages.insert(known as Message);
    for (const at of [0, COPY_MIN_ROWS * 5 - 1]) {
      const batch = awkwardMessages(COPY_MIN_ROWS * 5);
      batch[at] = { ...(known as Message) };
      const err = await store.messages.insertMany(batch).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreConflictError);
      expect((err as StoreConflictError).what).toBe("message id");
      expect(await store.messages.get((batch[1] as Message).id)).toBeNull();
    }
    expect(await store.ping()).toBeUndefined();
  });

  it("records a large chunk and its idempotency keys in the chunk's transaction", async () => {
    const c = aCampaign({ id: anId("cpg"), total: COPY_MIN_ROWS * 2 });
    await store.campaigns.insert(
      c,
      Array.from({ length: c.total }, () => aPhone()),
    );
    const chunk = awkwardMessages(c.total, c.id).map((m, i) =>
      i === 7 ? { ...m, idempotencyKey: "ck" } : m,
    );
    expect(await store.campaigns.recordChunk(c.id, 0, c.total, chunk, 10, { DND: 2 }, T0 + 1)).toBe(true);
    expect(await store.messages.listByCampaign(c.id, "", c.total + 1)).toEqual(chunk);
    const again = aMessage({ senderId: (chunk[7] as Message).senderId, idempotencyKey: "ck" });
    expect(await store.messages.insert(again)).toEqual({ inserted: false, existing: chunk[7] });
  });
});
