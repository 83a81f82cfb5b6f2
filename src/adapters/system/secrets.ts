import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Secrets } from "../../app/context.js";

interface SecretsFile {
  ledgerKey: string;
  pseudonymKey: string;
  adminToken?: string;
}

/**
 * Loads the keys kept in `<dataDir>/secrets.json` (mode 0600), creating them at first start. Returns
 * also whether the admin token was generated now, so it can be printed once.
 */
export function loadSecrets(
  dataDir: string,
  adminTokenFromEnv: string | undefined,
): { secrets: Secrets; adminToken: string; generatedToken: boolean } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "secrets.json");
  let s: SecretsFile;
  let generatedToken = false;
  if (existsSync(file)) s = JSON.parse(readFileSync(file, "utf8")) as SecretsFile;
  else s = { ledgerKey: randomBytes(32).toString("hex"), pseudonymKey: randomBytes(32).toString("hex") };
  if (!adminTokenFromEnv && !s.adminToken) {
    s.adminToken = `adm_${randomBytes(24).toString("base64url")}`;
    generatedToken = true;
  }
  if (!existsSync(file) || generatedToken) writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return {
    secrets: { ledgerKey: Buffer.from(s.ledgerKey, "hex"), pseudonymKey: Buffer.from(s.pseudonymKey, "hex") },
    adminToken: adminTokenFromEnv ?? (s.adminToken as string),
    generatedToken,
  };
}
