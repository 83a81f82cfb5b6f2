import { randomUUID } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import type { AppContext } from "../../../app/context.js";
import { watchSmppAccounts } from "../../../app/smpp/live-binds.js";
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
  /**
   * How often the server looks whether the registry was reloaded (another node changed an account), to
   * read its binds' accounts again (default 250 ms; a look is a comparison, the read happens on a change).
   */
  accountCheckMs?: number;
  /**
   * At close(), how long bound senders get to be unbound (the submits taken answered, unbind sent and
   * answered) before their connections are closed regardless (default 5 s).
   */
  stopTimeoutMs?: number;
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
  /**
   * Moves on every account change seen (here, or read after another node's): a bind checked before it
   * moved reads its account again before it is answered (see SmppConnection.bind).
   */
  accountEpoch = 0;
  private accountTimer: NodeJS.Timeout | null = null;
  private unwatch: (() => void) | null = null;
  /** The registry index last seen: another one means a registry reload, perhaps after an account change. */
  private seenRegistry: unknown = null;
  private rereading: Promise<void> | null = null;

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
    // account changes reach live binds: made here at once; made on another node when the registry
    // version it bumped has reloaded this node's registry
    s.unwatch = watchSmppAccounts(ctx, (a) => s.accountChanged(a));
    s.seenRegistry = ctx.state.registry;
    s.accountTimer = setInterval(() => s.checkAccounts(), opts.accountCheckMs ?? 250);
    s.accountTimer.unref();
    const leases = ctx.bindLeases;
    if (leases) {
      s.renewTimer = setInterval(() => {
        const held = [...s.connections].flatMap((c) => (c.claim.lease && !c.closed ? [c.claim.lease] : []));
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
    for (const c of this.connections) if (c.claim.account === accountId && !c.closed) n++;
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

  /** An account changed on this node: its binds follow it at once (or are unbound). */
  private accountChanged(a: SmppAccount): void {
    const epoch = ++this.accountEpoch;
    for (const c of this.connections) if (c.account?.id === a.id) c.follow(a, epoch);
  }

  /** Reads the binds' accounts again when the registry was reloaded since the last look. */
  private checkAccounts(): void {
    if (this.rereading || this.ctx.state.registry === this.seenRegistry) return;
    this.seenRegistry = this.ctx.state.registry;
    this.rereading = this.rereadAccounts()
      .catch((err: unknown) => {
        // looked at again on the next tick
        this.seenRegistry = null;
        this.ctx.log.warn({ err: String(err) }, "smpp accounts not read again");
      })
      .finally(() => {
        this.rereading = null;
      });
  }

  /**
   * Reads the accounts of the binds up (one query) and has each bind follow its own. A bind told of a
   * change after this read began (here, at once) keeps what it was told: it is at least as new.
   */
  private async rereadAccounts(): Promise<void> {
    const epoch = ++this.accountEpoch;
    const bound = [...this.connections].flatMap((c) =>
      c.account && !c.closed ? [[c, c.account] as const] : [],
    );
    if (bound.length === 0) return;
    const enterprises = [...new Set(bound.map(([, a]) => a.enterpriseId))];
    const now = new Map((await this.ctx.store.smppAccounts.list(enterprises)).map((a) => [a.id, a]));
    for (const [c, a] of bound) c.follow(now.get(a.id) ?? null, epoch);
  }

  /**
   * Stops accepting, unbinds every session (each answers the requests it took, then sends unbind and
   * waits for unbind_resp; those not done within `stopTimeoutMs` are closed), and records the parts of
   * long messages still being assembled (as refused: they were acknowledged and must not be lost).
   */
  async close(): Promise<void> {
    this.notices.stop();
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.accountTimer) clearInterval(this.accountTimer);
    this.unwatch?.();
    await this.rereading;
    if (this.ctx.onNotice) this.ctx.onNotice = undefined;
    // a listener's close completes only once its last connection has closed: the unbinds come first
    const stopped = this.servers.map((srv) => new Promise<void>((r) => srv.close(() => r())));
    await this.unbindAll();
    await Promise.all(stopped);
    this.long.flush();
    await Promise.all([...this.writes]);
  }

  /** Unbinds every session at once; closes those still open after `stopTimeoutMs`. */
  private async unbindAll(): Promise<void> {
    const all = [...this.connections];
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => {
      timer = setTimeout(r, this.opts.stopTimeoutMs ?? 5_000);
    });
    await Promise.race([Promise.all(all.map((c) => c.unbind())), timeout]);
    clearTimeout(timer);
    for (const c of all) {
      if (c.closed) continue;
      this.ctx.log.warn({ remote: c.session.remoteAddress }, "smpp session not unbound in time: closed");
      c.session.close("shutdown: not unbound in time");
    }
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
