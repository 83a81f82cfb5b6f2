/**
 * A session's place in its account's bind cap (maxBinds): counted on this node from the bind's check on,
 * and, with shared bind counts, a lease across every node, held until the session closes.
 */
import type { AppContext } from "../../../app/context.js";
import type { BindLease } from "../../../app/smpp/bind-leases.port.js";
import { DomainError } from "../../../domain/shared/domain-error.js";
import type { SmppAccount } from "../../../domain/smpp/smpp-account.js";

/** What a claim needs of the server. */
export interface ClaimHost {
  readonly ctx: AppContext;
  /** Binds of an account open (or being checked) on this node. */
  bindsOf(accountId: string): number;
  /** A session id unique across nodes, for the account's bind lease. */
  nextSessionId(): string;
}

export class BindClaim {
  /** The account whose bind cap this session counts against (from the check until it closes). */
  account: string | null = null;
  /** This session's lease on its account's bind cap, while it holds one (several nodes). */
  lease: BindLease | null = null;

  constructor(private readonly host: ClaimHost) {}

  /**
   * Whether the account may open one more bind: fewer than maxBinds on this node and, with shared bind
   * counts, across every node (the lease is then held until release()).
   */
  async take(account: SmppAccount): Promise<boolean> {
    if (this.host.bindsOf(account.id) >= account.maxBinds) return false;
    // counted by bindsOf from now on, so a concurrent bind on this node sees this one
    this.account = account.id;
    const leases = this.host.ctx.bindLeases;
    if (!leases) return true;
    const lease = { accountId: account.id, sessionId: this.host.nextSessionId() };
    let held: boolean;
    try {
      held = await leases.acquire(lease, account.maxBinds);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === "SERVICE_DEGRADED")) {
        this.account = null;
        throw err;
      }
      // the shared counts are away: this node's count alone decides, so senders can still bind
      this.host.ctx.log.warn({ systemId: account.systemId }, "bind counted on this node only (Redis away)");
      return true;
    }
    if (!held) {
      this.account = null;
      return false;
    }
    this.lease = lease;
    return true;
  }

  /** Gives the lease back (the session closed, or its bind was refused); `drop` also stops counting it here. */
  release(drop = false): void {
    if (drop) this.account = null;
    const lease = this.lease;
    this.lease = null;
    if (lease)
      this.host.ctx.bindLeases
        ?.release(lease)
        .catch((err: unknown) =>
          this.host.ctx.log.warn({ err: String(err) }, "bind lease not released; it expires on its own"),
        );
  }
}
