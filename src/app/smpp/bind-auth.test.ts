import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AppHarness, appHarness, freshCreditCode } from "../../test-support/app-fixtures.js";
import { dropTestStore } from "../../test-support/pg-test-db.js";
import { ADMIN } from "../context.js";
import { registerEnterprise, setEnterpriseStatus } from "../registry/enterprises.js";
import {
  authenticateBind,
  type CreateSmppAccountInput,
  createSmppAccount,
  resetSmppPassword,
  setSmppAccountStatus,
} from "./accounts.js";
import { BIND_CACHE_MS, BIND_LOCK_MS } from "./bind-auth.js";
import { KeyedQueue } from "./keyed-queue.js";

/** Counts scrypt runs: the cache's whole point is to skip them. */
const counted = vi.hoisted(() => ({ scrypt: 0 }));
vi.mock("node:crypto", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:crypto")>();
  return {
    ...real,
    scrypt: (...args: Parameters<typeof real.scrypt>) => {
      counted.scrypt++;
      return Reflect.apply(real.scrypt, undefined, args);
    },
  };
});

const IP = "192.0.2.10";

describe("authenticateBind", () => {
  let h: AppHarness;
  let platformId: string;
  let now: number;
  beforeAll(async () => {
    h = await appHarness();
    const p = await registerEnterprise(h.services.ctx, ADMIN, {
      kind: "platform",
      name: "平台",
      creditCode: freshCreditCode(),
    });
    platformId = p.enterprise.id;
    now = h.clock.now();
  });
  afterAll(async () => {
    await h.services.close();
    await dropTestStore(h.dir);
    rmSync(h.dir, { recursive: true, force: true });
  });

  const account = (input: Partial<CreateSmppAccountInput> = {}) =>
    createSmppAccount(h.services.ctx, ADMIN, { enterpriseId: platformId, ...input });
  const bind = (systemId: string, password: string, at = now, ip = IP) =>
    authenticateBind(h.services.ctx, { systemId, password, ip, now: at });

  it("accepts the right password and refuses an unknown system_id", async () => {
    const { account: a, password } = await account();
    expect(await bind(a.systemId, password)).toEqual({ ok: true, account: a });
    expect(await bind("an_nobody", password)).toEqual({ ok: false, reason: "UNKNOWN_SYSTEM_ID" });
    expect(await bind(a.systemId, `${password}x`)).toEqual({ ok: false, reason: "BAD_PASSWORD" });
  });

  it("locks after 5 wrong passwords, refusing even the right one, for 15 minutes", async () => {
    const { account: a, password } = await account();
    for (let i = 1; i <= 5; i++) expect((await bind(a.systemId, `wrong-${i}`)).ok).toBe(false);
    expect(await h.services.ctx.store.smppAccounts.get(a.id)).toMatchObject({
      failedBinds: 0,
      lockedUntil: now + BIND_LOCK_MS,
    });
    expect(await bind(a.systemId, password)).toEqual({ ok: false, reason: "LOCKED" });
    expect(await bind(a.systemId, password, now + BIND_LOCK_MS - 1)).toEqual({ ok: false, reason: "LOCKED" });
    const after = await bind(a.systemId, password, now + BIND_LOCK_MS);
    expect(after).toMatchObject({ ok: true, account: { failedBinds: 0, lockedUntil: null } });
    expect(await h.services.ctx.store.smppAccounts.get(a.id)).toMatchObject({
      failedBinds: 0,
      lockedUntil: null,
    });
  });

  it("forgets fewer than 5 failures after a success", async () => {
    const { account: a, password } = await account();
    for (let i = 0; i < 4; i++) await bind(a.systemId, "nope");
    expect((await h.services.ctx.store.smppAccounts.get(a.id))?.failedBinds).toBe(4);
    expect((await bind(a.systemId, password)).ok).toBe(true);
    await bind(a.systemId, "nope");
    expect(await h.services.ctx.store.smppAccounts.get(a.id)).toMatchObject({
      failedBinds: 1,
      lockedUntil: null,
    });
  });

  it("refuses an address outside allowedIps before looking at the password, counting nothing", async () => {
    const { account: a, password } = await account({ allowedIps: ["10.0.0.0/8", "2001:db8::/32"] });
    expect(await bind(a.systemId, password, now, "192.0.2.1")).toEqual({
      ok: false,
      reason: "IP_NOT_ALLOWED",
    });
    expect(await bind(a.systemId, "wrong", now, "192.0.2.1")).toEqual({
      ok: false,
      reason: "IP_NOT_ALLOWED",
    });
    expect((await h.services.ctx.store.smppAccounts.get(a.id))?.failedBinds).toBe(0);
    expect((await bind(a.systemId, password, now, "::ffff:10.1.2.3")).ok).toBe(true);
    expect((await bind(a.systemId, password, now, "10.200.0.1")).ok).toBe(true);
    expect((await bind(a.systemId, password, now, "2001:db8::7")).ok).toBe(true);
  });

  it("refuses a disabled account; enabling it lifts a lock too", async () => {
    const ctx = h.services.ctx;
    const { account: a, password } = await account();
    await setSmppAccountStatus(ctx, ADMIN, a.id, "disabled");
    expect(await bind(a.systemId, password)).toEqual({ ok: false, reason: "DISABLED" });
    for (let i = 0; i < 5; i++) await bind(a.systemId, "wrong");
    expect(await bind(a.systemId, password)).toEqual({ ok: false, reason: "LOCKED" });
    await setSmppAccountStatus(ctx, ADMIN, a.id, "active");
    expect((await bind(a.systemId, password)).ok).toBe(true);
  });

  it("refuses a suspended sender, and a merchant of a suspended platform", async () => {
    const ctx = h.services.ctx;
    const p = await registerEnterprise(ctx, ADMIN, {
      kind: "platform",
      name: "P",
      creditCode: freshCreditCode(),
    });
    const m = await registerEnterprise(ctx, ADMIN, {
      kind: "merchant",
      name: "M",
      creditCode: freshCreditCode(),
      parentId: p.enterprise.id,
    });
    const ofP = await account({ enterpriseId: p.enterprise.id });
    const ofM = await account({ enterpriseId: m.enterprise.id });
    expect((await bind(ofM.account.systemId, ofM.password)).ok).toBe(true);
    await setEnterpriseStatus(ctx, ADMIN, p.enterprise.id, "suspended", "complaints");
    for (const a of [ofP, ofM])
      expect(await bind(a.account.systemId, a.password)).toEqual({ ok: false, reason: "SENDER_SUSPENDED" });
    await setEnterpriseStatus(ctx, ADMIN, p.enterprise.id, "active", "resolved");
    expect((await bind(ofP.account.systemId, ofP.password)).ok).toBe(true);
  });

  it("checks at most 5 wrong passwords of concurrent binds: the right one after them is refused as locked", async () => {
    const { account: a, password } = await account();
    counted.scrypt = 0;
    // 59 guesses and then the right password, all at once (as from 60 connections)
    const tries = [...Array.from({ length: 59 }, (_, i) => `guess-${i}`), password];
    const results = await Promise.all(tries.map((p) => bind(a.systemId, p)));
    const reasons = results.map((r) => (r.ok ? "OK" : r.reason));
    expect(reasons.slice(0, 5)).toEqual(Array(5).fill("BAD_PASSWORD"));
    expect(reasons.slice(5)).toEqual(Array(55).fill("LOCKED"));
    expect(counted.scrypt).toBe(5);
    expect(await h.services.ctx.store.smppAccounts.get(a.id)).toMatchObject({
      failedBinds: 0,
      lockedUntil: now + BIND_LOCK_MS,
    });
  });

  it("counts concurrent failures with those already recorded: 3 before, then only 2 more are checked", async () => {
    const { account: a, password } = await account();
    for (let i = 0; i < 3; i++) await bind(a.systemId, "nope");
    counted.scrypt = 0;
    const results = await Promise.all(["w1", "w2", "w3", "w4", password].map((p) => bind(a.systemId, p)));
    expect(results.map((r) => (r.ok ? "OK" : r.reason))).toEqual([
      "BAD_PASSWORD",
      "BAD_PASSWORD",
      "LOCKED",
      "LOCKED",
      "LOCKED",
    ]);
    expect(counted.scrypt).toBe(2);
  });

  it("binds concurrent right passwords of one account with one scrypt run, and a wrong one among them counts once", async () => {
    const { account: a, password } = await account();
    counted.scrypt = 0;
    const results = await Promise.all(
      [password, password, "wrong", password, password].map((p) => bind(a.systemId, p)),
    );
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true, true]);
    // the right pair is verified once (the others find it verified); the wrong one runs its own
    expect(counted.scrypt).toBe(2);
    expect(await h.services.ctx.store.smppAccounts.get(a.id)).toMatchObject({ failedBinds: 0 });
  });

  it("does not make a bind wait behind another account's checks", async () => {
    const { account: a } = await account();
    const { account: b, password } = await account();
    const done: string[] = [];
    const track = (label: string, p: Promise<unknown>) => p.then(() => done.push(label));
    await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => track(`a${i}`, bind(a.systemId, `wrong-${i}`))),
      track("b", bind(b.systemId, password)),
    ]);
    // a's four wrong passwords are checked one after the other; b's runs beside them
    expect(done.indexOf("b")).toBeLessThan(3);
  });

  it("with two nodes on one store, checks at most 5 + 1 wrong passwords before the lock", async () => {
    const ctx = h.services.ctx;
    // another node: same store, its own process state (a distinct context object)
    const other = { ...ctx };
    const { account: a, password } = await account();
    counted.scrypt = 0;
    const tries = [...Array.from({ length: 29 }, (_, i) => `guess-${i}`), password];
    const results = await Promise.all(
      tries.map((p, i) =>
        authenticateBind(i % 2 === 0 ? ctx : other, { systemId: a.systemId, password: p, ip: IP, now }),
      ),
    );
    const bad = results.filter((r) => !r.ok && r.reason === "BAD_PASSWORD").length;
    expect(bad).toBeGreaterThanOrEqual(5);
    expect(bad).toBeLessThanOrEqual(6);
    expect(counted.scrypt).toBe(bad);
    expect(results.at(-1)).toEqual({ ok: false, reason: "LOCKED" });
    expect((await ctx.store.smppAccounts.get(a.id))?.lockedUntil).toBe(now + BIND_LOCK_MS);
  });

  it("runs scrypt once per pair within 60 s, never trusting a wrong password or a replaced hash", async () => {
    const ctx = h.services.ctx;
    const { account: a, password } = await account();
    counted.scrypt = 0;
    for (let i = 0; i < 20; i++) expect((await bind(a.systemId, password, now + i)).ok).toBe(true);
    expect(counted.scrypt).toBe(1);
    for (let i = 0; i < 2; i++) expect((await bind(a.systemId, "wrong", now + i)).ok).toBe(false);
    expect(counted.scrypt).toBe(3);
    expect((await bind(a.systemId, password, now + BIND_CACHE_MS)).ok).toBe(true);
    expect(counted.scrypt).toBe(4);
    const reset = await resetSmppPassword(ctx, ADMIN, a.id);
    counted.scrypt = 0;
    expect(await bind(a.systemId, password, now + BIND_CACHE_MS + 1)).toEqual({
      ok: false,
      reason: "BAD_PASSWORD",
    });
    expect((await bind(a.systemId, reset.password, now + BIND_CACHE_MS + 2)).ok).toBe(true);
    expect(counted.scrypt).toBe(2);
    await setSmppAccountStatus(ctx, ADMIN, a.id, "disabled");
    expect(await bind(a.systemId, reset.password, now + BIND_CACHE_MS + 3)).toEqual({
      ok: false,
      reason: "DISABLED",
    });
    expect(counted.scrypt).toBe(2);
  });
});

