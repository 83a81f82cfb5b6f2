import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childEnv, ensureBuilt, freePort, ROOT } from "../support/process.js";

/** `npm start` as an operator runs it under a supervisor, which stops it by signalling npm. */
describe("npm start", () => {
  const dir = mkdtempSync(join(tmpdir(), "anning-npm-start-"));
  let group = 0;
  afterAll(() => {
    // whatever the outcome, nothing of npm's process group outlives the test
    try {
      if (group) process.kill(-group, "SIGKILL");
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  });

  it("passes SIGTERM to the gateway, which stops cleanly instead of living on without npm", async () => {
    ensureBuilt();
    const port = await freePort();
    const npm = spawn("npm", ["start", "--silent"], {
      cwd: ROOT,
      env: childEnv({
        ANNING_DATA_DIR: dir,
        ANNING_HTTP_PORT: String(port),
        ANNING_SMPP_PORT: "0",
      }),
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group, so that the test can clean up after a failure
    });
    group = npm.pid ?? 0;
    let out = "";
    npm.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    npm.stderr.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    const until = Date.now() + 20_000;
    while (!out.includes('"anning listening"')) {
      if (Date.now() > until || npm.exitCode !== null) throw new Error(`did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    npm.kill("SIGTERM");
    await new Promise((r) => npm.once("exit", r));
    // the gateway drained and stopped: no orphan still holding the port
    const stopped = Date.now() + 10_000;
    while (!out.includes('"stopped cleanly"') && Date.now() < stopped)
      await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('"stopped cleanly"');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 40_000);
});
