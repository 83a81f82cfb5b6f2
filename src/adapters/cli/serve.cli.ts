import type { Config } from "../../config.js";
import { buildServices } from "../../services.js";
import { buildHttpServer } from "../http/server.js";
import { createLogger } from "../system/logger.js";

/**
 * `anning serve`: the gateway. Opens the store, rebuilds the in-memory indexes, starts the dispatcher and
 * the campaign runner, and listens for HTTP. SIGTERM / SIGINT stop taking requests, drain in-flight
 * ones and the dispatcher, then close the store.
 */
export async function serveCommand(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const started = Date.now();
  const services = await buildServices(config, { log });
  if (services.generatedToken)
    process.stdout.write(
      `\nAdmin token (shown once; also kept in ${config.dataDir}/secrets.json):\n  ${services.adminToken}\n\n`,
    );
  const app = await buildHttpServer(services, { logger: log });
  await services.start();
  const address = await app.listen({ host: config.httpHost, port: config.httpPort });
  log.info(
    {
      address,
      store: services.ctx.store.kind,
      consents: services.ctx.state.consents.size,
      policy: config.policyFile ?? "built-in defaults",
      testClock: config.testClock,
      startupMs: Date.now() - started,
    },
    "anning listening",
  );
  if (config.testClock)
    log.warn({}, "ANNING_TEST_CLOCK is on: callers may set `at`; never use this in production");
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: draining requests and the dispatcher");
    try {
      await app.close();
      await services.close();
      log.info({}, "stopped cleanly");
      log.flush(() => process.exit(0));
    } catch (err) {
      log.error({ err: String(err) }, "unclean stop");
      process.exit(1);
    }
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