describe("KeyedQueue", () => {
  it("runs one task at a time per key in arrival order, others beside them, and forgets idle keys", async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        gates.set(name, () => {
          log.push(`end ${name}`);
          resolve(name);
        });
      });
    const a1 = q.run("a", task("a1"));
    const a2 = q.run("a", task("a2"));
    const failing = q.run("a", () => Promise.reject(new Error("boom")));
    const a3 = q.run("a", task("a3"));
    const b1 = q.run("b", task("b1"));
    await Promise.resolve();
    expect(log).toEqual(["start a1", "start b1"]);
    expect(q.busyKeys).toBe(2);
    gates.get("b1")?.();
    expect(await b1).toBe("b1");
    gates.get("a1")?.();
    await a1;
    await vi.waitFor(() => expect(gates.has("a2")).toBe(true));
    gates.get("a2")?.();
    await expect(failing).rejects.toThrow("boom");
    await vi.waitFor(() => expect(gates.has("a3")).toBe(true));
    gates.get("a3")?.();
    expect(await Promise.all([a2, a3])).toEqual(["a2", "a3"]);
    expect(log).toEqual([
      "start a1",
      "start b1",
      "end b1",
      "end a1",
      "start a2",
      "end a2",
      "start a3",
      "end a3",
    ]);
    expect(q.busyKeys).toBe(0);
  });
});
