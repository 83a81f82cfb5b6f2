import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AssembledMessage, ReceivedMessage, SimStats } from "./sim-options.js";

/** What the control API drives: the simulator (an interface, so the API can be tested on its own). */
export interface ControlTarget {
  injectMo(mo: { from: string; to: string; text: string; systemId?: string }): Promise<void>;
  readonly messages: ReceivedMessage[];
  readonly assembled: AssembledMessage[];
  readonly stats: SimStats;
  reset(): void;
}

/** A running control API. */
export interface ControlApi {
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
/** SMPP addresses: 21 octets with the terminating NUL. */
const MAX_ADDRESS = 20;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The simulator's HTTP control API, JSON in and out; errors are `{"error":{"code","message"}}`:
 *
 * - `POST /mo` `{"from","to","text"[,"systemId"]}` queues a mobile-originated message as a deliver_sm to
 *   a receiver bind (of that system_id, else any): 202 `{"queued":true}`;
 * - `GET /messages`: `{"messages":[…],"assembled":[…]}`, times in ISO 8601;
 * - `DELETE /messages`: forgets them (204);
 * - `GET /stats`: the simulator's counters.
 *
 * Phone numbers travel in bodies only, never in URLs.
 */
export async function startControlApi(
  target: ControlTarget,
  host: string,
  port: number,
): Promise<ControlApi> {
  const server = createServer((req, res) => {
    handle(target, req, res).catch((err: unknown) => {
      const e =
        err instanceof HttpError
          ? err
          : new HttpError(500, "INTERNAL", err instanceof Error ? err.message : "error");
      send(res, e.status, { error: { code: e.code, message: e.message } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => closeServer(server),
  };
}

async function handle(target: ControlTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  const method = req.method ?? "GET";
  if (path === "/mo") {
    if (method !== "POST") throw notAllowed(method);
    const mo = parseMo(await readJson(req));
    target.injectMo(mo).catch(() => {
      // refused by the ESME (counted in stats.deliverFailed) or the simulator closed: nobody to tell
    });
    return send(res, 202, { queued: true });
  }
  if (path === "/messages") {
    if (method === "GET") {
      return send(res, 200, {
        messages: target.messages.map((m) => ({ ...m, at: new Date(m.at).toISOString() })),
        assembled: target.assembled.map((m) => ({ ...m, at: new Date(m.at).toISOString() })),
      });
    }
    if (method === "DELETE") {
      target.reset();
      res.writeHead(204).end();
      return;
    }
    throw notAllowed(method);
  }
  if (path === "/stats") {
    if (method !== "GET") throw notAllowed(method);
    return send(res, 200, target.stats);
  }
  throw new HttpError(404, "NOT_FOUND", `no route ${method} ${path}`);
}

function parseMo(body: unknown): { from: string; to: string; text: string; systemId?: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new HttpError(400, "INVALID_JSON", "the body must be a JSON object");
  const b = body as Record<string, unknown>;
  for (const k of ["from", "to", "text"]) {
    const v = b[k];
    if (v === undefined || v === null || v === "")
      throw new HttpError(400, "MISSING_FIELD", `missing field: ${k}`);
    if (typeof v !== "string") throw new HttpError(400, "INVALID_FIELD", `${k} must be a string`);
    if (k !== "text" && (v.length > MAX_ADDRESS || /[^\x20-\x7e]/.test(v)))
      throw new HttpError(
        400,
        "INVALID_FIELD",
        `${k} must be at most ${MAX_ADDRESS} printable ASCII characters`,
      );
  }
  const mo: { from: string; to: string; text: string; systemId?: string } = {
    from: b.from as string,
    to: b.to as string,
    text: b.text as string,
  };
  if (b.systemId !== undefined) {
    if (typeof b.systemId !== "string")
      throw new HttpError(400, "INVALID_FIELD", "systemId must be a string");
    mo.systemId = b.systemId;
  }
  return mo;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, "BODY_TOO_LARGE", `the body exceeds ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "INVALID_JSON", "the body is not valid JSON");
  }
}

function notAllowed(method: string): HttpError {
  return new HttpError(405, "METHOD_NOT_ALLOWED", `${method} is not allowed here`);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
