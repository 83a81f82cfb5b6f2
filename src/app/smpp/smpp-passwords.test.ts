import { describe, expect, it } from "vitest";
import { hashSmppPassword, newSmppPassword, newSystemId, verifySmppPassword } from "./smpp-passwords.js";

describe("SMPP passwords and system ids", () => {
  it("generates 8-character passwords over 62 characters and short base32 system ids", () => {
    const passwords = Array.from({ length: 2000 }, newSmppPassword);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
    // every class of character shows up: the draw is over the whole alphabet
    const all = passwords.join("");
    for (const re of [/[A-Z]/, /[a-z]/, /[0-9]/]) expect(all).toMatch(re);
    for (let i = 0; i < 200; i++) expect(newSystemId()).toMatch(/^an[a-z2-7]{10}$/);
  });

  it("stores a salted scrypt hash that verifies only the same password", async () => {
    const h1 = await hashSmppPassword("aB3dE5gH");
    const h2 = await hashSmppPassword("aB3dE5gH");
    expect(h1).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(h1).not.toBe(h2);
    expect(await verifySmppPassword("aB3dE5gH", h1)).toBe(true);
    expect(await verifySmppPassword("aB3dE5gh", h1)).toBe(false);
    expect(await verifySmppPassword("", h1)).toBe(false);
  });

  it("matches nothing against a malformed or over-costly hash", async () => {
    const good = await hashSmppPassword("pw");
    const [, , , , salt, hash] = good.split("$");
    for (const bad of [
      "",
      "plain",
      `bcrypt$16384$8$1$${salt}$${hash}`,
      `scrypt$16383$8$1$${salt}$${hash}`,
      `scrypt$${2 ** 21}$8$1$${salt}$${hash}`,
      `scrypt$16384$8$1.5$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      `scrypt$16384$8$1$${salt}$AAAA`,
    ])
      expect(await verifySmppPassword("pw", bad)).toBe(false);
  });
});
