/** One part of a long message, as it arrived. */
export interface ArrivedPart {
  seq: number;
  text: string;
}

interface Assembly {
  messageId: string;
  total: number;
  parts: Map<number, string>;
  timer: NodeJS.Timeout;
}

/** What adding a part gives: an acknowledgement for an early part, or the whole text on the last. */
export type AddResult =
  | { kind: "part"; messageId: string }
  | { kind: "complete"; messageId: string; text: string; total: number }
  /** The part disagrees with the parts before it (another total): the assembly is dropped. */
  | { kind: "invalid"; messageId: string; arrived: number[] };

/**
 * Reassembles long messages a sender split (UDH or SAR): parts are acknowledged as they arrive and the
 * policy sees the whole text when the last one comes. The message id is handed out with the first part,
 * so every part's response can carry `<id>-<seq>`. An assembly left incomplete for `timeoutMs` is given
 * to `onExpired` (the parts that arrived are then recorded as refused).
 */
export class LongMessages {
  private readonly open = new Map<string, Assembly>();
  /** The key of each open assembly by its message id. */
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly newId: () => string,
    private readonly timeoutMs: number,
    private readonly onExpired: (key: string, messageId: string, parts: ArrivedPart[], total: number) => void,
    private readonly maxOpen = 100_000,
  ) {}

  get size(): number {
    return this.open.size;
  }

  /** Whether another assembly may start (bounded memory). */
  get full(): boolean {
    return this.open.size >= this.maxOpen;
  }

  /** Adds one part; `key` names the message (account, addresses and reference number). */
  add(key: string, total: number, seq: number, text: string): AddResult {
    let a = this.open.get(key);
    if (a && a.total !== total) {
      this.drop(key, a);
      return { kind: "invalid", messageId: a.messageId, arrived: [...a.parts.keys()] };
    }
    if (!a) {
      const messageId = this.newId();
      const timer = setTimeout(() => this.expire(key), this.timeoutMs);
      timer.unref();
      a = { messageId, total, parts: new Map(), timer };
      this.open.set(key, a);
      this.keys.set(messageId, key);
    }
    a.parts.set(seq, text);
    if (a.parts.size < total) return { kind: "part", messageId: a.messageId };
    this.drop(key, a);
    let whole = "";
    for (let i = 1; i <= total; i++) whole += a.parts.get(i) ?? "";
    return { kind: "complete", messageId: a.messageId, text: whole, total };
  }

  /** An open assembly by its message id: its key, the parts that arrived (in order) and the total. */
  find(messageId: string): { key: string; arrived: number[]; total: number } | undefined {
    const key = this.keys.get(messageId);
    const a = key === undefined ? undefined : this.open.get(key);
    if (key === undefined || !a) return undefined;
    return { key, arrived: [...a.parts.keys()].sort((x, y) => x - y), total: a.total };
  }

  /** Removes an open assembly (its sender cancelled it) and returns what arrived, in order. */
  take(key: string): ArrivedPart[] | undefined {
    const a = this.open.get(key);
    if (!a) return undefined;
    this.drop(key, a);
    return [...a.parts].map(([seq, text]) => ({ seq, text })).sort((x, y) => x.seq - y.seq);
  }

  private expire(key: string): void {
    const a = this.open.get(key);
    if (!a) return;
    this.open.delete(key);
    this.keys.delete(a.messageId);
    const parts = [...a.parts].map(([seq, text]) => ({ seq, text })).sort((x, y) => x.seq - y.seq);
    this.onExpired(key, a.messageId, parts, a.total);
  }

  private drop(key: string, a: Assembly): void {
    clearTimeout(a.timer);
    this.open.delete(key);
    this.keys.delete(a.messageId);
  }

  /** Expires every open assembly now (at shutdown, so acknowledged parts are recorded). */
  flush(): void {
    for (const key of [...this.open.keys()]) {
      const a = this.open.get(key);
      if (a) clearTimeout(a.timer);
      this.expire(key);
    }
  }
}
