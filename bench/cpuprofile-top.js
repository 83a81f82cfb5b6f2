// Self time by function + url from V8 .cpuprofile files (node --cpu-prof), highest first.
// Usage: node bench/cpuprofile-top.js [DIR or FILE…] [--top N] [--by url] [--from S] [--until S]
// With a directory, every .cpuprofile in it is summed. `--by url` aggregates by script instead;
// `--callers NAME` splits the self time of functions named NAME by their callers (two frames up).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
let top = 30;
let byUrl = false;
let callersOf = null;
/** Only the samples from this many seconds after the profile started, and before `until`. */
let from = 0;
let until = Number.POSITIVE_INFINITY;
const inputs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--top") top = Number(args[++i]);
  else if (args[i] === "--by") byUrl = args[++i] === "url";
  else if (args[i] === "--callers") callersOf = args[++i];
  else if (args[i] === "--from") from = Number(args[++i]) * 1e6;
  else if (args[i] === "--until") until = Number(args[++i]) * 1e6;
  else inputs.push(args[i]);
}
if (inputs.length === 0) inputs.push("/tmp/anning-prof");

const files = inputs.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((f) => f.endsWith(".cpuprofile"))
        .map((f) => join(p, f))
    : [p],
);

const short = (url) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/^.*\/node_modules\//, "npm:")
    .replace(/^.*\/dist\//, "dist/");

const self = new Map();
let total = 0;
for (const file of files) {
  const prof = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frame = (id) => {
    const cf = byId.get(id)?.callFrame;
    return cf ? `${cf.functionName || "(anonymous)"} ${short(cf.url || "")}:${cf.lineNumber + 1}` : "(root)";
  };
  // timeDeltas[i] is the time before samples[i]: attribute it to that sample's node
  const ticks = new Map();
  let t = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    t += prof.timeDeltas[i] ?? 0;
    if (t < from || t >= until) continue;
    const id = prof.samples[i];
    ticks.set(id, (ticks.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
  }
  for (const [id, us] of ticks) {
    const cf = byId.get(id)?.callFrame;
    if (!cf) continue;
    const url = short(cf.url || "");
    if (callersOf !== null) {
      if (cf.functionName !== callersOf) continue;
      const p1 = parent.get(id);
      const p2 = p1 === undefined ? undefined : parent.get(p1);
      const key = `${frame(p1)}  <-  ${p2 === undefined ? "(root)" : frame(p2)}`;
      self.set(key, (self.get(key) ?? 0) + us);
      total += us;
      continue;
    }
    const key = byUrl
      ? url || `(${cf.functionName || "native"})`
      : `${cf.functionName || "(anonymous)"}  ${url ? `${url}:${cf.lineNumber + 1}` : ""}`;
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  }
}

const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
process.stdout.write(`${files.length} profile(s), ${(total / 1e6).toFixed(2)} s sampled\n`);
process.stdout.write("  self ms     %   function  location\n");
for (const [key, us] of rows)
  process.stdout.write(
    `${(us / 1000).toFixed(0).padStart(8)} ${((100 * us) / total).toFixed(1).padStart(5)}   ${key}\n`,
  );
