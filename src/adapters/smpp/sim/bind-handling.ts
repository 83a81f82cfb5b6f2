/**
 * Bind handling of the SMSC simulator: one connection's bind state, answering bind_transmitter /
 * bind_receiver / bind_transceiver, and taking a connection off the delivery routes once it unbinds.
 */
import { type BindPdu, STATUS } from "../pdu/index.js";
import type { SmppSession } from "../session.js";
import type { DeliveryRouter } from "./delivery-router.js";
import type { ResolvedSimOptions } from "./sim-options.js";

/** The system_id the simulator answers binds with. */
export const SIM_SYSTEM_ID = "ANNINGSIM";

export type BindKind = "bind_transmitter" | "bind_receiver" | "bind_transceiver";

/** One ESME connection and what it is bound as (null until a bind succeeded). */
export interface Conn {
  session: SmppSession;
  bound: { kind: BindKind; systemId: string } | null;
}

/** What bind handling needs from the simulator. */
export interface BindContext {
  readonly o: ResolvedSimOptions;
  readonly router: DeliveryRouter;
  readonly counts: { binds: number };
}

/**
 * Answers a bind: ESME_RALYBND when the connection is already bound, ESME_RINVSYSID / ESME_RINVPASWD when
 * the simulator was given credentials the bind does not match, else success. A successful bind marks the
 * connection bound, counts it, and, unless it is a transmitter, adds it to the delivery routes of its
 * system_id.
 */
export function answerBind(conn: Conn, pdu: BindPdu, sim: BindContext): void {
  const kind: BindKind = pdu.command;
  const systemId = pdu.systemId;
  const command = `${kind}_resp` as const;
  const o = sim.o;
  let status: number = STATUS.ESME_ROK;
  if (conn.bound !== null) status = STATUS.ESME_RALYBND;
  else if (o.systemId !== undefined && systemId !== o.systemId) status = STATUS.ESME_RINVSYSID;
  else if (o.password !== undefined && pdu.password !== o.password) status = STATUS.ESME_RINVPASWD;
  conn.session.respond(
    { sequence: pdu.sequence },
    { command, status, systemId: SIM_SYSTEM_ID, tlvs: status === 0 ? { scInterfaceVersion: 0x34 } : {} },
  );
  if (status !== 0) return;
  conn.bound = { kind, systemId };
  sim.counts.binds++;
  // after the response, so a waiting deliver_sm follows the bind_resp on the wire
  if (kind !== "bind_transmitter") sim.router.addReceiver(systemId, conn.session);
}

/** Forgets the connection's bind (after unbind or close), taking a receiver off the delivery routes. */
export function dropBind(conn: Conn, router: DeliveryRouter): void {
  const b = conn.bound;
  if (b === null) return;
  conn.bound = null;
  if (b.kind !== "bind_transmitter") router.removeReceiver(b.systemId, conn.session);
}

/** Unbinds a bound connection (waiting at most 2 s for the unbind_resp), then closes it. */
export async function closeConn({ session, bound }: Conn): Promise<void> {
  if (bound !== null && !session.closed) {
    await Promise.race([session.unbind().catch(() => {}), delay(2000)]);
  }
  session.close("simulator closed");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
