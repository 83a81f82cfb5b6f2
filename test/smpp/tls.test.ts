import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SmppServer } from "../../src/adapters/smpp/server/smpp-server.js";
import { SmppSession } from "../../src/adapters/smpp/session.js";
import { SmscSimulator } from "../../src/adapters/smpp/sim/smsc-simulator.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import {
  bindFields,
  eventually,
  type SmppWorld,
  sendAccepted,
  smppWorld,
  submitSm,
} from "../../src/test-support/smpp-harness.js";

/** A self-signed certificate for 127.0.0.1 (and localhost): its key, and the certificate as its own CA. */
function selfSigned(): { dir: string; keyFile: string; certFile: string; key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "anning-tls-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  const [keyFile, certFile] = [join(dir, "key.pem"), join(dir, "cert.pem")];
  return { dir, keyFile, certFile, key: readFileSync(keyFile), cert: readFileSync(certFile) };
}

describe("SMPP over TLS", () => {
  let w: SmppWorld;
  let tlsServer: SmppServer;
  let ca: Buffer;

  beforeAll(async () => {
    const t = selfSigned();
    ca = t.cert;
    w = await smppWorld();
    tlsServer = await SmppServer.start(w.services.ctx, {
      host: "127.0.0.1",
      port: 0,
      tls: { port: 0, key: t.key, cert: t.cert },
    });
  });
  afterAll(async () => {
    await tlsServer?.close();
    await w?.close();
  });

  it("binds and submits over TLS with the same policy", async () => {
    const port = tlsServer.tlsPort;
    expect(port).toBeGreaterThan(0);
    const socket = connect({ host: "127.0.0.1", port: port ?? 0, ca });
    await new Promise<void>((res, rej) => {
      socket.once("secureConnect", () => res());
      socket.once("error", rej);
    });
    const session = new SmppSession(socket, { enquireLinkMs: 0 });
    const bind = await session.request({
      command: "bind_transceiver",
      ...bindFields(w.account),
    });
    expect(bind.status).toBe(0);
    await grant(w.services, "13812345678", w.setup.platformId);
    const r = await session.request(
      submitSm({ sourceAddr: w.setup.port, destAddr: "8613812345678", text: w.setup.text }),
    );
    expect(r.status).toBe(0);
    await eventually(() => w.sim.messages.length === 1);
    await session.unbind();
  });
});

describe("anning as ESME over TLS (smpps://) to a carrier with a private CA", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  /** A gateway whose upstream is a simulator speaking TLS with a self-signed certificate. */
  async function tlsWorld(query: (caFile: string) => string): Promise<SmppWorld> {
    const t = selfSigned();
    const probe = await SmscSimulator.start({ port: 0, controlPort: -1 });
    const port = probe.port;
    await probe.close();
    const w = await smppWorld({
      sim: { port, tls: { key: t.key, cert: t.cert } },
      env: {
        ANNING_UPSTREAM: `smpps://anning:anning@127.0.0.1:${port}?reconnectMinMs=100${query(t.certFile)}`,
      },
    });
    closers.push(() => w.close());
    return w;
  }

  it("trusting the carrier's CA file: binds over TLS, hands the message over, and its receipt settles it", async () => {
    const w = await tlsWorld((caFile) => `&caFile=${encodeURIComponent(caFile)}`);
    await eventually(() => w.services.upstream.ready?.() === true, 5000);
    const id = await sendAccepted(w, "13812345678");
    await eventually(() => w.sim.messages.length === 1);
    expect(w.sim.messages[0]?.text).toBe(w.setup.text);
    await eventually(async () => (await w.services.ctx.store.messages.get(id))?.status === "delivered");
  });

  it("without it: never binds to the untrusted certificate, and the message waits in the outbox", async () => {
    const w = await tlsWorld(() => "");
    const id = await sendAccepted(w, "13812345679");
    await new Promise((r) => setTimeout(r, 1500));
    expect(w.services.upstream.ready?.()).toBe(false);
    expect(w.sim.messages).toHaveLength(0);
    expect((await w.services.ctx.store.messages.get(id))?.status).toBe("accepted");
  });
});
