import { defineConfig } from "vitest/config";

/**
 * Two runs of the suite: everything on the embedded SQLite store, and everything that works through
 * the store ports (use cases, HTTP API, scenarios, server processes) again on PostgreSQL with Redis.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["test/cluster/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: [
            "src/app/**/*.test.ts",
            "src/adapters/http/**/*.test.ts",
            "test/scenarios/**/*.test.ts",
            "test/cli/**/*.test.ts",
            "test/smpp/gateway.test.ts",
            "test/smpp/long-messages.test.ts",
            "test/smpp/query-cancel.test.ts",
            "test/smpp/submit-multi.test.ts",
            "test/smpp/upstreams.test.ts",
          ],
          exclude: ["src/app/index-snapshot.test.ts"],
          env: { ANNING_TEST_STORE: "postgres" },
          globalSetup: ["test/support/pg-global-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "cluster",
          include: ["test/cluster/**/*.test.ts"],
        },
      },
    ],
  },
});
