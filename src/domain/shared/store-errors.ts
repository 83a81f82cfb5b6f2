/** Raised by a store when a uniqueness rule is broken (duplicate number, signature text, key…). */
export class StoreConflictError extends Error {
  constructor(readonly what: string) {
    super(`conflict: ${what}`);
    this.name = "StoreConflictError";
  }
}
