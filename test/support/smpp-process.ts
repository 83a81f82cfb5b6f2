import { type ChildProcess, spawn } from "node:child_process";
import { expect } from "vitest";
import { freshCreditCode } from "../../src/test-support/http-harness.js";
import { childEnv, freePort, MAIN, ROOT, type Server } from "./process.js";

/** `anning smsc-sim` running in its own process (it outlives the anning processes a test kills). */
export interface SimProcess {
  port: number;
  control: string;
  child: ChildProcess;
  messages(): Promise<Array<{ id: string; destination: string; source: string; text: string }>>;
  assembled(): Promise<Array<{ destination: string; text: string; parts: number; ids: string[] }>>;
  mo(from: string, to: string, text: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the simulator on `port` (a free one when omitted) with extra CLI flags. */
export async function startSim(flags: string[] = [], port?: number): Promise<SimProcess> {
  const p = port ?? (await freePort());
  const c = await freePort();
  const child = spawn(
    "node",
    [MAIN, "smsc-sim", "--port", String(p), "--control-port", String(c), ...flags],
    {
      cwd: ROOT,
      env: childEnv({ ANNING_LOG_LEVEL: "warn" }),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const control = `http://127.0.0.1:${c}`;
  const until = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`smsc-sim exited:\n${out}`);
    try {
      if ((await fetch(`${control}/stats`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`smsc-sim did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const get = async () =>
    (await (await fetch(`${control}/messages`)).json()) as {
      messages: Array<{ id: string; destination: string; source: string; text: string }>;
      assembled: Array<{ destination: string; text: string; parts: number; ids: string[] }>;
    };
  return {
    port: p,
    control,
    child,
    messages: async () => (await get()).messages,
    assembled: async () => (await get()).assembled,
    async mo(from, to, text) {
      const r = await fetch(`${control}/mo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ from, to, text }),
      });
      expect(r.status).toBe(202);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** An HTTP call to a server process. */
export async function call(s: Server, token: string, method: string, path: string, body?: unknown) {
  const r = await fetch(`${s.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, text, json: <T>() => JSON.parse(text) as T };
}

/**
 * Registers, over HTTP, a platform with an active signature for notifications and marketing on port
 * `number` of a provider, and an SMPP account for the platform.
 */
export async function httpWorld(s: Server, token: string, number: string, signatureText: string) {
  const reg = async (kind: string) => {
    const r = await call(s, token, "POST", "/v1/enterprises", {
      kind,
      name: `${kind}-smpp`,
      creditCode: freshCreditCode(),
    });
    expect(r.status, r.text).toBe(201);
    return r.json<{ id: string; apiKey: string }>();
  };
  const P = await reg("platform");
  const V = await reg("provider");
  const sig = await call(s, token, "POST", "/v1/signatures", {
    ownerId: P.id,
    text: signatureText,
    scope: ["marketing.retail", "notification"],
  });
  expect(sig.status, sig.text).toBe(201);
  const sigId = sig.json<{ id: string }>().id;
  expect((await call(s, token, "POST", `/v1/signatures/${sigId}/activate`)).status).toBe(200);
  const port = await call(s, token, "POST", "/v1/ports", { providerId: V.id, number });
  expect(port.status, port.text).toBe(201);
  const alloc = await call(s, token, "POST", `/v1/ports/${port.json<{ id: string }>().id}/allocations`, {
    enterpriseId: P.id,
    signatureIds: [sigId],
  });
  expect(alloc.status, alloc.text).toBe(201);
  const acct = await call(s, token, "POST", "/v1/smpp/accounts", {
    enterpriseId: P.id,
    defaultCategory: "notification",
  });
  expect(acct.status, acct.text).toBe(201);
  return { P, V, sigId, smpp: acct.json<{ systemId: string; password: string }>() };
}
