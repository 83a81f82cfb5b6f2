import type Database from "better-sqlite3";

/**
 * Group commit for the SQLite store: the writes made in one turn of the event loop share one
 * transaction, committed at the end of the turn (setImmediate). Each write runs at once, on the one
 * connection (so later reads see it), and its promise settles only when the group has committed: a
 * caller that answers its client after `await store.x(...)` still answers only about durable data. A write
 * that fails rolls back only itself (its own transaction is a savepoint of the group's). One commit per
 * turn instead of one per write is what lets the send path record tens of thousands of messages a second
 * (each commit appends the changed pages of the table and of every index to the WAL).
 */
export class GroupCommit {
  /**
   * Groups open in this process. Another connection to the same file (a second store in one process)
   * would wait on the write lock for ever, since the group holding it commits on this very thread: a group
   * opening commits the others first.
   */
  private static readonly opened = new Set<GroupCommit>();
  private open = false;
  private done: Promise<void> = Promise.resolve();
  private settle: { resolve: () => void; reject: (err: unknown) => void } | null = null;
  private readonly begin: Database.Statement;
  private readonly commitStmt: Database.Statement;
  private readonly rollback: Database.Statement;
  /**
   * The connection's busy_timeout, put back after a read tried to open a group without waiting (a
   * prepared PRAGMA takes effect when prepared, not when run, so it is set by `db.pragma` each time).
   */
  private readonly busyMs: number;
  /** Groups committed and writes in them, for tests and metrics. */
  readonly stats = { groups: 0, writes: 0 };

  /** @param windowMs how long a group stays open for more writes (0: to the end of this turn). */
  constructor(
    private readonly db: Database.Database,
    private readonly windowMs = 0,
  ) {
    this.begin = db.prepare("BEGIN IMMEDIATE");
    this.commitStmt = db.prepare("COMMIT");
    this.rollback = db.prepare("ROLLBACK");
    this.busyMs = Math.max(0, Math.trunc(Number(db.pragma("busy_timeout", { simple: true }))));
  }

  /** Runs one store write in the current group; resolves with its value once the group committed. */
  write<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.open) {
      // a transaction opened by something else (start-up, tooling): the write is on its own
      if (this.db.inTransaction) return fn();
      this.openGroup();
    }
    this.stats.writes++;
    const done = this.done;
    let p: Promise<T>;
    try {
      p = fn();
    } catch (err) {
      return Promise.reject(err);
    }
    return p.then((v) => done.then(() => v));
  }

  /**
   * Runs one store read in the current group (opening one if none is), and returns at once: its
   * statements then run inside a transaction. A statement outside one opens and closes a read
   * transaction of its own (a few microseconds of locking on the WAL index each time, more than a
   * lookup by key costs), so the reads of a busy turn share the group's instead. The read sees what the
   * turn wrote before it, as any read on this connection does.
   */
  read<T>(fn: () => T): T {
    if (!this.open && !this.db.inTransaction) {
      // a read never waits for the write lock: while another connection holds it, it runs on its own
      this.db.pragma("busy_timeout = 0");
      try {
        this.openGroup();
      } catch {
        // busy: a read in WAL mode needs no lock
      } finally {
        this.db.pragma(`busy_timeout = ${this.busyMs}`);
      }
    }
    return fn();
  }

  private openGroup(): void {
    for (const g of GroupCommit.opened) g.commit();
    this.begin.run();
    this.open = true;
    GroupCommit.opened.add(this);
    this.done = new Promise<void>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.done.catch(() => {});
    if (this.windowMs > 0) setTimeout(() => this.commit(), this.windowMs);
    else setImmediate(() => this.commit());
  }

  /** Commits the open group now (also at close). */
  commit(): void {
    if (!this.open) return;
    this.open = false;
    GroupCommit.opened.delete(this);
    const settle = this.settle;
    this.settle = null;
    try {
      this.commitStmt.run();
      this.stats.groups++;
      settle?.resolve();
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run();
      settle?.reject(err);
    }
  }
}

/** A store's async methods by name. */
type AsyncMethodNames<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

/** Replaces the named methods of `store` by `around(call)`, where `call` runs the original. */
function wrapMethods<T extends object>(
  store: T,
  names: readonly AsyncMethodNames<T>[],
  around: (call: () => Promise<unknown>) => Promise<unknown>,
): void {
  for (const name of names) {
    const original = store[name] as unknown as AsyncMethod;
    const wrapped = (...args: unknown[]) => around(() => original.apply(store, args));
    Object.defineProperty(store, name, { value: wrapped, configurable: true, writable: true });
  }
}

/** Runs the named read methods of a sub-store inside the group's transaction (see GroupCommit.read). */
export function groupReads<T extends object>(
  group: GroupCommit,
  store: T,
  names: readonly AsyncMethodNames<T>[],
): void {
  wrapMethods(store, names, (call) => group.read(call));
}

/** Routes the named write methods of a sub-store through the group commit. */
export function groupWrites<T extends object>(
  group: GroupCommit,
  store: T,
  names: readonly AsyncMethodNames<T>[],
): void {
  wrapMethods(store, names, (call) => group.write(call));
}
