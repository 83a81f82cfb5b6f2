import pg from "pg";
import type { ChangeBus, ChangeTopic } from "../../app/cluster/change-bus.port.js";
import type { Logger } from "../../app/logger.port.js";
import type { PgPool, PgTarget } from "./pg-util.js";

const TOPICS: ReadonlySet<string> = new Set<ChangeTopic>(["ledger", "registry"]);

/**
 * Wake-ups between nodes over PostgreSQL LISTEN/NOTIFY on one channel per schema. NOTIFY is delivered
 * only to connected listeners, so after every (re)connect the listener reports both topics once: the
 * node then catches up by sequence from the tables, and nothing said while it was away is lost.
 */
export class PgChangeBus implements ChangeBus {
  private readonly channel: string;
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: PgPool,
    private readonly target: PgTarget,
    private readonly log: Logger,
  ) {
    this.channel = `anning_${target.schema}`.slice(0, 63);
  }

  async publish(topic: ChangeTopic): Promise<void> {
    await this.pool.query("SELECT pg_notify($1, $2)", [this.channel, topic]);
  }

  async listen(onChange: (topic: ChangeTopic) => void): Promise<void> {
    await this.connect(onChange, 0);
  }

  private async connect(onChange: (topic: ChangeTopic) => void, attempt: number): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.target.url, connectionTimeoutMillis: 5000 });
    const again = () => {
      if (this.closed || this.client !== client) return;
      this.client = null;
      client.end().catch(() => {});
      const wait = Math.min(100 * 2 ** Math.min(attempt, 5), 2000);
      this.retry = setTimeout(() => {
        this.connect(onChange, attempt + 1).catch(() => {});
      }, wait);
      this.retry.unref();
    };
    this.client = client;
    client.on("error", (err) => {
      this.log.warn({ err: err.message }, "change listener lost its connection");
      again();
    });
    client.on("end", again);
    client.on("notification", (n) => {
      if (n.channel === this.channel && n.payload && TOPICS.has(n.payload))
        onChange(n.payload as ChangeTopic);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      attempt = 0;
      if (this.closed) {
        await client.end();
        return;
      }
      onChange("ledger");
      onChange("registry");
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "change listener could not connect");
      again();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => {});
  }
}
