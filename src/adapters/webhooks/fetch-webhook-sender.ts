import type { WebhookResponse, WebhookSender } from "../../app/webhooks/webhook-sender.port.js";

/** The causes' codes Node's fetch reports (ECONNREFUSED, ENOTFOUND, UND_ERR_…), without the URL. */
function describe(err: unknown): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) return "timed out";
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return `request failed (${cause.code})`;
  return "request failed";
}

/**
 * Sends webhook deliveries with Node's fetch: one POST, redirects not followed (a 3xx is a failure),
 * aborted after `timeoutMs`. The response body is discarded unread. Errors carry a short cause, never
 * the URL.
 */
export class FetchWebhookSender implements WebhookSender {
  constructor(private readonly timeoutMs = 10_000) {}

  async post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new Error(describe(err));
    }
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  }
}
