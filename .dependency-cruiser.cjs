/** Layer rules: the domain core knows nothing of I/O, use cases know no adapters. */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "src/domain may not import I/O modules, adapters, use cases or entry points",
      severity: "error",
      from: { path: "^src/domain" },
      to: {
        path: "^(src/(adapters|app|cli|main)|node_modules/(better-sqlite3|pg|ioredis|fastify|@fastify|smpp|pino))|^(node:)?(net|fs|http|https|child_process|dgram|tls)$",
      },
    },
    {
      name: "app-knows-no-adapters",
      comment: "use cases talk to ports, never to adapters",
      severity: "error",
      from: { path: "^src/app" },
      to: { path: "^src/(adapters|cli|main)|node_modules/(better-sqlite3|pg|ioredis|fastify|@fastify|smpp)" },
    },
    { name: "no-circular", severity: "warn", from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "\\.test\\.ts$" },
  },
};
