import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodePdu, readHeader } from "../../src/adapters/smpp/pdu/index.js";
import { bindFields, type SmppWorld, smppWorld, submitSm } from "../../src/test-support/smpp-harness.js";

/** A raw TCP client: writes bytes, collects what comes back, notices a close. */
async function raw(port: number) {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((r) => socket.once("connect", () => r()));
  let data = Buffer.alloc(0);
  let closed = false;
  socket.on("data", (d: Buffer) => {
    data = Buffer.concat([data, d]);
  });
  socket.on("close", () => {
    closed = true;
  });
  socket.on("error", () => {});
  const headers = () => {
    const out: Array<ReturnType<typeof readHeader>> = [];
    let off = 0;
    while (off + 16 <= data.length) {
      const h = readHeader(data, off);
      out.push(h);
      off += Math.max(16, h.length);
    }
    return out;
  };
  return {
    socket,
    write: (b: Buffer) => socket.write(b),
    headers,
    closed: () => closed,
    async waitFor<T>(f: () => T | undefined | false, ms = 3000): Promise<T> {
      const until = Date.now() + ms;
      for (;;) {
        const v = f();
        if (v !== undefined && v !== false) return v;
        if (Date.now() > until) throw new Error("timed out");
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

function header(length: number, commandId: number, status: number, seq: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(length, 0);
  b.writeUInt32BE(commandId, 4);
  b.writeUInt32BE(status, 8);
  b.writeUInt32BE(seq, 12);
  return b;
}

describe("SMPP server: malformed PDUs get generic_nack or a clean close, never a crash", () => {
  let w: SmppWorld;
  beforeAll(async () => {
    w = await smppWorld();
  });
  afterAll(async () => {
    await w.close();
  });

  it("an unknown command id gets generic_nack ESME_RINVCMDID with its sequence", async () => {
    const c = await raw(w.server.port);
    c.write(header(16, 0x00000077, 0, 42));
    const h = await c.waitFor(() => c.headers()[0]);
    expect(h).toMatchObject({ commandId: 0x80000000, status: 0x03, sequence: 42 });
    expect(c.closed()).toBe(false);
    c.socket.destroy();
  });

  it("a truncated bind body is nacked and the session stays usable", async () => {
    const c = await raw(w.server.port);
    const body = Buffer.from("abc", "latin1"); // system_id without its NUL, nothing else
    c.write(Buffer.concat([header(16 + body.length, 0x00000002, 0, 5), body]));
    const h = await c.waitFor(() => c.headers()[0]);
    expect(h.sequence).toBe(5);
    expect(h.status).not.toBe(0);
    c.socket.destroy();
  });

  it("command_length below 16 or absurdly large closes the connection", async () => {
    for (const len of [8, 1_000_000]) {
      const c = await raw(w.server.port);
      c.write(header(len, 0x00000015, 0, 1));
      await c.waitFor(() => c.closed());
    }
  });

  it("a submit_sm whose sm_length runs past the end is refused, and the server goes on", async () => {
    const esme = await w.esme();
    const good = encodePdu({
      ...submitSm({ sourceAddr: w.setup.port, destAddr: "8613812345678", text: "hi" }),
      sequence: 9,
      status: 0,
    } as never);
    // sm_length is the byte before short_message: claim 200 bytes where there are 2
    const smLenAt = good.length - 3;
    const bad = Buffer.from(good);
    bad[smLenAt] = 200;
    esme.session.close();
    const c = await raw(w.server.port);
    const bind = encodePdu({
      command: "bind_transceiver",
      sequence: 1,
      status: 0,
      ...bindFields(w.account),
    });
    c.write(bind);
    await c.waitFor(() => c.headers().find((h) => h.sequence === 1));
    c.write(bad);
    const h = await c.waitFor(() => c.headers().find((x) => x.sequence === 9));
    expect(h.status).not.toBe(0);
    // a fresh bind still works
    const again = await w.esme();
    expect(again.bindStatus).toBe(0);
    c.socket.destroy();
  });

  it("requests before bind are refused with ESME_RINVBNDSTS", async () => {
    const c = await raw(w.server.port);
    c.write(
      encodePdu({
        ...submitSm({ sourceAddr: "1", destAddr: "2", text: "x" }),
        sequence: 3,
        status: 0,
      } as never),
    );
    const h = await c.waitFor(() => c.headers()[0]);
    expect(h).toMatchObject({ commandId: 0x80000004, status: 0x04, sequence: 3 });
    c.socket.destroy();
  });

  it("random garbage never takes the server down", async () => {
    for (let i = 0; i < 20; i++) {
      const c = await raw(w.server.port);
      const junk = Buffer.alloc(64 + i * 7);
      for (let j = 0; j < junk.length; j++) junk[j] = (j * 31 + i * 17) & 0xff;
      junk.writeUInt32BE(junk.length, 0);
      c.write(junk);
      await new Promise((r) => setTimeout(r, 5));
      c.socket.destroy();
    }
    const esme = await w.esme();
    expect(esme.bindStatus).toBe(0);
  });
});
