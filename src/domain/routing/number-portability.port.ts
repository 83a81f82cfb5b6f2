import type { Carrier } from "./carriers.js";

/**
 * Number portability (携号转网): which carrier serves a number now, when that is not the carrier its
 * segment was allocated to. Lookups are synchronous and in memory: they run once per message.
 */
export interface NumberPortability {
  /** The current carrier of a ported number (E.164, "+86…"); undefined when it was not ported. */
  carrierOf(e164: string): Carrier | undefined;
}
