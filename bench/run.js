// npm run bench: prints anning's figures beside baselines measured in the same run.
// `npm run bench -- campaign`, `-- http`, `-- store` or `-- smpp` runs one part.
import { httpBench } from "./http.bench.js";
import { smppBench } from "./smpp.bench.js";
import { storePathBench } from "./store-path.bench.js";

const log = (s) => process.stdout.write(`${s}\n`);
const only = process.argv[2];

if (!only || only === "http") {
  log("== POST /v1/decisions over keep-alive HTTP");
  await httpBench(log);
}

const stores = process.env.BENCH_STORE ? [process.env.BENCH_STORE] : ["sqlite", "postgres"];
const results = {};
if (!only || only === "campaign") {
  for (const store of stores) {
    process.env.BENCH_STORE = store;
    // the module reads BENCH_STORE when loaded: a fresh copy per store
    const { campaignBench } = await import(`./campaign.bench.js?store=${store}`);
    log(
      `== campaign: decisions against the consent store (${store === "postgres" ? "PostgreSQL + Redis" : "SQLite"})`,
    );
    const r = await campaignBench(log);
    results[store] = r;
    const [decideTarget, e2eTarget] = store === "postgres" ? ["500,000", "10 s"] : ["1,000,000", "5 s"];
    log(`decisions/s (deciding itself): ${r.decisionsPerSecond.toLocaleString()}   target ≥ ${decideTarget}`);
    log(
      `end to end, ${r.recipients.toLocaleString()} recipients, every result recorded: ${r.endToEndSeconds.toFixed(2)} s   target ≤ ${e2eTarget}  (accepted ${r.accepted}, ${r.status})`,
    );
    if (r.redisTrips !== null)
      log(
        `Redis round trips for the campaign: ${r.redisTrips} (${(r.redisTrips / r.recipients).toFixed(5)} per decision)`,
      );
    log(`peak RSS: ${Math.round(r.peakRss / 1048576)} MiB   target ≤ 1024 MiB`);
  }
  if (results.sqlite && results.postgres)
    log(
      `side by side: deciding ${results.sqlite.decisionsPerSecond.toLocaleString()} vs ${results.postgres.decisionsPerSecond.toLocaleString()} /s; end to end ${results.sqlite.endToEndSeconds.toFixed(2)} vs ${results.postgres.endToEndSeconds.toFixed(2)} s (SQLite vs PostgreSQL + Redis)`,
    );
}

if (!only || only === "store") {
  log("== the SMPP relay's store calls per message (no sockets, no other process)");
  await storePathBench(log);
}

if (!only || only === "smpp") {
  log("== SMPP relay beside the simulator, and HTTP in / SMPP out beside Kannel");
  await smppBench(log);
}
