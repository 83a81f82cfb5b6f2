import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { AppContext } from "../../../app/context.js";
import type { SmppAccount } from "../../../domain/smpp/smpp-account.js";
import { LongMessages } from "./long-messages.js";
import { NoticePusher } from "./notice-pusher.js";
import { TokenBucket } from "./rate-limiter.js";
import { ReceiptRequests } from "./receipt-requests.js";
import { SmppConnection } from "./smpp-connection.js";
import { SubmitHandler } from "./submit.js";

export interface SmppServerOptions {
  host: string;
  /** 0 picks a free port (see {@link SmppServer.port}). */
  port: number;
  /** A second, TLS listener (SMPP over TLS), when a key and certificate are given. */
  tls?: { port: number; key: Buffer; cert: Buffer };
  /** deliver_sm a bind may have outstanding (default 10). */
  window?: number;
  /** enquire_link after this much silence (default 30 s). */
  enquireLinkMs?: number;
  /** Close a session silent for this long (default 90 s), or not bound within `bindTimeoutMs` (10 s). */
  inactivityMs?: number;
  bindTimeoutMs?: number;
  /** How long the parts of a long message may take to arrive (default 60 s). */
  longMessageTimeoutMs?: number;
  /** How often receivers look for notices queued by other nodes (default 1 s). */
  noticePollMs?: number;
}

/**
 * anning as an SMSC towards senders: SMPP 3.4 over TCP (and TLS), binds authenticated against the SMPP
 * accounts, every `submit_sm` through the consent-first policy, receipts and replies pushed back to
 * receiver binds.
 */
export class SmppServer {
  readonly connections = new Set<SmppConnection>();
  readonly submits: SubmitHandler;
  readonly long: LongMessages;
  readonly notices: NoticePusher;
  private readonly limiters = new Map<string, { tps: number; bucket: TokenBucket }>();
  private servers: Server[] = [];
  /** Records of incomplete long messages being written (awaited at close). */
  private readonly writes = new Set<Promise<unknown>>();
  readonly stats = { binds: 0, bindFailures: 0, submits: 0, refused: 0 };
  /** This server's sessions are `<node>-<n>` in the shared bind counts. */
  private readonly node = randomUUID().slice(0, 8);
  private sessions = 0;
  private renewTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly ctx: AppContext,
    readonly opts: SmppServerOptions,
  ) {
    this.long = new LongMessages(
      () => ctx.ids.next("msg"),
      opts.longMessageTimeoutMs ?? 60_000,
      (key, id, parts, total) => {
        const write = this.submits
          .expired(key, id, parts, total)
          .catch((err: unknown) =>
            ctx.log.error({ err: String(err) }, "incomplete long message not recorded"),
          )
          .finally(() => this.writes.delete(write));
        this.writes.add(write);
      },
    );
    const requests = new ReceiptRequests();
    this.submits = new SubmitHandler(ctx, this.long, requests);
    this.notices = new NoticePusher(ctx, { pollMs: opts.noticePollMs ?? 1000 }, (id, part, stat) =>
      requests.wanted(id, part, stat),
    );
  }

  /** Starts listening; resolves when the port is bound. */
  static async start(ctx: AppContext, opts: SmppServerOptions): Promise<SmppServer> {
    const s = new SmppServer(ctx, opts);
    const plain = createServer((socket) => s.accept(socket));
    await listen(plain, opts.host, opts.port);
    s.servers.push(plain);
    if (opts.tls) {
      const secure = createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, (socket) =>
        s.accept(socket),
      );
      await listen(secure, opts.host, opts.tls.port);
      s.servers.push(secure);
    }
    ctx.onNotice = (enterpriseId) => s.notices.notify(enterpriseId);
    s.notices.start();
    const leases = ctx.bindLeases;
    if (leases) {
      s.renewTimer = setInterval(() => {
        const held = [...s.connections].flatMap((c) => (c.lease && !c.closed ? [c.lease] : []));
        leases
          .renew(held)
          .catch((err: unknown) => ctx.log.warn({ err: String(err) }, "bind leases not renewed"));
      }, leases.ttlMs / 3);
      s.renewTimer.unref();
    }
    return s;
  }

  /** Counters for /metrics. */
  counters(): {
    sessions: number;
    binds: number;
    bindFailures: number;
    submits: number;
    refused: number;
    noticesPushed: number;
  } {
    return { ...this.stats, sessions: this.connections.size, noticesPushed: this.notices.stats.pushed };
  }

  /** The TCP port it listens on. */
  get port(): number {
    const a = this.servers[0]?.address();
    return typeof a === "object" && a ? a.port : 0;
  }

  /** The TLS port, when TLS is on. */
  get tlsPort(): number | null {
    const a = this.servers[1]?.address();
    return typeof a === "object" && a ? a.port : null;
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const c = new SmppConnection(socket, this);
    this.connections.add(c);
  }

  /** Binds of an account open on this node. */
  bindsOf(accountId: string): number {
    let n = 0;
    for (const c of this.connections) if (c.claimed === accountId && !c.closed) n++;
    return n;
  }

  nextSessionId(): string {
    return `${this.node}-${++this.sessions}`;
  }

  /** The account's rate limiter (its tps, shared by all its binds on this node). */
  limiterOf(a: SmppAccount): TokenBucket {
    let l = this.limiters.get(a.id);
    if (!l || l.tps !== a.tps) {
      l = { tps: a.tps, bucket: new TokenBucket(a.tps) };
      this.limiters.set(a.id, l);
    }
    return l.bucket;
  }

  /**
   * Stops accepting, unbinds every session, and records the parts of long messages still being assembled
   * (as refused: they were acknowledged and must not be lost).
   */
  async close(): Promise<void> {
    this.notices.stop();
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.ctx.onNotice) this.ctx.onNotice = undefined;
    await Promise.all(this.servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    await Promise.all([...this.connections].map((c) => c.unbind()));
    this.long.flush();
    await Promise.all([...this.writes]);
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
