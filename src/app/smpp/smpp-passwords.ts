import { randomBytes, randomInt, scrypt, timingSafeEqual } from "node:crypto";

/** Characters of generated passwords: 62, so 8 of them carry about 47.6 bits. */
const PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Lower-case base32 (RFC 4648 letters and digits 2–7): no 0/1/8/9 to misread. */
const SYSTEM_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** SMPP 3.4 passwords are at most 8 octets (9 with the NUL): generated ones use all 8. */
export const SMPP_PASSWORD_LENGTH = 8;

/** scrypt cost: N = 2^14, r = 8, p = 1 (16 MiB, tens of ms), a 32-byte key and 16-byte salt. */
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
/** The costliest stored parameters verified (a corrupt or hostile row cannot ask for more). */
const MAX_N = 1 << 20;

function randomString(alphabet: string, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** A new SMPP password: 8 characters from A–Z, a–z, 0–9, uniformly (crypto.randomInt). */
export function newSmppPassword(): string {
  return randomString(PASSWORD_ALPHABET, SMPP_PASSWORD_LENGTH);
}

/** A new system_id: `an` and 10 lower-case base32 characters (12 of SMPP's 15). */
export function newSystemId(): string {
  return `an${randomString(SYSTEM_ID_ALPHABET, 10)}`;
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number, len: number) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, len, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Hashes a password for storage as `scrypt$N$r$p$saltB64$hashB64`.
 * @example await hashSmppPassword("aB3dE5gH") // "scrypt$16384$8$1$…$…"
 */
export async function hashSmppPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS.N, PARAMS.r, PARAMS.p, KEY_LENGTH);
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64"), key.toString("base64")].join("$");
}

/**
 * Whether `password` matches a stored hash, compared in constant time. A hash that is not a well-formed
 * scrypt string (or asks for more than anning would ever store) matches nothing.
 */
export async function verifySmppPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split("$");
  if (scheme !== "scrypt" || rest.length > 0 || salt === undefined || hash === undefined) return false;
  const [N, R, P] = [Number(n), Number(r), Number(p)];
  const valid =
    [N, R, P].every(Number.isInteger) &&
    N > 1 &&
    N <= MAX_N &&
    (N & (N - 1)) === 0 &&
    R >= 1 &&
    R <= 32 &&
    P >= 1 &&
    P <= 4;
  const expected = Buffer.from(hash, "base64");
  if (!valid || expected.length < 16 || expected.length > 64) return false;
  const key = await derive(password, Buffer.from(salt, "base64"), N, R, P, expected.length);
  return timingSafeEqual(key, expected);
}
