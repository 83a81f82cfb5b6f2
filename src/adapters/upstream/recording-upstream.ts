import type { Upstream, UpstreamResult } from "../../app/delivery/upstream.port.js";
import type { Message } from "../../domain/messages/message.js";

/**
 * The default upstream until a carrier is configured: records each hand-over as sent (the message log
 * holds it) and counts it.
 */
export class RecordingUpstream implements Upstream {
  readonly name = "recording";
  /** Ids of the most recent hand-overs (tests look here). */
  readonly handedOver: string[] = [];
  count = 0;

  async submit(m: Message): Promise<UpstreamResult> {
    this.handedOver.push(m.id);
    if (this.handedOver.length > 10_000) this.handedOver.splice(0, 5_000);
    this.count++;
    return { ok: true, upstreamId: `rec-${m.id}` };
  }

  async close(): Promise<void> {}
}
