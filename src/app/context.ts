import { createHmac } from "node:crypto";
import type { ConsentEvent } from "../domain/consent/consent.js";
import type { ApiKey } from "../domain/enterprises/enterprise.js";
import { ConsentIndex } from "../domain/indexes/consent-index.js";
import { FrequencyCounters, VerificationCounters } from "../domain/indexes/frequency-counters.js";
import type { PolicyState } from "../domain/policy/decide.js";
import type { PolicyFile } from "../domain/policy/policy.js";
import { RegistryIndex } from "../domain/registry/registry-index.js";
import type { Clock } from "../domain/shared/clock.port.js";
import { DomainError } from "../domain/shared/domain-error.js";
import type { IdGenerator } from "../domain/shared/ids.port.js";
import type { SharedCounters } from "./counters/shared-counters.port.js";
import type { IndexSnapshotStore } from "./index-snapshot.port.js";
import type { Logger } from "./logger.port.js";
import type { BindLeases } from "./smpp/bind-leases.port.js";
import type { Store } from "./store.port.js";

/** Who is calling a use case: the operator (admin token) or one enterprise (its API key). */
export type Actor = { kind: "admin" } | { kind: "enterprise"; enterpriseId: string };

export const ADMIN: Actor = { kind: "admin" };

/** Secrets kept in the data directory, created at first start. */
export interface Secrets {
  /** Key of the ledger's HMAC chain. */
  ledgerKey: Buffer;
  /** Key of the recipient pseudonyms (so a number can be erased without breaking the chain). */
  pseudonymKey: Buffer;
}

/**
 * Everything a use case needs, built once by the composition root: stores, clock, ids, policy and the
 * in-memory indexes of the send path.
 */
export interface AppContext {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  secrets: Secrets;
  log: Logger;
  /** Honour caller-supplied `at` on messages, campaigns and inbound (tests and simulations only). */
  testClock: boolean;
  state: PolicyState;
  /** API keys by SHA-256 hash of the secret, revoked ones included. */
  apiKeys: Map<string, ApiKey>;
  /** Hooks run after a message is accepted (wakes the dispatcher). */
  onAccepted: Array<() => void>;
  /** Called when a notice (receipt, reply) is queued for an enterprise (wakes its SMPP receiver binds). */
  onNotice?: (enterpriseId: string) => void;
  /** Frequency caps, verification caps and rate limits shared by several nodes (Redis); else in process. */
  counters?: SharedCounters;
  /** SMPP binds per account across nodes (Redis); without it each node counts its own sessions. */
  bindLeases?: BindLeases;
  /** Keeps the indexes in step with other nodes; without it, changes are applied locally only. */
  sync?: IndexSync;
}

/** How use cases keep the in-memory indexes in step with the stores (see ClusterSync). */
export interface IndexSync {
  /** Applies ledger events this node just recorded, in seq order with everyone else's. */
  applyOwn(recorded: readonly ConsentEvent[], phones: ReadonlyMap<string, string>): Promise<void>;
  /** After this node changed the registry: reload it and tell the other nodes. */
  registryChanged(): Promise<void>;
  /** Reloads the registry if another node changed it since (one cheap read). */
  checkRegistry(): Promise<void>;
}

/** Builds the in-memory policy state from the stores; the ledger is folded into the consent index. */
export async function loadPolicyState(
  store: Store,
  policy: PolicyFile,
  snapshots?: IndexSnapshotStore,
): Promise<PolicyState> {
  const registry = await loadRegistry(store);
  const pendingTtl = policy.doubleOptIn.pendingHours * 3600_000;
  let consents = await restoreSnapshot(store, pendingTtl, snapshots);
  if (!consents) consents = new ConsentIndex(Math.max(1024, await store.ledger.count()), pendingTtl);
  let after = consents.lastSeq;
  for (;;) {
    const batch = await store.ledger.scanIndexEntries(after, 50_000);
    if (batch.length === 0) break;
    for (const e of batch) {
      if (e.phone !== null) consents.apply(Number(e.phone.slice(1)), e);
      after = e.seq;
    }
    consents.lastSeq = after;
  }
  return {
    policy,
    registry,
    consents,
    counters: new FrequencyCounters(),
    verification: new VerificationCounters(),
  };
}

