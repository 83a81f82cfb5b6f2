import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type SqliteStore } from "./sqlite-store.js";

const KEY = Buffer.alloc(32, 3);
let dir: string;
let store: SqliteStore | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "anning-ckpt-"));
});

afterEach(async () => {
  await store?.close();
  store = null;
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens a store on `name` in the test's directory, its WAL checkpointed by the thread every `intervalMs`. */
function withThread(name: string, intervalMs: number): SqliteStore {
  store = openSqliteStore({ file: join(dir, name), ledgerKey: KEY, backgroundCheckpoints: { intervalMs } });
  return store;
}

/** Writes `n` rows of about 1 KiB, each in its own commit (many WAL frames). */
function churn(s: SqliteStore, n: number): void {
  s.db.exec("CREATE TABLE IF NOT EXISTS churn (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  const ins = s.db.prepare("INSERT INTO churn (v) VALUES (?)");
  for (let i = 0; i < n; i++) ins.run("x".repeat(1000));
}

describe("background WAL checkpoints", () => {
  it("checkpoint from a thread: the writing connection's own threshold is raised, the WAL still gets copied", async () => {
    const s = withThread("a.db", 20);
    expect(s.db.pragma("wal_autocheckpoint", { simple: true })).toBe(20_000);
    churn(s, 3000);
    // every committed frame ends up copied into the database file by the thread
    await until("a full checkpoint", () => {
      const last = s.checkpoints?.stats.last;
      return last !== null && last !== undefined && last.log > 0 && last.checkpointed === last.log;
    });
    expect(s.checkpoints?.stats.errors).toBe(0);
    // and the data is what was written, through another connection too
    const other = openSqliteStore({ file: join(dir, "a.db"), ledgerKey: KEY });
    try {
      expect(other.db.prepare("SELECT count(*) FROM churn").pluck().get()).toBe(3000);
    } finally {
      await other.close();
    }
  });

  it("keeps the WAL from growing without bound while writes go on", async () => {
    const s = withThread("b.db", 10);
    for (let round = 0; round < 20; round++) {
      churn(s, 500);
      await new Promise((r) => setTimeout(r, 30));
    }
    // 10,000 rows of 1 KiB, each its own commit: without checkpoints the WAL would hold every frame
    const walBytes = statSync(join(dir, "b.db-wal")).size;
    expect(walBytes).toBeLessThan(40 * 1024 * 1024);
    expect(s.checkpoints?.stats.checkpoints).toBeGreaterThan(5);
  });

  it("stops its thread at close, after a last checkpoint", async () => {
    const s = withThread("c.db", 60_000);
    churn(s, 200);
    const before = s.checkpoints?.stats.checkpoints ?? 0;
    await s.close();
    store = null;
    expect(s.checkpoints?.stats.checkpoints).toBe(before + 1);
    expect(s.checkpoints?.stats.last?.checkpointed).toBe(s.checkpoints?.stats.last?.log);
  });

  it("is off unless asked for, and never on an in-memory database", async () => {
    store = openSqliteStore({ file: join(dir, "d.db"), ledgerKey: KEY });
    expect(store.checkpoints).toBeNull();
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    const mem = openSqliteStore({ file: ":memory:", ledgerKey: KEY, backgroundCheckpoints: true });
    expect(mem.checkpoints).toBeNull();
    await mem.close();
  });
});
