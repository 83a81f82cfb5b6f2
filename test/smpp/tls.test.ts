import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SmppServer } from "../../src/adapters/smpp/server/smpp-server.js";
import { SmppSession } from "../../src/adapters/smpp/session.js";
import { grant } from "../../src/test-support/app-fixtures.js";
import { eventually, type SmppWorld, smppWorld, submitSm } from "../../src/test-support/smpp-harness.js";

describe("SMPP over TLS", () => {
  let w: SmppWorld;
  let tlsServer: SmppServer;
  let ca: Buffer;

  beforeAll(async () => {
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
    ca = readFileSync(join(dir, "cert.pem"));
    w = await smppWorld();
    tlsServer = await SmppServer.start(w.services.ctx, {
      host: "127.0.0.1",
      port: 0,
      tls: { port: 0, key: readFileSync(join(dir, "key.pem")), cert: ca },
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
      systemId: w.account.systemId,
      password: w.account.password,
      systemType: "",
      interfaceVersion: 0x34,
      addrTon: 0,
      addrNpi: 0,
      addressRange: "",
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
