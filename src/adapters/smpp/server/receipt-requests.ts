/**
 * Which parts of the messages submitted on this node asked for a receipt (`registered_delivery`): bit
 * 0x01 for every final outcome, 0x02 for failures only, neither for none. Kept in memory, bounded
 * (oldest forgotten first); a message not known here (submitted before a restart, or on another node)
 * gets every receipt, as clients ignore receipts they did not ask for.
 */
export class ReceiptRequests {
  private readonly wants = new Map<string, number[]>();

  constructor(private readonly max = 500_000) {}

  /** Notes what part `part` (1-based) of `messageId` asked for. */
  note(messageId: string, part: number, registeredDelivery: number): void {
    let parts = this.wants.get(messageId);
    if (!parts) {
      if (this.wants.size >= this.max) {
        const oldest = this.wants.keys().next().value;
        if (oldest !== undefined) this.wants.delete(oldest);
      }
      parts = [];
      this.wants.set(messageId, parts);
    }
    parts[part - 1] = registeredDelivery & 0x03;
  }

  /** Whether part `part` of `messageId` gets a receipt saying `stat`. */
  wanted(messageId: string, part: number, stat: string): boolean {
    const mode = this.wants.get(messageId)?.[part - 1];
    if (mode === undefined) return true;
    if (mode === 0x01 || mode === 0x03) return true;
    if (mode === 0x02) return stat !== "DELIVRD";
    return false;
  }
}
