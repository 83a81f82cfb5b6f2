// Runs the campaign part of the bench in its own process (see campaign.bench.js).
import { campaignChild } from "./campaign.bench.js";

await campaignChild(process.argv[2]);
