import { describe, expect, it } from "vitest";
import { expectConflict, type StoreContext, seedEnterprise } from "./context.js";
import { anAllocation, anAuthorization, aPort, aSignature, T0 } from "./fixtures.js";

/** SignatureStore and PortStore. */
export function registryContract(ctx: StoreContext): void {
  describe("signatures", () => {
    it("round-trips every field, lists, and returns null for an unknown id", async () => {
      const owner = await seedEnterprise(ctx.store);
      const s1 = aSignature(owner.id, { status: "pending", statusReason: "待审核", scope: ["verification"] });
      const s2 = aSignature(owner.id, { createdAt: T0 + 1 });
      await ctx.store.signatures.insert(s1);
      await ctx.store.signatures.insert(s2);
      expect(await ctx.store.signatures.get(s1.id)).toEqual(s1);
      expect(await ctx.store.signatures.get("sig_missing")).toBeNull();
      expect(await ctx.store.signatures.list()).toEqual([s1, s2]);
    });

    it("refuses a second live signature with the same text, but not after revocation", async () => {
      const owner = await seedEnterprise(ctx.store);
      const other = await seedEnterprise(ctx.store);
      const s = aSignature(owner.id);
      await ctx.store.signatures.insert(s);
      await expectConflict(
        ctx.store.signatures.insert(aSignature(other.id, { text: s.text })),
        "signature text",
      );
      await expectConflict(
        ctx.store.signatures.insert(aSignature(other.id, { text: s.text, status: "suspended" })),
        "signature text",
      );
      await ctx.store.signatures.update({ ...s, status: "revoked", statusReason: "expired licence" });
      const again = aSignature(other.id, { text: s.text });
      await ctx.store.signatures.insert(again);
      await ctx.store.signatures.insert(aSignature(other.id, { text: s.text, status: "revoked" }));
      expect(await ctx.store.signatures.get(again.id)).toEqual(again);
    });

    it("update replaces status and statusReason, and keeps the live text unique", async () => {
      const owner = await seedEnterprise(ctx.store);
      const s = aSignature(owner.id, { status: "pending" });
      await ctx.store.signatures.insert(s);
      await ctx.store.signatures.update({ ...s, status: "suspended", statusReason: "complaints" });
      expect(await ctx.store.signatures.get(s.id)).toEqual({
        ...s,
        status: "suspended",
        statusReason: "complaints",
      });
      await ctx.store.signatures.update({ ...s, status: "revoked" });
      await ctx.store.signatures.insert(aSignature(owner.id, { text: s.text }));
      await expectConflict(ctx.store.signatures.update({ ...s, status: "active" }), "signature text");
    });

    it("round-trips authorizations and revokes them", async () => {
      const owner = await seedEnterprise(ctx.store);
      const holder = await seedEnterprise(ctx.store);
      const s = aSignature(owner.id);
      await ctx.store.signatures.insert(s);
      const a1 = anAuthorization(s.id, holder.id);
      const a2 = anAuthorization(s.id, holder.id, { createdAt: T0 + 1, revokedAt: T0 + 2 });
      await ctx.store.signatures.insertAuthorization(a1);
      await ctx.store.signatures.insertAuthorization(a2);
      expect(await ctx.store.signatures.getAuthorization(a1.id)).toEqual(a1);
      expect(await ctx.store.signatures.getAuthorization("aut_missing")).toBeNull();
      expect(await ctx.store.signatures.listAuthorizations()).toEqual([a1, a2]);
      await ctx.store.signatures.revokeAuthorization(a1.id, T0 + 9);
      expect(await ctx.store.signatures.getAuthorization(a1.id)).toEqual({ ...a1, revokedAt: T0 + 9 });
    });
  });

  describe("ports", () => {
    it("round-trips ports, lists, and returns null for an unknown id", async () => {
      const provider = await seedEnterprise(ctx.store, { kind: "provider" });
      const p1 = aPort(provider.id, { categories: ["notification", "verification"] });
      const p2 = aPort(provider.id, { createdAt: T0 + 1 });
      await ctx.store.ports.insertPort(p1);
      await ctx.store.ports.insertPort(p2);
      expect(await ctx.store.ports.getPort(p1.id)).toEqual(p1);
      expect(await ctx.store.ports.getPort("prt_missing")).toBeNull();
      expect(await ctx.store.ports.listPorts()).toEqual([p1, p2]);
    });

    it("refuses a number already registered", async () => {
      const provider = await seedEnterprise(ctx.store, { kind: "provider" });
      const p = aPort(provider.id);
      await ctx.store.ports.insertPort(p);
      await expectConflict(
        ctx.store.ports.insertPort(aPort(provider.id, { number: p.number })),
        "port number",
      );
    });

    it("round-trips allocations and refuses the same port+extension to the same enterprise", async () => {
      const provider = await seedEnterprise(ctx.store, { kind: "provider" });
      const e1 = await seedEnterprise(ctx.store);
      const e2 = await seedEnterprise(ctx.store);
      const p = aPort(provider.id);
      await ctx.store.ports.insertPort(p);
      const a1 = anAllocation(p.id, e1.id, { extension: "01", signatureIds: ["sig_a", "sig_b"] });
      const a2 = anAllocation(p.id, e1.id, { extension: "", createdAt: T0 + 1 });
      const a3 = anAllocation(p.id, e2.id, { extension: "01", createdAt: T0 + 2 });
      await ctx.store.ports.insertAllocation(a1);
      await ctx.store.ports.insertAllocation(a2);
      await ctx.store.ports.insertAllocation(a3);
      await expectConflict(
        ctx.store.ports.insertAllocation(anAllocation(p.id, e1.id, { extension: "01" })),
        "allocation",
      );
      expect(await ctx.store.ports.listAllocations()).toEqual([a1, a2, a3]);
    });
  });
}
