import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { STATUS } from "../../src/adapters/smpp/pdu/index.js";
import { SmppSession } from "../../src/adapters/smpp/session.js";
import { BIND_LOCK_MS } from "../../src/app/smpp/bind-auth.js";
import { bindFields, type SmppWorld, smppWorld } from "../../src/test-support/smpp-harness.js";

/** Opens a TCP connection to anning's SMPP server, unbound. */
async function open(port: number): Promise<SmppSession> {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise<void>((res, rej) => {
    socket.once("connect", () => res());
    socket.once("error", rej);
  });
  return new SmppSession(socket, { window: 1, enquireLinkMs: 0 });
}

/** Sends a bind_transceiver; resolves with its status. */
async function bind(session: SmppSession, systemId: string, password: string): Promise<number> {
  const resp = await session.request({
    command: "bind_transceiver",
    ...bindFields({ systemId, password }),
  });
  return resp.status;
}

describe("SMPP bind lock under concurrency", () => {
  let w: SmppWorld | undefined;
  const sessions: SmppSession[] = [];
  afterEach(async () => {
    for (const s of sessions.splice(0)) s.close();
    await w?.close();
    w = undefined;
  });

  it("60 binds at once (59 wrong passwords, the right one last): 5 checked, the rest and the right one refused as locked", async () => {
    w = await smppWorld();
    const { systemId, password } = w.account;
    // every connection is open before any bind goes, so the binds arrive together
    sessions.push(...(await Promise.all(Array.from({ length: 60 }, () => open(w?.server.port ?? 0)))));
    const statuses = await Promise.all(
      sessions.map((s, i) => bind(s, systemId, i === 59 ? password : `wrong${i}`)),
    );
    const count = (status: number) => statuses.filter((s) => s === status).length;
    expect(count(STATUS.ESME_RINVPASWD)).toBe(5);
    expect(count(STATUS.ESME_RBINDFAIL)).toBe(55);
    expect(statuses[59]).toBe(STATUS.ESME_RBINDFAIL);
    expect(await w.services.ctx.store.smppAccounts.get(w.account.id)).toMatchObject({
      lockedUntil: w.clock.now() + BIND_LOCK_MS,
    });
    expect(w.server.counters()).toMatchObject({ binds: 0, bindFailures: 60 });
  });
});
