// The node options `npm start` gives the gateway, read from package.json's start script, so the
// benches run anning as it is deployed (say, its young-generation size) without a second copy of them.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = JSON.parse(
  readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../package.json"), "utf8"),
);

/** The words between `node` and `dist/main.js` in `npm start` (e.g. ["--max-semi-space-size=64"]). */
export const GATEWAY_NODE_ARGS = (
  /^(?:exec\s+)?node\s+(.*?)\s*dist\/main\.js/.exec(pkg.scripts.start)?.[1] ?? ""
)
  .split(/\s+/)
  .filter(Boolean);
