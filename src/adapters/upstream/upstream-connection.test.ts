import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { Logger } from "../../app/logger.port.js";
import { SmscSimulator } from "../smpp/sim/smsc-simulator.js";
import { UpstreamConnection } from "./upstream-connection.js";
import { parseUpstreamUrl } from "./upstreams-config.js";

const silent: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  child: () => silent,
} as unknown as Logger;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A carrier that accepts connections and never answers anything (a hung SMSC). */
async function hungCarrier(): Promise<{ server: Server; open: Set<Socket>; port: number }> {
  const open = new Set<Socket>();
  const server = createServer((s) => {
    open.add(s);
    s.on("close", () => open.delete(s));
    s.on("error", () => {});
    s.resume(); // read (and drop) what comes, so a close from the other side is seen
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  );
  const address = server.address();
  return { server, open, port: typeof address === "object" && address ? address.port : 0 };
}

describe("upstream connection", () => {
  it("logs a carrier refusing its credentials as an error, on every attempt", async () => {
    const sim = await SmscSimulator.start({ port: 0, controlPort: -1, systemId: "right", password: "pw" });
    cleanups.push(() => sim.close());
    const errors: unknown[] = [];
    const log = { ...silent, error: (o: unknown) => errors.push(o) } as Logger;
    const cfg = parseUpstreamUrl(
      `smpp://wrong:pw@127.0.0.1:${sim.port}?reconnectMinMs=100&reconnectMaxMs=100`,
    );
    const conn = new UpstreamConnection(cfg, async () => {}, log);
    conn.start();
    cleanups.push(() => conn.stop());
    for (const until = Date.now() + 3000; errors.length < 2 && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 20));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatchObject({ upstream: "default", status: 0x0f });
  });

  it("closes a connection whose bind was never answered before it tries again", async () => {
    const carrier = await hungCarrier();
    const cfg = parseUpstreamUrl(
      `smpp://anning:pw@127.0.0.1:${carrier.port}?responseTimeoutMs=200&reconnectMinMs=100&reconnectMaxMs=100`,
    );
    const conn = new UpstreamConnection(cfg, async () => {}, silent);
    conn.start();
    cleanups.push(() => conn.stop());
    // several attempts, each timing out after 200 ms: never more than one connection open at a time
    let most = 0;
    for (const until = Date.now() + 1500; Date.now() < until; ) {
      most = Math.max(most, carrier.open.size);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(most).toBe(1);
    expect(conn.ready).toBe(false);
  });
});
