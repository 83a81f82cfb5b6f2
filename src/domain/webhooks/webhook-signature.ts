import { createHmac, timingSafeEqual } from "node:crypto";

/** How old a signed timestamp a receiver should accept, in seconds. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Hex HMAC-SHA256 under `secret` of `"<t>.<body>"`. */
export function webhookHmac(secret: string, t: number, body: string): string {
  return createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
}

/** The `x-anning-signature` header value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signWebhook(secret: string, t: number, body: string): string {
  return `t=${t},v1=${webhookHmac(secret, t, body)}`;
}

/**
 * What a receiver does: recomputes the HMAC over `"<t>.<body>"` (the raw body, byte for byte) and
 * compares it in constant time, and refuses a timestamp more than `toleranceSeconds` away from its own
 * clock (a replay).
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  nowSeconds: number,
  toleranceSeconds = WEBHOOK_TOLERANCE_SECONDS,
): boolean {
  const parts = new Map(
    header.split(",").map((p) => {
      const i = p.indexOf("=");
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1") ?? "";
  if (!Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookHmac(secret, t, body), "hex");
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(v1) ? v1 : "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
