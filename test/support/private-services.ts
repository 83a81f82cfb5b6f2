import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { freePort } from "./process.js";

/**
 * Private PostgreSQL and Redis instances for failure tests: each runs on its own free port, from its own
 * temporary directory, and can be stopped and started again at will. The machine's shared services
 * (127.0.0.1:5432 and :6379) are never touched: every command here names the private data directory,
 * port or child process it acts on.
 */
export interface PrivateService {
  /** Where clients connect: `postgres://postgres@127.0.0.1:PORT/test` or `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Whether it is running (as far as this helper knows). */
  readonly running: boolean;
  /** Stops it at once (PostgreSQL: fast shutdown, data kept; Redis: killed, data lost). */
  stop(): Promise<void>;
  /** Starts it again on the same port (PostgreSQL: the same data directory; Redis: empty). */
  start(): Promise<void>;
  /** Stops it (if running) and removes everything it left on disk. Safe to call twice. */
  destroy(): Promise<void>;
  /** The service's own log so far, for failure messages. */
  log(): string;
}

/** Services still alive when the test process exits are stopped synchronously (best effort). */
const alive = new Set<{ killNow(): void }>();
let exitHookInstalled = false;
function track(s: { killNow(): void }): void {
  alive.add(s);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const x of alive) {
      try {
        x.killNow();
      } catch {
        // best effort
      }
    }
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a command to completion (waiting for the process to exit, not for inherited pipes to close). */
function run(
  cmd: string,
  args: string[],
  opts: { timeoutMs?: number; cwd?: string } = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? "/", stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      // the postmaster may keep copies of the pipes; do not wait for them to close
      child.stdout.destroy();
      child.stderr.destroy();
      resolveRun({ code, out });
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// PostgreSQL

/** The bin directory of the newest PostgreSQL installed under /usr/lib/postgresql (or PG_BIN_DIR). */
export function postgresBinDir(): string {
  const given = process.env.PG_BIN_DIR;
  if (given && existsSync(join(given, "initdb"))) return given;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter(
          (v) => existsSync(join(root, v, "bin", "initdb")) && existsSync(join(root, v, "bin", "pg_ctl")),
        )
        .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))
    : [];
  const v = versions[0];
  if (v === undefined) throw new Error(`no PostgreSQL server binaries under ${root} (initdb, pg_ctl)`);
  return join(root, v, "bin");
}

