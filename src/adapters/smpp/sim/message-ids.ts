import type { IdFormat, ReceiptIdForm } from "./sim-options.js";

const MAX_ID = 0xffff_ffff;

/** Writes a message id number: "hex" is upper-case, padded to 8 digits ("0001A2F3"). */
export function formatMessageId(n: number, format: IdFormat): string {
  return format === "hex" ? n.toString(16).toUpperCase().padStart(8, "0") : String(n);
}

/** Writes the id for a receipt's `id:` field in the requested form. */
export function formatReceiptId(n: number, format: IdFormat, form: ReceiptIdForm): string {
  switch (form) {
    case "same":
      return formatMessageId(n, format);
    case "decimal":
      return String(n);
    case "lowerhex":
      return n.toString(16).padStart(8, "0");
  }
}

/** Sequential message id numbers, wrapping from 4294967295 back to 1. */
export class MessageIdCounter {
  private n: number;

  constructor(first: number) {
    this.n = first;
  }

  /** The next id number. */
  next(): number {
    const id = this.n;
    this.n = id >= MAX_ID ? 1 : id + 1;
    return id;
  }
}
