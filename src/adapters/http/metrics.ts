import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { UpstreamStatus } from "../../app/delivery/upstream.port.js";
import type { Reason } from "../../domain/policy/reason-codes.js";

/** What the SMPP server counted since start (see SmppServer.stats). */
export interface SmppCounters {
  sessions: number;
  binds: number;
  bindFailures: number;
  submits: number;
  refused: number;
  noticesPushed: number;
}

const SMPP_GAUGES: ReadonlyArray<[keyof SmppCounters, string, string]> = [
  ["sessions", "anning_smpp_sessions", "SMPP sessions open now (bound or not)"],
  ["binds", "anning_smpp_binds", "Successful SMPP binds since start"],
  ["bindFailures", "anning_smpp_bind_failures", "Refused SMPP binds since start"],
  ["submits", "anning_smpp_submit_parts", "submit_sm received since start: parts, as billed"],
  ["refused", "anning_smpp_submit_refusals", "submit_sm answered with an error status since start"],
  [
    "noticesPushed",
    "anning_smpp_notices_pushed",
    "Receipts and replies delivered to receiver binds since start",
  ],
];

/**
 * The server's Prometheus metrics, in a registry of its own (never the global one). Labels carry codes,
 * statuses and route patterns only: never a phone number.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly decisions = new Counter({
    name: "anning_decisions_total",
    help: "Policy decisions by result and reason code (one count per reason; code none when allowed)",
    labelNames: ["result", "code"] as const,
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: "anning_messages_total",
    help: "Messages submitted through the API by outcome",
    labelNames: ["status"] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "anning_http_request_duration_seconds",
    help: "HTTP request duration by method, route pattern and status code",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  /**
   * @param redisRoundTrips reads the shared counters' round trips so far (when Redis is configured).
   * @param delivery reads the carrier links and the dispatcher's outcomes.
   */
  constructor(
    redisRoundTrips?: () => number,
    smpp?: () => SmppCounters | null,
    delivery?: { upstreams: () => UpstreamStatus[]; outcomes: () => Record<string, number> },
  ) {
    collectDefaultMetrics({ register: this.registry });
    if (delivery) {
      new Gauge({
        name: "anning_upstream_binds",
        help: "Binds up now, by carrier link (upstream name from the configuration)",
        labelNames: ["upstream"] as const,
        registers: [this.registry],
        collect() {
          this.reset();
          for (const l of delivery.upstreams()) this.set({ upstream: l.name }, l.binds);
        },
      });
      new Gauge({
        name: "anning_dispatch_outcomes",
        help: "Hand-overs since start by outcome: sent, refused (re-check), deferred, unknown, failed",
        labelNames: ["outcome"] as const,
        registers: [this.registry],
        collect() {
          for (const [outcome, n] of Object.entries(delivery.outcomes())) this.set({ outcome }, n);
        },
      });
    }
    if (smpp)
      for (const [key, name, help] of SMPP_GAUGES)
        new Gauge({
          name,
          help,
          registers: [this.registry],
          collect() {
            this.set(smpp()?.[key] ?? 0);
          },
        });
    if (redisRoundTrips)
      new Gauge({
        name: "anning_redis_round_trips",
        help: "Round trips made to Redis for caps and rate limits since start (one per request or chunk)",
        registers: [this.registry],
        collect() {
          this.set(redisRoundTrips());
        },
      });
  }

  /** Counts one decision: every reason of a refusal, or one "none" for an allowed message. */
  countDecision(reasons: readonly Reason[]): void {
    if (reasons.length === 0) {
      this.decisions.inc({ result: "allowed", code: "none" });
      return;
    }
    for (const r of reasons) this.decisions.inc({ result: "refused", code: r.code });
  }

  /** Counts one submitted message by its outcome. */
  countMessage(status: string): void {
    this.messages.inc({ status });
  }

  /** Records one request's duration. */
  observeRequest(method: string, route: string, statusCode: number, ms: number): void {
    this.duration.observe({ method, route, status_code: String(statusCode) }, ms / 1000);
  }

  /** The text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
