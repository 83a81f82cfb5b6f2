import { describe, expect, it } from "vitest";
import type { StoreContext } from "./context.js";
import { T0 } from "./fixtures.js";

/** ClusterStore: the registry version and job leases several nodes coordinate through. */
export function clusterContract(ctx: StoreContext): void {
  describe("cluster", () => {
    it("starts the registry version at 0 and bumps it by one each time", async () => {
      const c = ctx.store.cluster;
      expect(await c.registryVersion()).toBe(0);
      expect(await c.bumpRegistryVersion()).toBe(1);
      expect(await c.bumpRegistryVersion()).toBe(2);
      expect(await c.registryVersion()).toBe(2);
    });

    it("gives a job lease to one owner until it expires or is released, and lets the holder renew", async () => {
      const c = ctx.store.cluster;
      expect(await c.leaseJob("webhooks", "node-a", T0, 1000)).toBe(true);
      expect(await c.leaseJob("webhooks", "node-b", T0 + 500, 1000)).toBe(false);
      expect(await c.leaseJob("webhooks", "node-a", T0 + 900, 1000)).toBe(true);
      expect(await c.leaseJob("webhooks", "node-b", T0 + 1500, 1000)).toBe(false);
      expect(await c.leaseJob("webhooks", "node-b", T0 + 1900, 1000)).toBe(true);
      expect(await c.leaseJob("anchors", "node-a", T0 + 1900, 1000)).toBe(true);
      await c.releaseJob("webhooks", "node-a");
      expect(await c.leaseJob("webhooks", "node-a", T0 + 2000, 1000)).toBe(false);
      await c.releaseJob("webhooks", "node-b");
      expect(await c.leaseJob("webhooks", "node-a", T0 + 2000, 1000)).toBe(true);
    });

    it("never gives one lease to two owners racing for it", async () => {
      const c = ctx.store.cluster;
      const won = await Promise.all(
        Array.from({ length: 8 }, (_, i) => c.leaseJob("sweep", `node-${i}`, T0, 60_000)),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
    });
  });
}
