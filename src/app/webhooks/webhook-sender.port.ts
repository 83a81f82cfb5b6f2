/** What the receiver answered. */
export interface WebhookResponse {
  status: number;
}

/**
 * Where webhook deliveries go out: an HTTP POST of a body, as given, with these headers. It resolves
 * with the receiver's status (any status, 2xx or not) and rejects on a network error or a timeout.
 */
export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: string): Promise<WebhookResponse>;
}
