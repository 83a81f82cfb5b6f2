/** What changed: consent ledger events, or the registry (enterprises, keys, signatures, ports, overrides). */
export type ChangeTopic = "ledger" | "registry";

/**
 * Wake-ups between nodes: a node that changed the ledger or the registry says so, and the others catch
 * up at once instead of at their next poll. A wake-up carries no data: catching up reads the change
 * from the store by sequence (ledger seq, registry version), so one lost while a node was disconnected
 * costs only latency, never the change itself.
 */
export interface ChangeBus {
  publish(topic: ChangeTopic): Promise<void>;
  /** Calls `onChange` for each wake-up (its own included), and for both topics after each reconnect. */
  listen(onChange: (topic: ChangeTopic) => void): Promise<void>;
  close(): Promise<void>;
}

/** A single node, or nodes that rely on polling alone. */
export const NO_BUS: ChangeBus = {
  async publish() {},
  async listen() {},
  async close() {},
};
