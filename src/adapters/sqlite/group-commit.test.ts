import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GroupCommit } from "./group-commit.js";

let dir: string;
let db: Database.Database;
let other: Database.Database;

function open(file: string, busyMs: number): Database.Database {
  const d = new Database(file);
  d.pragma("journal_mode = WAL");
  d.pragma(`busy_timeout = ${busyMs}`);
  return d;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "anning-group-"));
  const file = join(dir, "g.db");
  db = open(file, 2000);
  db.exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)");
  other = open(file, 0);
});

afterEach(() => {
  other.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const count = (d: Database.Database) => Number(d.prepare("SELECT count(*) FROM t").pluck().get());
const turn = () => new Promise((r) => setImmediate(r));

describe("GroupCommit", () => {
  it("commits the writes of one turn together, and settles each only once they are durable", async () => {
    const g = new GroupCommit(db);
    const insert = db.prepare("INSERT INTO t (k, v) VALUES (?, ?)");
    const writes = ["a", "b", "c"].map((k) => g.write(async () => insert.run(k, 1).changes));
    // written on this connection, not yet committed: another connection does not see them
    expect(count(db)).toBe(3);
    expect(count(other)).toBe(0);
    expect(await Promise.all(writes)).toEqual([1, 1, 1]);
    expect(count(other)).toBe(3);
    expect(g.stats).toEqual({ groups: 1, writes: 3 });
  });

  it("runs a read in the turn's transaction and answers at once; the turn's writes join it", async () => {
    const g = new GroupCommit(db);
    db.prepare("INSERT INTO t (k, v) VALUES ('x', 7)").run();
    const get = db.prepare("SELECT v FROM t WHERE k = ?").pluck();
    const v = g.read(() => get.get("x"));
    expect(v).toBe(7);
    expect(db.inTransaction).toBe(true);
    const w = g.write(async () => db.prepare("UPDATE t SET v = 8 WHERE k = 'x'").run().changes);
    // the write is in the group the read opened: not visible elsewhere before the commit
    expect(other.prepare("SELECT v FROM t WHERE k = 'x'").pluck().get()).toBe(7);
    expect(await w).toBe(1);
    expect(g.stats.groups).toBe(1);
    expect(other.prepare("SELECT v FROM t WHERE k = 'x'").pluck().get()).toBe(8);
    expect(db.inTransaction).toBe(false);
  });

  it("commits a group opened by reads alone at the end of the turn", async () => {
    const g = new GroupCommit(db);
    g.read(() => count(db));
    expect(db.inTransaction).toBe(true);
    await turn();
    expect(db.inTransaction).toBe(false);
    // the lock is free again: another connection can write
    other.prepare("INSERT INTO t (k, v) VALUES ('y', 1)").run();
    expect(count(db)).toBe(1);
  });

  it("does not wait for the write lock to read, and keeps the connection's busy timeout", async () => {
    const g = new GroupCommit(db);
    db.prepare("INSERT INTO t (k, v) VALUES ('x', 7)").run();
    other.exec("BEGIN IMMEDIATE");
    other.prepare("INSERT INTO t (k, v) VALUES ('y', 1)").run();
    const t0 = Date.now();
    expect(g.read(() => count(db))).toBe(1);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(db.inTransaction).toBe(false);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(2000);
    other.exec("COMMIT");
    expect(g.read(() => count(db))).toBe(2);
    await turn();
  });
});
