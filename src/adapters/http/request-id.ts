import { systemClock } from "../system/system-clock.js";
import { TimeSortedIds } from "../system/time-sorted-ids.js";

const ids = new TimeSortedIds(systemClock);

/** A fresh request id: `req_` followed by a time-sortable random suffix. */
export function newRequestId(): string {
  return ids.next("req");
}
