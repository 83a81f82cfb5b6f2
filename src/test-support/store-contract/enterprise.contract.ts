import { describe, expect, it } from "vitest";
import type { PartialProfile } from "../../domain/policy/policy.js";
import { expectConflict, type StoreContext, seedEnterprise } from "./context.js";
import { anApiKey, anEnterprise, T0 } from "./fixtures.js";

/** EnterpriseStore: enterprises, API keys, policy overrides. */
export function enterpriseContract(ctx: StoreContext): void {
  describe("enterprises", () => {
    it("round-trips every field and returns null for an unknown id", async () => {
      const platform = anEnterprise({ kind: "platform", statusReason: "审核中", status: "suspended" });
      const merchant = anEnterprise({ kind: "merchant", parentId: platform.id, createdAt: T0 + 5 });
      await ctx.store.enterprises.insert(platform);
      await ctx.store.enterprises.insert(merchant);
      expect(await ctx.store.enterprises.get(platform.id)).toEqual(platform);
      expect(await ctx.store.enterprises.get(merchant.id)).toEqual(merchant);
      expect(await ctx.store.enterprises.get("ent_missing")).toBeNull();
    });

    it("refuses a duplicate id", async () => {
      const e = await seedEnterprise(ctx.store);
      await expectConflict(ctx.store.enterprises.insert({ ...e, name: "other" }));
    });

    it("update replaces status and statusReason", async () => {
      const e = await seedEnterprise(ctx.store);
      await ctx.store.enterprises.update({ ...e, status: "suspended", statusReason: "complaints" });
      expect(await ctx.store.enterprises.get(e.id)).toEqual({
        ...e,
        status: "suspended",
        statusReason: "complaints",
      });
      await ctx.store.enterprises.update({ ...e, status: "active", statusReason: null });
      expect(await ctx.store.enterprises.get(e.id)).toEqual(e);
    });

    it("lists every enterprise, oldest first", async () => {
      const later = await seedEnterprise(ctx.store, { createdAt: T0 + 2000 });
      const first = await seedEnterprise(ctx.store, { createdAt: T0 });
      const middle = await seedEnterprise(ctx.store, { createdAt: T0 + 1000, kind: "provider" });
      expect(await ctx.store.enterprises.list()).toEqual([first, middle, later]);
    });
  });

  describe("api keys", () => {
    it("round-trips keys, revoked ones included", async () => {
      const e = await seedEnterprise(ctx.store);
      const k1 = anApiKey(e.id);
      const k2 = anApiKey(e.id, { revokedAt: T0 + 10, createdAt: T0 + 1 });
      await ctx.store.enterprises.insertKey(k1);
      await ctx.store.enterprises.insertKey(k2);
      expect(await ctx.store.enterprises.listKeys()).toEqual([k1, k2]);
    });

    it("refuses a second key with the same hash", async () => {
      const e = await seedEnterprise(ctx.store);
      const k = anApiKey(e.id);
      await ctx.store.enterprises.insertKey(k);
      await expectConflict(ctx.store.enterprises.insertKey(anApiKey(e.id, { hash: k.hash })), "api key");
    });

    it("revokes a key of its enterprise only", async () => {
      const e = await seedEnterprise(ctx.store);
      const other = await seedEnterprise(ctx.store);
      const k = anApiKey(e.id);
      await ctx.store.enterprises.insertKey(k);
      expect(await ctx.store.enterprises.revokeKey(other.id, k.id, T0 + 5)).toBe(false);
      expect(await ctx.store.enterprises.revokeKey(e.id, "key_missing", T0 + 5)).toBe(false);
      expect((await ctx.store.enterprises.listKeys())[0]?.revokedAt).toBeNull();
      expect(await ctx.store.enterprises.revokeKey(e.id, k.id, T0 + 5)).toBe(true);
      expect(await ctx.store.enterprises.listKeys()).toEqual([{ ...k, revokedAt: T0 + 5 }]);
    });
  });

  describe("policy overrides", () => {
    it("round-trips an override and replaces it on a second set", async () => {
      const a = await seedEnterprise(ctx.store);
      const b = await seedEnterprise(ctx.store);
      const first: PartialProfile = {
        marketingHours: { start: "09:00", end: "20:00" },
        perSenderPerDay: 1,
        verification: { perMinute: 1 },
      };
      const second: PartialProfile = { requireOptOutText: true, perRecipientPerDay: 3 };
      await ctx.store.enterprises.setPolicyOverride(a.id, first, T0);
      await ctx.store.enterprises.setPolicyOverride(b.id, first, T0);
      await ctx.store.enterprises.setPolicyOverride(a.id, second, T0 + 1);
      const all = await ctx.store.enterprises.listPolicyOverrides();
      expect(all).toHaveLength(2);
      expect(all).toEqual(
        expect.arrayContaining([
          { enterpriseId: a.id, override: second },
          { enterpriseId: b.id, override: first },
        ]),
      );
    });
  });
}
