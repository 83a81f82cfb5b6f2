/** Type prefixes of every id anning issues. Ids sort by creation time. */
export type IdPrefix =
  | "ent"
  | "key"
  | "sig"
  | "aut"
  | "prt"
  | "alc"
  | "cns"
  | "evt"
  | "msg"
  | "cpg"
  | "cmp"
  | "req"
  | "whd"
  /** SMPP accounts. */
  | "sma"
  /** Notices queued for a sender: receipts and replies. */
  | "ntc";

/** Issues prefixed, time-sortable ids (`msg_0193…`). */
export interface IdGenerator {
  next(prefix: IdPrefix): string;
}
