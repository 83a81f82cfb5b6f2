export { SqliteCampaignStore } from "./campaign-store.sqlite.js";
export { SqliteEnterpriseStore } from "./enterprise-store.sqlite.js";
export { SqliteLedgerStore } from "./ledger-store.sqlite.js";
export { SqliteMessageStore } from "./message-store.sqlite.js";
export { applyMigrations, MIGRATIONS, type Migration } from "./migrations.js";
export { SqlitePortStore } from "./port-store.sqlite.js";
export { SqliteSignatureStore } from "./signature-store.sqlite.js";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
export { SqliteWebhookStore } from "./webhook-store.sqlite.js";
