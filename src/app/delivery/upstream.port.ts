import type { Message } from "../../domain/messages/message.js";

/** What an upstream said about one hand-over. */
export type UpstreamResult =
  | { ok: true; upstreamId: string }
  /** Refused by the upstream: permanent failures end the message, temporary ones retry later. */
  | { ok: false; permanent: boolean; error: string };

/**
 * Where accepted messages go: the recording upstream of the core, an SMPP carrier later. A thrown
 * error means the outcome is unknown (the message may or may not have left): it is never resent blindly.
 */
export interface Upstream {
  readonly name: string;
  submit(m: Message): Promise<UpstreamResult>;
  close(): Promise<void>;
}
