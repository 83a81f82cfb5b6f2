export { applyPgMigrations, PG_MIGRATIONS } from "./migrations.js";
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from "./pg-store.js";
export { parsePgUrl } from "./pg-util.js";
