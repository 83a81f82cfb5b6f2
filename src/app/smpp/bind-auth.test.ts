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
