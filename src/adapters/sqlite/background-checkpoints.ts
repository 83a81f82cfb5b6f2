import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

/**
 * The checkpointer thread: a connection of its own to the same file, a PASSIVE checkpoint (copy the
 * WAL's committed pages into the database file, never waiting for anyone) every `intervalMs`, each
 * outcome posted back. Plain CommonJS, evaluated in the worker, so it needs no build step of its own.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file);
const checkpoint = () => {
  try {
    const r = db.pragma("wal_checkpoint(PASSIVE)")[0];
    parentPort.postMessage({ type: "checkpoint", busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ type: "error", error: String(err) });
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (m) => {
  if (m !== "stop") return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** What the last checkpoint did: WAL frames in all, frames copied into the file (-1 when busy). */
export interface CheckpointOutcome {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface BackgroundCheckpointsOptions {
  /** How often the thread checkpoints (default 100 ms). */
  intervalMs?: number;
  /**
   * WAL pages after which the writing connection checkpoints by itself after all, should the thread
   * fall behind or stop (default 20,000: 160 MiB of 8 KiB pages, against SQLite's 1,000).
   */
  fallbackPages?: number;
  /** Called when the thread fails; the writing connection then checkpoints as usual again. */
  onError?: (error: string) => void;
}

const DEFAULT_AUTOCHECKPOINT = 1000;
/** The WAL file is cut back to this size when it restarts (it never shrinks otherwise). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * Checkpoints a WAL database from a worker thread, so the writing connection never does. SQLite's
 * automatic checkpoint runs inside the commit that crosses its threshold: it copies a thousand pages
 * and syncs the WAL and the file, and the event loop waits for all of it (on the relay that was a
 * sixth of the throughput). A checkpoint changes nothing that is durable: every commit is already in
 * the WAL; it only moves pages into the main file so the WAL can start over.
 */
export class BackgroundCheckpoints {
  private readonly worker: Worker;
  private stopped = false;
  private readonly exited: Promise<void>;
  /** Checkpoints run and the latest outcome, for tests and metrics. */
  readonly stats: { checkpoints: number; last: CheckpointOutcome | null; errors: number } = {
    checkpoints: 0,
    last: null,
    errors: 0,
  };

  constructor(
    private readonly db: Database.Database,
    file: string,
    opts: BackgroundCheckpointsOptions = {},
  ) {
    db.pragma(`wal_autocheckpoint = ${opts.fallbackPages ?? 20_000}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, file, intervalMs: opts.intervalMs ?? 100 },
    });
    this.worker.unref();
    this.worker.on("message", (m: { type: string } & Partial<CheckpointOutcome> & { error?: string }) => {
      if (m.type === "checkpoint") {
        this.stats.checkpoints++;
        this.stats.last = { busy: m.busy ?? 0, log: m.log ?? 0, checkpointed: m.checkpointed ?? 0 };
      } else {
        this.stats.errors++;
        opts.onError?.(m.error ?? "checkpoint failed");
      }
    });
    const fallBack = (error: string) => {
      if (this.stopped) return;
      this.stopped = true;
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
      opts.onError?.(error);
    };
    this.worker.on("error", (err) =>
      fallBack(`checkpoint thread failed (${String(err)}); the writing connection checkpoints again`),
    );
    this.exited = new Promise((resolve) =>
      this.worker.once("exit", () => {
        fallBack("checkpoint thread exited; the writing connection checkpoints again");
        resolve();
      }),
    );
  }

  /** Runs a last checkpoint and ends the thread (at close: before the writing connection closes). */
  async stop(): Promise<void> {
    if (this.stopped) return this.exited;
    this.stopped = true;
    this.worker.postMessage("stop");
    const t = setTimeout(() => void this.worker.terminate(), 5000);
    await this.exited;
    clearTimeout(t);
  }
}
