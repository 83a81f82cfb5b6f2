import type { Message } from "../../domain/messages/message.js";

/** One carrier link as health checks see it. */
export interface UpstreamStatus {
  name: string;
  /** At least one bind up. */
  ready: boolean;
  /** Binds up now. */
  binds: number;
}

/** What an upstream said about one hand-over. */
export type UpstreamResult =
  | {
      ok: true;
      upstreamId: string;
      /** The upstream (route) that took it; with `partIds`, receipts are matched by these. */
      route?: string;
      /** The upstream's id for each part it was sent in, in part order. */
      partIds?: string[];
    }
  /** Refused by the upstream: permanent failures end the message, temporary ones retry later. */
  | { ok: false; permanent: boolean; error: string; status?: number };

/**
 * Where accepted messages go: the recording upstream of the core, an SMPP carrier later. A thrown
 * error means the outcome is unknown (the message may or may not have left): it is never resent blindly.
 */
export interface Upstream {
  readonly name: string;
  /** Connects (carriers); resolves when the upstream is ready to take submits or gave up waiting. */
  start?(): Promise<void>;
  /**
   * Whether a submit could go out now (a carrier bind is up). While false the dispatcher claims nothing,
   * so nothing is left in flight by a crash while no carrier could have taken it. Absent: always ready.
   */
  ready?(): boolean;
  /**
   * How many hand-overs the upstream can have on the wire now (a carrier: its binds' windows). The
   * dispatcher claims no more than this, so a crash leaves `unknown` only what could have been sent.
   */
  capacity?(): number;
  /** Each carrier link and its binds up now (health checks and metrics). Absent: no carriers. */
  status?(): UpstreamStatus[];
  submit(m: Message): Promise<UpstreamResult>;
  close(): Promise<void>;
}
