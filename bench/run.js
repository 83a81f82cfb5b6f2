// npm run bench: prints anning's figures beside baselines measured in the same run.
// `npm run bench -- campaign` or `-- http` runs one part.
import { campaignBench } from "./campaign.bench.js";
import { httpBench } from "./http.bench.js";

const log = (s) => process.stdout.write(`${s}\n`);
const only = process.argv[2];

if (!only || only === "http") {
  log("== POST /v1/decisions over keep-alive HTTP");
  await httpBench(log);
}

if (!only || only === "campaign") {
  log("== campaign: decisions against the consent store (SQLite)");
  const r = await campaignBench(log);
  log(`decisions/s (deciding itself): ${r.decisionsPerSecond.toLocaleString()}   target ≥ 1,000,000`);
  log(
    `end to end, ${r.recipients.toLocaleString()} recipients, every result recorded: ${r.endToEndSeconds.toFixed(2)} s   target ≤ 5 s  (accepted ${r.accepted}, ${r.status})`,
  );
  log(`peak RSS: ${Math.round(r.peakRss / 1048576)} MiB   target ≤ 1024 MiB`);
}
