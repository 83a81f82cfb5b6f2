export * from "./categories.js";
export type { Clock } from "./clock.port.js";
export * from "./domain-error.js";
export type { IdGenerator, IdPrefix } from "./ids.port.js";
export { StoreConflictError } from "./store-errors.js";