/** The saved index, when it describes a prefix of this very ledger (same event hash at its sequence). */
async function restoreSnapshot(
  store: Store,
  pendingTtl: number,
  snapshots: IndexSnapshotStore | undefined,
): Promise<ConsentIndex | null> {
  const snap = snapshots?.load();
  if (!snap || !snapshots || snap.lastSeq <= 0) return null;
  const [e] = await store.ledger.scanEvents(snap.lastSeq - 1, 1);
  if (!e || e.seq !== snap.lastSeq || e.hash !== snapshots.loadedHash()) return null;
  return ConsentIndex.restore(snap, pendingTtl);
}

/** Saves the consent index so the next start need not replay the whole ledger. */
export async function saveSnapshot(ctx: AppContext, snapshots: IndexSnapshotStore): Promise<void> {
  const idx = ctx.state.consents;
  if (idx.lastSeq <= 0) return;
  const [e] = await ctx.store.ledger.scanEvents(idx.lastSeq - 1, 1);
  if (!e || e.seq !== idx.lastSeq) return;
  snapshots.save({ ...idx.snapshot(), lastHash: e.hash });
}

/** Reads the whole registry from the stores into a fresh index. */
export async function loadRegistry(store: Store): Promise<RegistryIndex> {
  const [enterprises, signatures, authorizations, ports, allocations, overrides] = await Promise.all([
    store.enterprises.list(),
    store.signatures.list(),
    store.signatures.listAuthorizations(),
    store.ports.listPorts(),
    store.ports.listAllocations(),
    store.enterprises.listPolicyOverrides(),
  ]);
  return new RegistryIndex({ enterprises, signatures, authorizations, ports, allocations, overrides });
}

/** Reloads the registry index after a registry change. */
export async function refreshRegistry(ctx: AppContext): Promise<void> {
  if (ctx.sync) await ctx.sync.registryChanged();
  else ctx.state.registry = await loadRegistry(ctx.store);
}

/** Pseudonymous recipient id: keyed hash of the E.164 number, hex. */
export function pseudonym(ctx: Pick<AppContext, "secrets">, e164: string): string {
  return createHmac("sha256", ctx.secrets.pseudonymKey).update(e164).digest("hex").slice(0, 32);
}

/**
 * Checks that the actor may act for an enterprise: the admin always, an enterprise for itself, a
 * platform for its merchants. Anything else looks like a missing object (404), never a hint that it exists.
 */
export function assertActsFor(ctx: AppContext, actor: Actor, enterpriseId: string): void {
  if (actor.kind === "admin") return;
  if (!ctx.state.registry.canActFor(actor.enterpriseId, enterpriseId))
    throw new DomainError("NOT_FOUND", "no such enterprise");
}

/** Only the admin may do this. */
export function assertAdmin(actor: Actor): void {
  if (actor.kind !== "admin") throw new DomainError("FORBIDDEN", "this needs the admin token");
}

/**
 * The time a use case acts at: the server clock, or a caller-supplied `at` when the test clock is on.
 * Supplying `at` without the test clock is a caller fault.
 */
export function actingTime(ctx: AppContext, at: string | number | undefined): number {
  if (at === undefined) return ctx.clock.now();
  if (!ctx.testClock)
    throw new DomainError(
      "TEST_CLOCK_DISABLED",
      "`at` is honoured only when the server runs with ANNING_TEST_CLOCK=1",
    );
  return parseTime(at, "at");
}

/** Parses an ISO 8601 time or epoch milliseconds; VALIDATION_FAILED naming the field otherwise. */
export function parseTime(v: string | number, field: string): number {
  const t = typeof v === "number" ? v : Date.parse(v);
  if (!Number.isFinite(t))
    throw new DomainError("VALIDATION_FAILED", `${field} is not a valid time`, { field });
  return t;
}
