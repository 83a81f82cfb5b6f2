import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The built entry point. */
export const MAIN = join(ROOT, "dist/main.js");

/** Builds dist/ when it is missing (`npm test` builds it before vitest runs). */
export function ensureBuilt(): void {
  if (existsSync(MAIN)) return;
  const r = spawnSync("npm", ["run", "build"], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

/** Environment for a child anning process: the parent's, minus any ANNING_* settings, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("ANNING_")) base[k] = v;
  return { ...base, ...env };
}

/** Runs `node dist/main.js …args` to completion. */
export function runCli(args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync("node", [MAIN, ...args], {
    cwd: ROOT,
    env: childEnv(env),
    encoding: "utf8",
    timeout: 60_000,
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** A running `anning serve` child with its captured output. */
export interface Server {
  child: ChildProcess;
  base: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code and signal. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node dist/main.js serve` and waits until /healthz answers 200. */
export async function startServer(env: Record<string, string>, timeoutMs = 20_000): Promise<Server> {
  const port = await freePort();
  const child = spawn("node", [MAIN, "serve"], {
    cwd: ROOT,
    // SMPP on a free port unless a test names one (parallel servers must not share 2775)
    env: childEnv({
      ANNING_HTTP_HOST: "127.0.0.1",
      ANNING_HTTP_PORT: String(port),
      ANNING_SMPP_PORT: "0",
      ...env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString("utf8");
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString("utf8");
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal })),
  );
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}):\n${out}`);
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`server did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    base,
    output: () => out,
    async stop() {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}
