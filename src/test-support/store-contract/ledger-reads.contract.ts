import { describe, expect, it } from "vitest";
import type { ConsentEvent } from "../../domain/consent/consent.js";
import type { StoreContext } from "./context.js";
import { anEvent, aPhone, aRecipientId, NO_PHONES, T0 } from "./fixtures.js";
import { verifyLedger } from "./ledger.contract.js";

/** LedgerStore reads: one recipient's events, scans, recipients' numbers and the suppression feeds. */
export function ledgerReadsContract(ctx: StoreContext): void {
  describe("ledger reads", () => {
    it("returns one recipient's events in recording order", async () => {
      const r = aRecipientId();
      const other = aRecipientId();
      const recorded = await ctx.store.ledger.append(
        [
          anEvent({ recipientId: r, type: "request" }),
          anEvent({ recipientId: other }),
          anEvent({ recipientId: r, type: "confirm", recordedAt: T0 + 1 }),
        ],
        NO_PHONES,
      );
      await ctx.store.ledger.append(
        [anEvent({ recipientId: r, type: "withdraw", recordedAt: T0 + 2 })],
        NO_PHONES,
      );
      const mine = await ctx.store.ledger.eventsForRecipient(r);
      expect(mine.map((e) => e.type)).toEqual(["request", "confirm", "withdraw"]);
      expect(mine[0]).toEqual(recorded[0]);
      expect(await ctx.store.ledger.eventsForRecipient(aRecipientId())).toEqual([]);
    });

    it("scans events in seq order, page by page, with the recipient's number", async () => {
      const known = aRecipientId();
      const phone = aPhone();
      const recorded = await ctx.store.ledger.append(
        Array.from({ length: 7 }, (_, i) => anEvent({ recipientId: i % 2 === 0 ? known : aRecipientId() })),
        new Map([[known, phone]]),
      );
      const pages: ConsentEvent[][] = [];
      let after = 0;
      for (;;) {
        const page = await ctx.store.ledger.scanEvents(after, 3);
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1]?.seq ?? after;
      }
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      const scanned = pages.flat();
      expect(scanned).toEqual(recorded.map((e, i) => ({ ...e, phone: i % 2 === 0 ? phone : null })));
    });

    it("scans the index entries in seq order, page by page, with exactly the index's fields", async () => {
      const known = aRecipientId();
      const phone = aPhone();
      const recorded = await ctx.store.ledger.append(
        Array.from({ length: 5 }, (_, i) =>
          anEvent({ recipientId: i % 2 === 0 ? known : aRecipientId(), expiresAt: i === 2 ? 12345 : null }),
        ),
        new Map([[known, phone]]),
      );
      const first = await ctx.store.ledger.scanIndexEntries(0, 3);
      const rest = await ctx.store.ledger.scanIndexEntries(first.at(-1)?.seq ?? 0, 10);
      expect([...first, ...rest]).toEqual(
        recorded.map((e, i) => ({
          seq: e.seq,
          phone: i % 2 === 0 ? phone : null,
          enterpriseId: e.enterpriseId,
          category: e.category,
          type: e.type,
          expiresAt: e.expiresAt,
          recordedAt: e.recordedAt,
        })),
      );
    });

    it("scans one shard in chain order", async () => {
      const r = aRecipientId(4);
      const recorded = await ctx.store.ledger.append(
        Array.from({ length: 5 }, () => anEvent({ recipientId: r })),
        NO_PHONES,
      );
      await ctx.store.ledger.append([anEvent({ recipientId: aRecipientId(5) })], NO_PHONES);
      expect(await ctx.store.ledger.scanShard(4, 0, 2)).toEqual(recorded.slice(0, 2));
      expect(await ctx.store.ledger.scanShard(4, 2, 10)).toEqual(recorded.slice(2));
      expect(await ctx.store.ledger.scanShard(6, 0, 10)).toEqual([]);
    });

    it("keeps a recipient's number, and erases it without touching the events", async () => {
      const r = aRecipientId();
      const phone = aPhone();
      const phones = new Map([[r, phone]]);
      const recorded = [
        ...(await ctx.store.ledger.append(
          [anEvent({ recipientId: r }), anEvent({ recipientId: r })],
          phones,
        )),
        ...(await ctx.store.ledger.append([anEvent({ recipientId: r })], phones)),
        ...(await ctx.store.ledger.append([anEvent({ recipientId: r })], NO_PHONES)),
      ];
      const phonesScanned = async () => (await ctx.store.ledger.scanEvents(0, 10)).map((e) => e.phone);
      expect(await phonesScanned()).toEqual([phone, phone, phone, phone]);
      await ctx.store.ledger.eraseRecipient(r);
      expect(await ctx.store.ledger.scanEvents(0, 10)).toEqual(recorded.map((e) => ({ ...e, phone: null })));
      expect((await ctx.store.ledger.scanIndexEntries(0, 10)).map((e) => e.phone)).toEqual(
        recorded.map(() => null),
      );
      expect(await ctx.store.ledger.eventsForRecipient(r)).toEqual(recorded);
      recorded.push(...(await ctx.store.ledger.append([anEvent({ recipientId: r })], NO_PHONES)));
      expect(await phonesScanned()).toEqual([null, null, null, null, null]);
      expect(await verifyLedger(ctx.store)).toEqual({ checked: 5, problems: [] });
    });

    it("reports a number given later for all of the recipient's events, erased ones included", async () => {
      const r = aRecipientId();
      const other = aRecipientId();
      const phone = aPhone();
      const phonesScanned = async () => (await ctx.store.ledger.scanEvents(0, 10)).map((e) => e.phone);
      await ctx.store.ledger.append(
        [anEvent({ recipientId: r }), anEvent({ recipientId: other })],
        NO_PHONES,
      );
      expect(await phonesScanned()).toEqual([null, null]);
      await ctx.store.ledger.append([anEvent({ recipientId: r })], new Map([[r, phone]]));
      expect(await phonesScanned()).toEqual([phone, null, phone]);
      await ctx.store.ledger.eraseRecipient(r);
      await ctx.store.ledger.eraseRecipient(aRecipientId());
      expect(await phonesScanned()).toEqual([null, null, null]);
      await ctx.store.ledger.append([anEvent({ recipientId: r })], new Map([[r, phone]]));
      expect(await phonesScanned()).toEqual([phone, null, phone, phone]);
    });

    it("lists suppressions by enterprise, DND events included, page by page", async () => {
      const r = aRecipientId();
      const phone = aPhone();
      const dnd = { consentId: null, enterpriseId: null, category: "all", method: null } as const;
      const recorded = await ctx.store.ledger.append(
        [
          anEvent({ recipientId: r, enterpriseId: "ent_a", type: "grant" }),
          anEvent({ recipientId: r, enterpriseId: "ent_a", type: "withdraw" }),
          anEvent({ recipientId: r, enterpriseId: "ent_b", type: "withdraw" }),
          anEvent({ recipientId: r, ...dnd, type: "dnd_set" }),
          anEvent({ recipientId: r, enterpriseId: "ent_c", type: "withdraw" }),
          anEvent({ recipientId: r, ...dnd, type: "dnd_remove" }),
          anEvent({ recipientId: r, enterpriseId: "ent_a", type: "confirm" }),
        ],
        new Map([[r, phone]]),
      );
      const ids = (es: ConsentEvent[]) => es.map((e) => e.id);
      const at = (...i: number[]) => i.map((n) => recorded[n]?.id);
      const ofA = await ctx.store.ledger.suppressions(["ent_a"], 0, 10);
      expect(ids(ofA)).toEqual(at(1, 3, 5));
      expect(ofA[0]).toEqual({ ...recorded[1], phone });
      expect(ids(await ctx.store.ledger.suppressions(["ent_a", "ent_c"], 0, 10))).toEqual(at(1, 3, 4, 5));
      expect(ids(await ctx.store.ledger.suppressions([], 0, 10))).toEqual(at(3, 5));
      expect(ids(await ctx.store.ledger.suppressions("all", 0, 10))).toEqual(at(1, 2, 3, 4, 5));
      const firstPage = await ctx.store.ledger.suppressions("all", 0, 2);
      expect(ids(firstPage)).toEqual(at(1, 2));
      const after = firstPage[1]?.seq ?? 0;
      expect(ids(await ctx.store.ledger.suppressions("all", after, 2))).toEqual(at(3, 4));
      expect(ids(await ctx.store.ledger.suppressions(["ent_b"], after, 10))).toEqual(at(3, 5));
      const many = Array.from({ length: 40 }, (_, i) => `ent_many_${i}`);
      expect(ids(await ctx.store.ledger.suppressions([...many, "ent_c"], 0, 10))).toEqual(at(3, 4, 5));
      expect(ids(await ctx.store.ledger.suppressions([...many, "ent_a", "ent_c"], after, 2))).toEqual(
        at(3, 4),
      );
    });
  });
}
