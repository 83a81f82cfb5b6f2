#!/usr/bin/env node
import { Command } from "commander";
import { campaignCheckCommand } from "./adapters/cli/campaign-check.cli.js";
import { CliError } from "./adapters/cli/csv-input.js";
import { importConsentsCommand } from "./adapters/cli/import-consents.cli.js";
import { serveCommand } from "./adapters/cli/serve.cli.js";
import {
  DEFAULT_CONTROL_URL,
  type SmscSimFlags,
  type SmscSimMoFlags,
  smscSimCommand,
  smscSimMoCommand,
} from "./adapters/cli/smsc-sim.cli.js";
import { ADMIN } from "./app/context.js";
import { anchorLedger, verifyLedger } from "./app/ledger/verify-ledger.js";
import { showPolicy } from "./app/registry/policy-overrides.js";
import { loadConfig } from "./config.js";
import { DomainError } from "./domain/shared/domain-error.js";
import { buildServices, type Services } from "./services.js";

/** Runs a command against the configured store, closing it afterwards. */
async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const services = await buildServices(loadConfig(), { anchorEveryMs: 0 });
  try {
    return await fn(services);
  } finally {
    await services.close();
  }
}

const program = new Command()
  .name("anning")
  .description(
    "Consent-first compliance gateway for marketing SMS. Settings come from ANNING_* environment variables.",
  )
  .showHelpAfterError();

program
  .command("serve")
  .description("start the gateway (HTTP API, dispatcher, campaign runner)")
  .action(() => serveCommand(loadConfig()));

const consents = program.command("consents").description("consent records");
consents
  .command("import")
  .argument(
    "<file>",
    "CSV with columns phone,enterpriseId,category,method,capturedAt,source,noticeText[,expiresAt]",
  )
  .description("import consent records; bad rows go to FILE.rejects.csv; safe to re-run")
  .action(async (file: string) => {
    const t = await withServices((s) => importConsentsCommand(s, file));
    if (t.rejected > 0) process.exitCode = 1;
  });

program
  .command("campaign")
  .description("campaign tools")
  .command("check")
  .argument("<file>", "CSV with a phone column")
  .requiredOption("--sender <id>", "sending enterprise id")
  .requiredOption("--signature <sig>", "signature id or 【text】")
  .requiredOption("--port <number>", "sending number (port plus extension) or port id")
  .requiredOption("--text <text>", "message text")
  .requiredOption("--category <category>", "message category, e.g. marketing.retail")
  .option("--out <file>", "results CSV (default FILE.results.csv)")
  .description("decide a campaign offline against the store; records nothing")
  .action(
    async (
      file: string,
      o: { sender: string; signature: string; port: string; text: string; category: string; out?: string },
    ) => {
      const out = o.out ?? `${file.replace(/\.csv$/i, "")}.results.csv`;
      await withServices((s) =>
        campaignCheckCommand(
          s,
          file,
          { senderId: o.sender, signature: o.signature, port: o.port, text: o.text, category: o.category },
          out,
        ),
      );
    },
  );

program
  .command("policy")
  .description("policy")
  .command("show")
  .option("--enterprise <id>", "include an enterprise's overrides")
  .description("print the policy in force (file or built-in defaults)")
  .action(async (o: { enterprise?: string }) => {
    const p = await withServices(async (s) => showPolicy(s.ctx, ADMIN, o.enterprise));
    process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
  });

const ledger = program.command("ledger").description("the consent ledger");
ledger
  .command("verify")
  .description("check every hash chain; exits 1 when an event was edited, deleted or back-dated")
  .action(async () => {
    const r = await withServices(async (s) => {
      const v = await verifyLedger(s.ctx);
      // pin the verified heads, so a later rewrite or cut of the chain shows
      if (v.ok) await anchorLedger(s.ctx);
      return v;
    });
    for (const p of r.problems)
      process.stdout.write(
        `PROBLEM shard ${p.shard} position ${p.shardSeq} ${p.eventId ?? "-"}: ${p.kind}: ${p.detail}\n`,
      );
    process.stdout.write(
      r.ok
        ? `ledger OK: ${r.checked} events verified\n`
        : `ledger TAMPERED: ${r.problems.length} problem(s) in ${r.checked} events\n`,
    );
    if (!r.ok) process.exitCode = 1;
  });

program
  .command("smsc-sim")
  .argument(
    "[action]",
    "none: run the simulator; `mo`: inject a mobile-originated message into a running one",
  )
  .description(
    "the bundled SMSC simulator (the carrier side anning binds to), for demos, tests and benchmarks",
  )
  .option("--port <n>", "SMPP port (0: a free one; anning's own SMPP server has 2775)", "2875")
  .option("--host <host>", "interface to listen on", "127.0.0.1")
  .option(
    "--system-id <id>",
    "bind system_id to require (default: any); mo: deliver only to binds of this system_id",
  )
  .option("--password <password>", "bind password to require (default: any)")
  .option("--receipt-delay-ms <n>", "delay between submit_sm_resp and the delivery receipt (default 100)")
  .option("--latency-ms <n>", "delay before each submit_sm_resp (default 0)")
  .option("--fail-ratio <r>", "share of receipts saying UNDELIV, 0..1 (default 0)")
  .option("--expire-ratio <r>", "share of receipts saying EXPIRED, 0..1 (default 0)")
  .option("--reject-ratio <r>", "share of submit_sm refused with ESME_RSUBMITFAIL, 0..1 (default 0)")
  .option("--fail-destinations <suffixes>", "comma-separated destination suffixes always UNDELIV, e.g. 0000")
  .option("--id-format <format>", "message ids: hex or decimal (default hex)")
  .option("--receipt-id-form <form>", "receipt text id: same, decimal or lowerhex (default same)")
  .option("--window <n>", "outstanding deliver_sm per bind")
  .option("--control-port <n>", "HTTP control API port (default SMPP port + 1; 0: a free one; -1: none)")
  .option(
    "--tls-key <file>",
    "PEM private key: SMPP over TLS on --port (with --tls-cert), like a carrier's smpps://",
  )
  .option("--tls-cert <file>", "PEM certificate for --tls-key")
  .option("--from <number>", "mo: the handset number")
  .option("--to <number>", "mo: the number it was sent to (a port)")
  .option("--text <text>", "mo: the text, e.g. TD")
  .option("--control <url>", "mo: the running simulator's control API", DEFAULT_CONTROL_URL)
  .action(async (action: string | undefined, o: SmscSimFlags & SmscSimMoFlags) => {
    if (action === undefined) return smscSimCommand(o);
    if (action !== "mo") throw new CliError(`unknown smsc-sim action: ${action} (expected mo)`);
    const r = await smscSimMoCommand(o);
    (r.ok ? process.stdout : process.stderr).write(`${r.status} ${r.body}\n`);
    if (!r.ok) process.exitCode = 1;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CliError || err instanceof DomainError) {
    process.stderr.write(`anning: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`anning: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