/** uid and gid of a user, from `id`. */
function userIds(user: string): { uid: number; gid: number } {
  const uid = spawnSync("id", ["-u", user], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", user], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) throw new Error(`no user ${user} to run PostgreSQL as root`);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A temporary directory a non-root user can reach: every parent must be traversable by others. Falls
 * back to /tmp when the default temporary directory is not.
 */
function reachableTempBase(prefix: string): string {
  const candidates = [tmpdir(), "/tmp"];
  for (const base of candidates) {
    let ok = true;
    for (let d = base; ; d = dirname(d)) {
      try {
        accessSync(d, constants.F_OK);
        const mode = spawnSync("stat", ["-c", "%a", d], { encoding: "utf8" }).stdout.trim();
        // the "others" digit needs the execute bit
        if ((Number.parseInt(mode.slice(-1), 8) & 1) === 0) ok = false;
      } catch {
        ok = false;
      }
      if (!ok || d === dirname(d)) break;
    }
    if (ok) return mkdtempSync(join(base, prefix));
  }
  throw new Error("no temporary directory reachable by the postgres user");
}

export interface PrivatePostgres extends PrivateService {
  /** `postgres://postgres@127.0.0.1:PORT/test`: the database `test`, trust authentication. */
  readonly url: string;
  /** Stops with `pg_ctl stop -m immediate` (a crash, as when the machine goes away) instead of fast. */
  kill(): Promise<void>;
  /** A client on the `test` database (the caller ends it). */
  client(): Promise<pg.Client>;
}

/**
 * Creates a fresh PostgreSQL cluster in a temporary directory (initdb, trust authentication, user
 * `postgres`), starts it on a free port listening on 127.0.0.1 only (with its socket in the same
 * directory), and creates the database `test`. As root, the cluster belongs to the `postgres` user and
 * every command runs through `runuser -u postgres --`.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const base = reachableTempBase("anning-pg-");
  const data = join(base, "data");
  const sock = join(base, "sock");
  const logFile = join(base, "postgres.log");
  mkdirSync(sock);
  if (asRoot) {
    const { uid, gid } = userIds("postgres");
    chmodSync(base, 0o755);
    chownSync(base, uid, gid);
    chownSync(sock, uid, gid);
  }
  const cmd = (tool: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]] : [join(bin, tool), args];
  const pgRun = async (tool: string, args: string[], timeoutMs = 60_000) => {
    const [c, a] = cmd(tool, args);
    return run(c, a, { timeoutMs });
  };

  const init = await pgRun("initdb", [
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "-E",
    "UTF8",
    "--no-locale",
    "--no-sync",
  ]);
  if (init.code !== 0) {
    rmSync(base, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.code}):\n${init.out}`);
  }

  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/test`;
  let running = false;
  let destroyed = false;

  const readLog = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  const start = async () => {
    if (destroyed) throw new Error("private PostgreSQL was destroyed");
    if (running) return;
    const opts = `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    const r = await pgRun("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", "60", "-o", opts, "start"]);
    if (r.code !== 0) throw new Error(`pg_ctl start failed (${r.code}):\n${r.out}\n${readLog()}`);
    running = true;
    // pg_ctl -w waits for the postmaster; make sure it accepts connections over TCP too
    await waitFor(
      async () => {
        const c = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
        try {
          await c.connect();
          await c.query("SELECT 1");
          return true;
        } finally {
          await c.end().catch(() => {});
        }
      },
      30_000,
      () => `private PostgreSQL on ${port} did not accept connections:\n${readLog()}`,
    );
  };

  const stopWith = async (mode: "fast" | "immediate") => {
    if (!running) return;
    const r = await pgRun("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
    if (r.code !== 0 && !/not running|no server running|PID file .* does not exist/i.test(r.out))
      throw new Error(`pg_ctl stop failed (${r.code}):\n${r.out}`);
    running = false;
  };

  const killNow = () => {
    if (!running) return;
    const [c, a] = cmd("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"]);
    spawnSync(c, a, { stdio: "ignore", timeout: 30_000 });
    running = false;
    rmSync(base, { recursive: true, force: true });
  };
  const tracked = { killNow };
  track(tracked);

  try {
    await start();
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query("CREATE DATABASE test");
    } finally {
      await admin.end();
    }
  } catch (err) {
    killNow();
    alive.delete(tracked);
    rmSync(base, { recursive: true, force: true });
    throw err;
  }

  return {
    url,
    port,
    get running() {
      return running;
    },
    start,
    stop: () => stopWith("fast"),
    kill: () => stopWith("immediate"),
    async client() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      try {
        await stopWith("immediate");
      } catch {
        killNow();
      }
      alive.delete(tracked);
      rmSync(base, { recursive: true, force: true });
    },
    log: readLog,
  };
}

// ---------------------------------------------------------------------------------------------------
// Redis

/** The redis-server binary on the PATH. */
export function redisServerBin(): string {
  const r = spawnSync("which", ["redis-server"], { encoding: "utf8" });
  const p = r.stdout.trim();
  if (r.status !== 0 || !p) throw new Error("redis-server is not installed (apt-get install redis-server)");
  return p;
}

/** Sends PING on a fresh connection; resolves whether +PONG came back within `ms`. */
export function redisPing(port: number, ms = 1000): Promise<boolean> {
  return new Promise((resolvePing) => {
    const s = connect({ host: "127.0.0.1", port });
    let buf = "";
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolvePing(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    s.on("connect", () => s.write("PING\r\n"));
    s.on("data", (d: Buffer) => {
      buf += d.toString("utf8");
      if (buf.includes("\r\n")) done(buf.startsWith("+PONG"));
    });
    s.on("error", () => done(false));
  });
}

/**
 * Starts `redis-server` as a child process on a free port of 127.0.0.1, with no persistence at all:
 * `stop()` kills it and its data is gone, `start()` brings it back empty on the same port.
 */
export async function startPrivateRedis(): Promise<PrivateService> {
  const bin = redisServerBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "anning-redis-"));
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let out = "";
  let destroyed = false;

  const start = async () => {
    if (destroyed) throw new Error("private Redis was destroyed");
    if (child) return;
    const c = spawn(
      bin,
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--daemonize",
        "no",
        "--protected-mode",
        "no",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    c.stdout?.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    c.stderr?.on("data", (d: Buffer) => {
      out += d.toString("utf8");
    });
    exited = new Promise((r) => c.on("exit", () => r()));
    child = c;
    await waitFor(
      async () => {
        if (c.exitCode !== null || c.signalCode !== null)
          throw new GiveUp(`redis-server exited (${c.exitCode ?? c.signalCode}):\n${out}`);
        return redisPing(port, 500);
      },
      20_000,
      () => `private Redis on ${port} did not answer PING:\n${out}`,
    );
  };

  const stop = async () => {
    const c = child;
    if (!c) return;
    child = null;
    if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await exited;
    // the port is free again once the process is gone
    await waitFor(
      async () => !(await redisPing(port, 200)),
      5000,
      () => `Redis on ${port} still answers`,
    );
  };

  const tracked = {
    killNow() {
      child?.kill("SIGKILL");
      child = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  track(tracked);

  try {
    await start();
  } catch (err) {
    tracked.killNow();
    alive.delete(tracked);
    throw err;
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return child !== null;
    },
    start,
    stop,
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await stop().catch(() => tracked.killNow());
      alive.delete(tracked);
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => out,
  };
}

// ---------------------------------------------------------------------------------------------------

/** Thrown by a {@link waitFor} check to stop polling at once. */
export class GiveUp extends Error {}

/** Polls `check` until it returns true (errors count as false, except {@link GiveUp}) or the deadline passes. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => string,
  everyMs = 100,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `${describe()}${last ? `\nlast error: ${String((last as Error).message ?? last)}` : ""}`,
      );
    await sleep(everyMs);
  }
}
