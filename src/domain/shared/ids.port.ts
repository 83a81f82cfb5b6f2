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
  | "whd";

/** Issues prefixed, time-sortable ids (`msg_0193…`). */
export interface IdGenerator {
  next(prefix: IdPrefix): string;
}
