import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { bindEsme, eventually } from "../../src/test-support/smpp-harness.js";
import { ensureBuilt, freePort, type Server, startServer } from "../support/process.js";
import { call, httpWorld } from "../support/smpp-process.js";

const TOKEN = "test-admin-token-0123456789";

describe("anning serve with ANNING_UPSTREAM=simulator: the five-minute path, over real sockets", () => {
  const servers: Server[] = [];
  beforeAll(() => ensureBuilt());
  afterEach(async () => {
    for (const s of servers.splice(0)) if (s.child.exitCode === null) s.child.kill("SIGKILL");
  });

  it("a sender binds over SMPP, its message reaches the bundled simulator, receipts and metrics follow", async () => {
    const [smppPort, simPort] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), "anning-serve-smpp-"));
    const s = await startServer({
      ANNING_DATA_DIR: dir,
      ANNING_ADMIN_TOKEN: TOKEN,
      ANNING_UPSTREAM: "simulator",
      ANNING_SIM_PORT: String(simPort),
      ANNING_SMPP_PORT: String(smppPort),
      ANNING_LOG_LEVEL: "debug",
    });
    servers.push(s);
    const w = await httpWorld(s, TOKEN, "1069055555", "进程测试");
    const esme = await bindEsme(smppPort, w.smpp);
    expect(esme.bindStatus).toBe(0);
    const phone = "13912340001";
    const text = "【进程测试】您的快递已到驿站";
    const r = await esme.submit({
      sourceAddr: "1069055555",
      destAddr: `86${phone}`,
      serviceType: "NTF",
      text,
    });
    expect(r.status).toBe(0);
    const id = r.command === "submit_sm_resp" ? r.messageId : "";
    // the simulator's control API listens on the port after its SMPP port
    const sim = `http://127.0.0.1:${simPort + 1}`;
    await eventually(async () => {
      const got = (await (await fetch(`${sim}/messages`)).json()) as { messages: Array<{ text: string }> };
      return got.messages.some((m) => m.text === text);
    }, 10_000);
    await esme.waitFor((p) => p.tlvs.receiptedMessageId === id, 10_000);
    const m = await call(s, TOKEN, "GET", `/v1/messages/${id}`);
    expect(m.json<{ status: string }>().status).toBe("delivered");
    const metrics = (await call(s, TOKEN, "GET", "/metrics")).text;
    expect(metrics).toMatch(/anning_smpp_binds 1/);
    expect(metrics).toMatch(/anning_smpp_submit_parts 1/);
    expect(
      (await call(s, TOKEN, "GET", "/healthz")).json<{ checks: { upstream: string } }>().checks.upstream,
    ).toBe("ok");
    await esme.session.unbind();
    // a client that types a phone number as its system_id: refused, and the number stays out of the logs
    const stranger = await bindEsme(smppPort, { systemId: "13912340002", password: "x" });
    expect(stranger.bindStatus).toBe(0x0f); // ESME_RINVSYSID
    await eventually(async () => s.output().includes("smpp bind refused"), 5000);
    expect(await s.stop()).toEqual({ code: 0, signal: null });
    expect(s.output()).not.toContain("13912340002");
    // numbers and texts never reach the logs
    expect(s.output()).toContain("anning listening");
    expect(s.output()).not.toContain(phone);
    expect(s.output()).not.toContain("快递已到驿站");
  });

  it("SIGTERM with a sender bound that never unbinds: anning unbinds it and exits 0 within seconds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "anning-serve-stop-"));
    const smppPort = await freePort();
    const s = await startServer({
      ANNING_DATA_DIR: dir,
      ANNING_ADMIN_TOKEN: TOKEN,
      ANNING_SMPP_PORT: String(smppPort),
    });
    servers.push(s);
    const w = await httpWorld(s, TOKEN, "1069055556", "停机测试");
    // a client that stays bound: it answers what it is sent (an unbind too) but never unbinds itself
    const esme = await bindEsme(smppPort, w.smpp);
    expect(esme.bindStatus).toBe(0);
    let unbindReceived = false;
    esme.session.on("unbind", () => {
      unbindReceived = true;
    });
    const started = Date.now();
    // stop() sends SIGTERM, and SIGKILL after 15 s
    expect(await s.stop()).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(unbindReceived).toBe(true);
    expect(esme.session.closed).toBe(true);
    expect(s.output()).toContain("stopped cleanly");
  });
});
