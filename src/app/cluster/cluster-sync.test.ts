import { describe, expect, it } from "vitest";
import type { Port } from "../../domain/sending-ports/port.js";
import type { AppContext } from "../context.js";
import { NO_BUS } from "./change-bus.port.js";
import { ClusterSync } from "./cluster-sync.js";

/** A store another node writes to: `ports` and `version` change under us; version reads can be held. */
function sharedStore() {
  const world = { version: 0, ports: [] as Port[], held: [] as Array<() => void> };
  let holdNext = false;
  const store = {
    cluster: {
      registryVersion: async () => {
        const v = world.version; // read now, answered later when held
        if (holdNext) {
          holdNext = false;
          await new Promise<void>((r) => world.held.push(r));
        }
        return v;
      },
    },
    enterprises: { list: async () => [], listPolicyOverrides: async () => [], listKeys: async () => [] },
    signatures: { list: async () => [], listAuthorizations: async () => [] },
    ports: { listPorts: async () => [...world.ports], listAllocations: async () => [] },
  };
  const ctx = { store, state: {}, apiKeys: new Map() } as unknown as AppContext & {
    state: { registry?: { ports: Map<string, Port> } };
  };
  return { world, ctx, holdNextRead: () => (holdNext = true) };
}

const PORT: Port = { id: "prt_1", providerId: "ent_v", number: "1069044444", categories: [], createdAt: 0 };

describe("ClusterSync.checkRegistry", () => {
  it("sees a change another node committed before the call, even with a check already under way", async () => {
    const { world, ctx, holdNextRead } = sharedStore();
    const sync = new ClusterSync(ctx, NO_BUS, 0);
    await sync.init();
    holdNextRead();
    const earlier = sync.checkRegistry(); // a poll: reads version 0, answer held
    world.version = 1; // another node adds a port and bumps the version…
    world.ports.push(PORT);
    const mine = sync.checkRegistry(); // …then its client asks this node
    world.held.shift()?.();
    await Promise.all([earlier, mine]);
    expect(ctx.state.registry?.ports.get("prt_1")).toEqual(PORT);
  });

  it("lets callers that came during one check share a single further check", async () => {
    const { world, ctx, holdNextRead } = sharedStore();
    let reads = 0;
    const read = ctx.store.cluster.registryVersion.bind(ctx.store.cluster);
    ctx.store.cluster.registryVersion = () => {
      reads++;
      return read();
    };
    const sync = new ClusterSync(ctx, NO_BUS, 0);
    await sync.init();
    reads = 0;
    holdNextRead();
    const first = sync.checkRegistry();
    const others = [sync.checkRegistry(), sync.checkRegistry(), sync.checkRegistry()];
    world.held.shift()?.();
    await Promise.all([first, ...others]);
    expect(reads).toBe(2);
  });
});
