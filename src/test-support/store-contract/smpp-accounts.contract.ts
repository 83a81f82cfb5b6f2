import { describe, expect, it } from "vitest";
import type { SmppAccount } from "../../domain/smpp/smpp-account.js";
import { expectConflict, type StoreContext, seedEnterprise } from "./context.js";
import { anId, nextN, T0 } from "./fixtures.js";

/** A fresh, active account of an enterprise, every field set. */
export function anSmppAccount(enterpriseId: string, overrides: Partial<SmppAccount> = {}): SmppAccount {
  return {
    id: anId("sma"),
    enterpriseId,
    systemId: `an${nextN()}`,
    passwordHash: `scrypt$16384$8$1$c2FsdA==$${nextN()}`,
    maxBinds: 4,
    tps: 100,
    defaultCategory: "marketing.retail",
    allowedIps: ["10.0.0.0/8", "2001:db8::1"],
    status: "active",
    failedBinds: 0,
    lockedUntil: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** SmppAccountStore: accounts, their unique system ids, patches and failed-bind locks. */
export function smppAccountsContract(ctx: StoreContext): void {
  describe("smpp accounts", () => {
    it("round-trips every field, by id and by system id", async () => {
      const e = await seedEnterprise(ctx.store);
      const a = anSmppAccount(e.id, { failedBinds: 2, lockedUntil: T0 + 9, updatedAt: T0 + 5 });
      const b = anSmppAccount(e.id, { defaultCategory: null, allowedIps: [], status: "disabled" });
      await ctx.store.smppAccounts.insert(a);
      await ctx.store.smppAccounts.insert(b);
      expect(await ctx.store.smppAccounts.get(a.id)).toEqual(a);
      expect(await ctx.store.smppAccounts.getBySystemId(b.systemId)).toEqual(b);
      expect(await ctx.store.smppAccounts.get("sma_missing")).toBeNull();
      expect(await ctx.store.smppAccounts.getBySystemId("nobody")).toBeNull();
    });

    it("refuses a taken system id, and a duplicate id", async () => {
      const e = await seedEnterprise(ctx.store);
      const a = anSmppAccount(e.id);
      await ctx.store.smppAccounts.insert(a);
      await expectConflict(
        ctx.store.smppAccounts.insert(anSmppAccount(e.id, { systemId: a.systemId })),
        "system id",
      );
      await expectConflict(ctx.store.smppAccounts.insert({ ...a, systemId: "another" }));
      expect(await ctx.store.smppAccounts.list("all")).toEqual([a]);
    });

    it("lists all accounts or some enterprises' in id order", async () => {
      const [e1, e2, e3] = [
        await seedEnterprise(ctx.store),
        await seedEnterprise(ctx.store),
        await seedEnterprise(ctx.store),
      ];
      const accounts = [
        anSmppAccount(e1.id),
        anSmppAccount(e2.id),
        anSmppAccount(e1.id),
        anSmppAccount(e3.id),
      ];
      for (const a of [...accounts].reverse()) await ctx.store.smppAccounts.insert(a);
      expect(await ctx.store.smppAccounts.list("all")).toEqual(accounts);
      expect(await ctx.store.smppAccounts.list([e1.id])).toEqual([accounts[0], accounts[2]]);
      expect(await ctx.store.smppAccounts.list([e3.id, e1.id, "ent_none"])).toEqual([
        accounts[0],
        accounts[2],
        accounts[3],
      ]);
      expect(await ctx.store.smppAccounts.list([])).toEqual([]);
    });

    it("updates only the fields given, clears the default category on null, and says null for no account", async () => {
      const e = await seedEnterprise(ctx.store);
      const a = anSmppAccount(e.id);
      await ctx.store.smppAccounts.insert(a);
      const p1 = await ctx.store.smppAccounts.update(a.id, { tps: 250, allowedIps: ["192.0.2.7"] }, T0 + 10);
      expect(p1).toEqual({ ...a, tps: 250, allowedIps: ["192.0.2.7"], updatedAt: T0 + 10 });
      const p2 = await ctx.store.smppAccounts.update(
        a.id,
        { defaultCategory: null, status: "disabled", maxBinds: 1, passwordHash: "scrypt$x" },
        T0 + 20,
      );
      const want = {
        ...p1,
        defaultCategory: null,
        status: "disabled",
        maxBinds: 1,
        passwordHash: "scrypt$x",
        updatedAt: T0 + 20,
      };
      expect(p2).toEqual(want);
      expect(await ctx.store.smppAccounts.update(a.id, {}, T0 + 30)).toEqual({ ...want, updatedAt: T0 + 30 });
      expect(await ctx.store.smppAccounts.get(a.id)).toEqual({ ...want, updatedAt: T0 + 30 });
      expect(await ctx.store.smppAccounts.update("sma_missing", { tps: 1 }, T0)).toBeNull();
    });

    it("counts failed binds, locks at the threshold and starts counting again; clearFailures forgets", async () => {
      const e = await seedEnterprise(ctx.store);
      const a = anSmppAccount(e.id);
      await ctx.store.smppAccounts.insert(a);
      const fail = (at: number) => ctx.store.smppAccounts.recordFailedBind(a.id, at, 3, 60_000);
      expect(await fail(T0 + 1)).toEqual({ ...a, failedBinds: 1 });
      expect((await fail(T0 + 2)).failedBinds).toBe(2);
      expect(await fail(T0 + 3)).toEqual({ ...a, failedBinds: 0, lockedUntil: T0 + 60_003 });
      expect(await fail(T0 + 70_000)).toEqual({ ...a, failedBinds: 1, lockedUntil: T0 + 60_003 });
      await ctx.store.smppAccounts.clearFailures(a.id);
      expect(await ctx.store.smppAccounts.get(a.id)).toEqual(a);
      await expect(ctx.store.smppAccounts.recordFailedBind("sma_missing", T0, 3, 1)).rejects.toThrow();
    });

    it("counts every one of concurrent failed binds", async () => {
      const e = await seedEnterprise(ctx.store);
      const a = anSmppAccount(e.id);
      await ctx.store.smppAccounts.insert(a);
      const results = await Promise.all(
        Array.from({ length: 7 }, () => ctx.store.smppAccounts.recordFailedBind(a.id, T0, 5, 1000)),
      );
      expect(results.filter((r) => r.lockedUntil !== null && r.failedBinds === 0)).toHaveLength(1);
      expect(await ctx.store.smppAccounts.get(a.id)).toMatchObject({
        failedBinds: 2,
        lockedUntil: T0 + 1000,
      });
    });

    it("keeps accounts across a reopen", async (t) => {
      const { reopen } = ctx.harness;
      if (!reopen) return t.skip();
      const e = await seedEnterprise(ctx.store);
      const a = anSmppAccount(e.id);
      await ctx.store.smppAccounts.insert(a);
      await ctx.store.close();
      const again = ctx.track(await reopen());
      expect(await again.smppAccounts.getBySystemId(a.systemId)).toEqual(a);
    });
  });
}
