import type { SmBody } from "../pdu/index.js";
import { SessionClosedError, SessionTimeoutError, type SmppSession } from "../session.js";

/** A deliver_sm body, without header fields. */
export type DeliverSm = SmBody;

/** One deliver_sm on its way to an ESME. */
export interface Delivery {
  /** Only binds with this system_id may take it; null: any receiver. */
  systemId: string | null;
  pdu: DeliverSm;
  kind: "receipt" | "mo";
  /** Called once: with no argument when acknowledged with status 0, with an Error otherwise. */
  settle?: (err?: Error) => void;
}

interface Group {
  sessions: SmppSession[];
  next: number;
}

/** What happened to deliveries, for the simulator's counters. */
export interface DeliveryEvents {
  delivered(d: Delivery): void;
  /** Answered with an error status, or it could not be encoded: not retried. */
  refused(d: Delivery): void;
}

/**
 * Sends deliver_sm round-robin to the receiver and transceiver binds that may take them, and keeps them in
 * memory while there is none: they go out when one binds. A deliver_sm lost with its connection (closed,
 * or no answer in time) is queued again; one answered with an error status (or that cannot be encoded) is
 * dropped and reported.
 */
export class DeliveryRouter {
  private readonly groups = new Map<string, Group>();
  private readonly any: Group = { sessions: [], next: 0 };
  private readonly waiting = new Map<string | null, Delivery[]>();
  private waitingCount = 0;
  private closed = false;

  constructor(private readonly events: DeliveryEvents) {}

  /** Deliveries waiting for a bind. */
  get pending(): number {
    return this.waitingCount;
  }

  /** A receiver or transceiver bound: it takes its share from now on, starting with what waited. */
  addReceiver(systemId: string, session: SmppSession): void {
    let g = this.groups.get(systemId);
    if (g === undefined) {
      g = { sessions: [], next: 0 };
      this.groups.set(systemId, g);
    }
    g.sessions.push(session);
    this.any.sessions.push(session);
    this.flush(systemId);
    this.flush(null);
  }

  /** A receiver unbound or disconnected. */
  removeReceiver(systemId: string, session: SmppSession): void {
    const g = this.groups.get(systemId);
    if (g !== undefined) {
      remove(g.sessions, session);
      if (g.sessions.length === 0) this.groups.delete(systemId);
    }
    remove(this.any.sessions, session);
  }

  /** Sends now to the next eligible bind, or keeps it until one binds. */
  deliver(d: Delivery): void {
    if (this.closed) {
      d.settle?.(new Error("simulator closed"));
      return;
    }
    const session = this.pick(d.systemId === null ? this.any : this.groups.get(d.systemId));
    if (session === undefined) {
      let q = this.waiting.get(d.systemId);
      if (q === undefined) {
        q = [];
        this.waiting.set(d.systemId, q);
      }
      q.push(d);
      this.waitingCount++;
      return;
    }
    this.send(session, d);
  }

  /** Stops delivering; waiting deliveries are settled with an error. */
  close(): void {
    this.closed = true;
    const err = new Error("simulator closed");
    for (const q of this.waiting.values()) for (const d of q) d.settle?.(err);
    this.waiting.clear();
    this.waitingCount = 0;
  }

  private forget(session: SmppSession): void {
    for (const [id, g] of this.groups) if (g.sessions.includes(session)) this.removeReceiver(id, session);
    remove(this.any.sessions, session);
  }

  private pick(g: Group | undefined): SmppSession | undefined {
    if (g === undefined) return undefined;
    for (let tries = g.sessions.length; tries > 0; tries--) {
      const s = g.sessions[g.next++ % g.sessions.length];
      if (g.next >= 0x4000_0000) g.next = 0;
      if (s !== undefined && !s.closed) return s;
    }
    return undefined;
  }

  private flush(key: string | null): void {
    const q = this.waiting.get(key);
    if (q === undefined) return;
    this.waiting.delete(key);
    this.waitingCount -= q.length;
    for (const d of q) this.deliver(d);
  }

  private send(session: SmppSession, d: Delivery): void {
    session.request(d.pdu).then(
      (resp) => {
        if (resp.status === 0) {
          this.events.delivered(d);
          d.settle?.();
        } else {
          this.events.refused(d);
          d.settle?.(new Error(`deliver_sm refused with status 0x${resp.status.toString(16)}`));
        }
      },
      (err: unknown) => {
        if (err instanceof SessionClosedError || err instanceof SessionTimeoutError) {
          // lost with its connection, or unanswered in time: another bind (or this one, later) gets it
          if (err instanceof SessionClosedError) this.forget(session);
          this.deliver(d);
          return;
        }
        this.events.refused(d);
        d.settle?.(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }
}

function remove<T>(arr: T[], item: T): void {
  const i = arr.indexOf(item);
  if (i >= 0) arr.splice(i, 1);
}
