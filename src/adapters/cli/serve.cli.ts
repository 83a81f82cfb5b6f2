import { readFileSync } from "node:fs";
import type { Config } from "../../config.js";
import { buildServices } from "../../services.js";
import { buildHttpServer } from "../http/server.js";
import { SmppServer } from "../smpp/server/smpp-server.js";
import { SmscSimulator } from "../smpp/sim/smsc-simulator.js";
import { createLogger } from "../system/logger.js";
import { parseUpstreamUrl } from "../upstream/upstreams-config.js";

/**
 * `anning serve`: the gateway. Opens the store, rebuilds the in-memory indexes, starts the dispatcher and
 * the campaign runner, and listens for HTTP and SMPP. With ANNING_UPSTREAM=simulator it first starts the
 * bundled SMSC simulator and sends to it. SIGTERM / SIGINT stop taking requests, drain in-flight ones
 * and the dispatcher, then close the store.
 */
export async function serveCommand(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const started = Date.now();
  let simulator: SmscSimulator | null = null;
  if (config.upstreams === "simulator") {
    simulator = await SmscSimulator.start({
      host: "127.0.0.1",
      port: config.simulatorPort,
      timeZone: config.policy.defaultTimeZone,
    });
    const url = `smpp://anning:anning@127.0.0.1:${simulator.port}`;
    config.upstreams = {
      upstreams: [parseUpstreamUrl(url, "simulator")],
      routes: [],
      default: "simulator",
      failover: {},
      portabilityFile: null,
    };
    log.info(
      { smpp: `127.0.0.1:${simulator.port}`, control: `http://127.0.0.1:${simulator.controlPort}` },
      "SMSC simulator started (ANNING_UPSTREAM=simulator): messages go there",
    );
  }
  const services = await buildServices(config, { log, backgroundCheckpoints: true });
  if (services.generatedToken)
    process.stdout.write(
      `\nAdmin token (shown once; also kept in ${config.dataDir}/secrets.json):\n  ${services.adminToken}\n\n`,
    );
  let smpp: SmppServer | null = null;
  const app = await buildHttpServer(services, { logger: log, smppStats: () => smpp?.counters() ?? null });
  await services.start();
  const address = await app.listen({ host: config.httpHost, port: config.httpPort });
  if (config.smpp) {
    const tls = config.smpp.tls;
    smpp = await SmppServer.start(services.ctx, {
      host: config.smpp.host,
      port: config.smpp.port,
      ...(tls
        ? { tls: { port: tls.port, key: readFileSync(tls.keyFile), cert: readFileSync(tls.certFile) } }
        : {}),
    });
  }
  log.info(
    {
      address,
      smpp: smpp ? `${config.smpp?.host}:${smpp.port}` : "off",
      ...(smpp?.tlsPort ? { smppTls: `${config.smpp?.host}:${smpp.tlsPort}` } : {}),
      upstream: services.upstream.name,
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
      await smpp?.close();
      await app.close();
      await services.close();
      await simulator?.close();
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
