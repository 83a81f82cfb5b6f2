import { afterEach, beforeEach, expect } from "vitest";
import type { Store } from "../../app/store.port.js";
import type { Enterprise } from "../../domain/enterprises/enterprise.js";
import { StoreConflictError } from "../../domain/shared/store-errors.js";
import { anEnterprise } from "./fixtures.js";

/** What a contract factory hands back: a fresh, empty store and how to dispose of it. */
export interface StoreHarness {
  store: Store;
  /** Closes the store and removes its data. */
  cleanup: () => Promise<void>;
  /**
   * Opens another Store on the same backing data (the first one may still be open, or closed). When
   * given, the contract also checks persistence across a close and two connections writing together.
   * The contract closes the stores it returns; `cleanup` still runs last.
   */
  reopen?: () => Promise<Store>;
}

export type MakeStore = () => Promise<StoreHarness>;

/** The store of the running test, fresh for every test. */
export interface StoreContext {
  readonly store: Store;
  readonly harness: StoreHarness;
  /** Registers an extra store (e.g. from `reopen`) to close after the test. */
  track(store: Store): Store;
}

/** Declares beforeEach/afterEach hooks giving every test of the enclosing describe a fresh store. */
export function storeContext(makeStore: MakeStore): StoreContext {
  let harness: StoreHarness | undefined;
  let extra: Store[] = [];
  beforeEach(async () => {
    harness = await makeStore();
  });
  afterEach(async () => {
    for (const s of extra) await s.close();
    extra = [];
    await harness?.cleanup();
    harness = undefined;
  });
  const current = (): StoreHarness => {
    if (!harness) throw new Error("no store: use the context inside a test");
    return harness;
  };
  return {
    get store() {
      return current().store;
    },
    get harness() {
      return current();
    },
    track(store: Store) {
      extra.push(store);
      return store;
    },
  };
}

/** Awaits `p` and checks it failed with a StoreConflictError (naming `what`, when given). */
export async function expectConflict(p: Promise<unknown>, what?: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreConflictError);
  if (what !== undefined) expect((err as StoreConflictError).what).toBe(what);
}

/** Inserts an enterprise (other rows may reference it) and returns it. */
export async function seedEnterprise(store: Store, overrides: Partial<Enterprise> = {}): Promise<Enterprise> {
  const e = anEnterprise(overrides);
  await store.enterprises.insert(e);
  return e;
}
