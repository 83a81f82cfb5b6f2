import { decodeText } from "../pdu/index.js";
import { Ring } from "./ring.js";
import type { AssembledMessage, PartInfo, ReceivedMessage } from "./sim-options.js";

/**
 * What the simulator keeps of one accepted submit_sm, one object per message; the text is decoded only
 * when someone looks (and then cached in `decoded`).
 */
export interface MessageFacts {
  id: string;
  destination: string;
  source: string;
  /** The text octets of this part, UDH removed (the codec's own copy: never a view of a socket chunk). */
  body: Buffer;
  dataCoding: number;
  esmClass: number;
  parts: PartInfo | null;
  serviceType: string;
  registeredDelivery: number;
  userMessageReference: number | undefined;
  at: number;
  systemId: string;
  decoded?: string;
}

function textOf(f: MessageFacts): string {
  if (f.decoded === undefined) f.decoded = decodeText(f.dataCoding, f.body);
  return f.decoded;
}

function view(f: MessageFacts): ReceivedMessage {
  const m: ReceivedMessage = {
    id: f.id,
    destination: f.destination,
    source: f.source,
    text: textOf(f),
    dataCoding: f.dataCoding,
    esmClass: f.esmClass,
    parts: f.parts,
    serviceType: f.serviceType,
    registeredDelivery: f.registeredDelivery,
    at: f.at,
    systemId: f.systemId,
  };
  if (f.userMessageReference !== undefined) m.userMessageReference = f.userMessageReference;
  return m;
}

/** The parts of a concatenated message once all arrived (a single message is kept as its facts alone). */
interface Joined {
  all: MessageFacts[];
  at: number;
}

interface Partial {
  parts: Array<MessageFacts | undefined>;
  have: number;
}

/**
 * The most recent accepted messages and the whole messages they make up. Parts of a concatenated message
 * are joined when the last one arrives (in any order; a repeated part replaces the earlier copy); at most
 * `capacity` incomplete messages are tracked, the oldest dropped first. Capacity 0 keeps nothing.
 */
export class MessageLog {
  private readonly received: Ring<MessageFacts>;
  private readonly wholes: Ring<MessageFacts | Joined>;
  private readonly partial = new Map<string, Partial>();

  constructor(private readonly capacity: number) {
    this.received = new Ring(capacity);
    this.wholes = new Ring(capacity);
  }

  /** Records one accepted part or message. */
  add(f: MessageFacts): void {
    if (this.capacity === 0) return;
    this.received.push(f);
    const p = f.parts;
    if (p === null || p.total <= 1 || p.seq < 1 || p.seq > p.total) {
      this.wholes.push(f);
      return;
    }
    const key = `${f.systemId}\u0000${f.source}\u0000${f.destination}\u0000${p.ref}\u0000${p.total}`;
    let entry = this.partial.get(key);
    if (entry === undefined) {
      entry = { parts: new Array<MessageFacts | undefined>(p.total), have: 0 };
      this.partial.set(key, entry);
      if (this.partial.size > this.capacity) {
        const oldest = this.partial.keys().next();
        if (!oldest.done) this.partial.delete(oldest.value);
      }
    }
    if (entry.parts[p.seq - 1] === undefined) entry.have++;
    entry.parts[p.seq - 1] = f;
    if (entry.have === p.total) {
      this.partial.delete(key);
      this.wholes.push({ all: entry.parts as MessageFacts[], at: f.at });
    }
  }

  /** Accepted parts and messages, oldest first, texts decoded. */
  messages(): ReceivedMessage[] {
    return this.received.toArray().map(view);
  }

  /** Whole messages, oldest first. */
  assembled(): AssembledMessage[] {
    return this.wholes.toArray().map((w) => {
      const parts = "all" in w ? w.all : [w];
      const first = parts[0] as MessageFacts;
      return {
        destination: first.destination,
        source: first.source,
        text: parts.map(textOf).join(""),
        parts: parts.length,
        ids: parts.map((s) => s.id),
        at: w.at,
      };
    });
  }

  /** Forgets everything. */
  clear(): void {
    this.received.clear();
    this.wholes.clear();
    this.partial.clear();
  }
}
