import type { ConsentEvent } from "../../domain/consent/consent.js";
import type { AppContext } from "../context.js";
import { loadRegistry } from "../context.js";
import type { ChangeBus, ChangeTopic } from "./change-bus.port.js";

/**
 * Keeps this node's in-memory indexes in step with what other nodes (or a CLI import) write: ledger
 * events are applied strictly in `seq` order (the stores assign seq in commit order), and the registry
 * is reloaded whenever its version moves. A wake-up on the change bus catches up at once; a poll every
 * `pollMs` catches up anyway, so a lost wake-up costs at most one poll.
 */
export class ClusterSync {
  private knownRegistryVersion = -1;
  private ledgerRun: Promise<void> | null = null;
  private ledgerAgain = false;
  private registryRun: Promise<void> | null = null;
  private registryNext: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly bus: ChangeBus,
    private readonly pollMs = 500,
  ) {}

  /** Records the registry version the loaded index reflects. */
  async init(): Promise<void> {
    this.knownRegistryVersion = await this.ctx.store.cluster.registryVersion();
  }

  async start(): Promise<void> {
    await this.bus.listen((topic) => this.onChange(topic));
    if (this.pollMs > 0) {
      this.timer = setInterval(() => {
        this.onChange("ledger");
        this.onChange("registry");
      }, this.pollMs);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.bus.close();
    await this.ledgerRun?.catch(() => {});
    await this.registryRun?.catch(() => {});
  }

  private onChange(topic: ChangeTopic): void {
    if (this.stopped) return;
    const run = topic === "ledger" ? this.catchUpLedger() : this.checkRegistry();
    run.catch((err: unknown) => this.ctx.log.warn({ err: String(err), topic }, "cluster catch-up failed"));
  }

  /**
   * Applies events recorded by this node: directly when they follow the index's last seq (nobody else
   * wrote in between), otherwise by catching up from the store, so the index never sees seq out of order.
   */
  async applyOwn(recorded: readonly ConsentEvent[], phones: ReadonlyMap<string, string>): Promise<void> {
    const idx = this.ctx.state.consents;
    const first = recorded[0];
    if (first && first.seq === idx.lastSeq + 1 && this.ledgerRun === null) {
      for (const e of recorded) {
        const phone = phones.get(e.recipientId);
        if (phone) idx.apply(Number(phone.slice(1)), e);
        idx.lastSeq = e.seq;
      }
    } else await this.catchUpLedger();
    await this.bus.publish("ledger").catch(() => {});
  }

  /** Reads and applies every event after the index's last seq (one run at a time, re-run if asked). */
  catchUpLedger(): Promise<void> {
    if (this.ledgerRun !== null) {
      this.ledgerAgain = true;
      return this.ledgerRun;
    }
    this.ledgerRun = (async () => {
      do {
        this.ledgerAgain = false;
        const idx = this.ctx.state.consents;
        for (;;) {
          const batch = await this.ctx.store.ledger.scanIndexEntries(idx.lastSeq, 10_000);
          if (batch.length === 0) break;
          for (const e of batch) {
            if (e.seq <= idx.lastSeq) continue;
            if (e.phone !== null) idx.apply(Number(e.phone.slice(1)), e);
            idx.lastSeq = e.seq;
          }
        }
      } while (this.ledgerAgain);
    })().finally(() => {
      this.ledgerRun = null;
    });
    return this.ledgerRun;
  }

  /** Bumps the registry version after this node changed the registry, reloads, and tells the others. */
  async registryChanged(): Promise<void> {
    this.knownRegistryVersion = await this.ctx.store.cluster.bumpRegistryVersion();
    await this.reloadRegistry();
    await this.bus.publish("registry").catch(() => {});
  }

  /**
   * Reloads the registry when another node moved its version, as of the moment of the call: a check
   * already under way may have read the version before another node's change committed, so the caller
   * waits for it and then for one more (shared by every caller that came meanwhile).
   */
  checkRegistry(): Promise<void> {
    if (this.registryRun !== null) {
      this.registryNext ??= this.registryRun
        .catch(() => {})
        .then(() => {
          this.registryNext = null;
          return this.stopped ? undefined : this.checkRegistry();
        });
      return this.registryNext;
    }
    this.registryRun = (async () => {
      const v = await this.ctx.store.cluster.registryVersion();
      if (v === this.knownRegistryVersion) return;
      this.knownRegistryVersion = v;
      await this.reloadRegistry();
    })().finally(() => {
      this.registryRun = null;
    });
    return this.registryRun;
  }

  /** Reloads run one after another, so the last one asked for is the last applied (see reloadRegistry). */
  private reloads: Promise<void> = Promise.resolve();

  /**
   * Reloads the registry and the API keys. Reloads are queued: a reload started by a wake-up before this
   * node's own change committed must not finish after the reload that follows the change, or it would put
   * the older registry back (with the version already current, nothing would ever reload it again).
   */
  private reloadRegistry(): Promise<void> {
    const run = this.reloads.then(() => this.loadRegistryNow());
    this.reloads = run.catch(() => {});
    return run;
  }

  private async loadRegistryNow(): Promise<void> {
    const [registry, keys] = await Promise.all([
      loadRegistry(this.ctx.store),
      this.ctx.store.enterprises.listKeys(),
    ]);
    this.ctx.state.registry = registry;
    this.ctx.apiKeys.clear();
    for (const k of keys) this.ctx.apiKeys.set(k.hash, k);
  }
}
