import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { delimiter, join } from "node:path";
import { GiveUp, waitFor } from "./private-services.js";
import { freePort, ROOT } from "./process.js";

/**
 * Kannel (bearerbox + smsbox, Debian's `kannel` package) as an independent SMPP client in tests: it
 * binds as a transceiver ESME to the SMPP server on 127.0.0.1:`smppPort`, sends what `sendsms` asks
 * for, and reports delivery receipts (DLR) and replies (MO) to a small HTTP collector in this process.
 *
 * @example
 * const kannel = await startKannel({ smppPort, systemId: "esme1", password: "secret", dir });
 * const { body, tag } = await kannel.sendsms({ from: "1069012345", to: "8613800138000", text: "…", dlrMask: 31 });
 * const dlr = await kannel.waitForDlr((d) => d.tag === tag && d.type === 1, 10_000);
 * await kannel.stop();
 */

/** The configuration template, with `${NAME}` placeholders. */
export const KANNEL_TEMPLATE = join(ROOT, "test/kannel/kannel.conf.template");

/** The SMSC's id in Kannel's configuration, status page and `%i`. */
export const KANNEL_SMSC_ID = "anning";

/** Where a Kannel program is: the PATH, then the sbin folders Debian installs it in. */
export function kannelBinary(name: "bearerbox" | "smsbox"): string | null {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/sbin"];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether bearerbox and smsbox are installed (tests skip without them). */
export function kannelAvailable(): boolean {
  return kannelBinary("bearerbox") !== null && kannelBinary("smsbox") !== null;
}

export interface KannelOptions {
  /** The SMPP server Kannel binds to, on 127.0.0.1. */
  smppPort: number;
  /** At most 15 characters (Kannel cuts longer ones). */
  systemId: string;
  /** At most 8 characters (Kannel cuts longer ones). */
  password: string;
  /** Configuration and logs go here (created if missing; left in place by stop()). */
  dir: string;
  /** The bind's system_type, at most 6 characters; "" by default (Kannel would send "VMA"). */
  systemType?: string;
  /** Kannel's log level in its log files: 0 debug (every PDU) … 4 panic; 1 by default. */
  logLevel?: 0 | 1 | 2 | 3 | 4;
  /** Wait until the SMPP bind is online (default true; false for servers that refuse the bind). */
  waitForOnline?: boolean;
  /** How long start-up may take (default 20 s). */
  timeoutMs?: number;
}

export interface SendSmsOptions {
  from: string;
  to: string;
  text: string;
  /** 0: GSM 7-bit (default), 1: 8-bit data, 2: UCS-2. */
  coding?: 0 | 1 | 2;
  /** The charset `text` is in; this helper always sends UTF-8. */
  charset?: "UTF-8";
  /** Which receipts to ask for: 1 delivered, 2 not delivered, 4 queued on SMSC, 8 SMSC accepted, 16 SMSC rejected. */
  dlrMask?: number;
  /** Per-message service type (sendsms `binfo`; Kannel cuts it to 5 characters). */
  binfo?: string;
  /** Matches the receipts of this message (default: a fresh `t<n>`). */
  tag?: string;
  /** Any other sendsms parameter (validity, mclass, udh, meta-data…). */
  params?: Record<string, string>;
}

/** A delivery report Kannel called the dlr-url with. */
export interface KannelDlr {
  /** The `tag` of the sendsms call. */
  tag: string;
  /** `%d`: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by the SMSC. */
  type: number;
  /** `%A`: the SMSC's answer ("ACK/", "NACK/0x00000400/…") or the receipt's text ("id:… stat:DELIVRD…"). */
  reply: string;
  /** `%I`: Kannel's own message id. */
  internalId: string;
  /** `%F`: the SMSC's message id (submit_sm_resp message_id). */
  foreignId: string;
  from: string;
  to: string;
  smscId: string;
  receivedAt: number;
}

/** A reply (MO) Kannel forwarded. */
export interface KannelMo {
  from: string;
  to: string;
  /** The text, decoded by coding and charset. */
  text: string;
  /** The message bytes as Kannel gave them (`%b`). */
  bytes: Buffer;
  /** `%c`: 0 7-bit, 1 8-bit, 2 UCS-2. */
  coding: number;
  /** `%C`. */
  charset: string;
  /** `%u`: the UDH, usually empty (Kannel reassembles concatenated replies). */
  udh: Buffer;
  smscId: string;
  /** `%B`: the service type it arrived with. */
  binfo: string;
  receivedAt: number;
}

/** A running Kannel with its collector. */
export interface Kannel {
  readonly dir: string;
  readonly configFile: string;
  readonly adminPort: number;
  readonly sendsmsPort: number;
  /** Every receipt and reply so far, in arrival order. */
  readonly dlrs: readonly KannelDlr[];
  readonly mos: readonly KannelMo[];
  /** Calls smsbox's /cgi-bin/sendsms; "0: Accepted for delivery" means queued, not yet decided. */
  sendsms(o: SendSmsOptions): Promise<{ status: number; body: string; tag: string }>;
  /** The first receipt (already received or coming) that matches; rejects after `timeoutMs`. */
  waitForDlr(predicate: (d: KannelDlr) => boolean, timeoutMs?: number): Promise<KannelDlr>;
  waitForMo(predicate: (m: KannelMo) => boolean, timeoutMs?: number): Promise<KannelMo>;
  /** bearerbox's status page (status.txt). */
  status(): Promise<string>;
  /** The SMPP connection's state on the status page: "online", "connecting", "re-connecting", "dead"… */
  smscState(): Promise<string | null>;
  /** Waits until {@link smscState} is `state`. */
  waitForSmsc(state: string, timeoutMs?: number): Promise<void>;
  /** Calls an admin command (`stop-smsc`, `start-smsc`, `flush-dlr`…) with the admin password. */
  admin(command: string, params?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** The last lines of bearerbox's and smsbox's logs and output, for failure messages. */
  logTail(lines?: number): string;
  /** SIGTERM to both boxes, SIGKILL after 5 s; closes the collector. Safe to call twice. */
  stop(): Promise<void>;
}

const ADMIN_PASSWORD = "kannel-admin";
const SENDSMS_USER = "tester";
const SENDSMS_PASSWORD = "foobar";

/** Children still running when the test process exits are killed (best effort). */
const alive = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  alive.add(child);
  child.on("exit", () => alive.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.on("exit", () => {
    for (const c of alive) c.kill("SIGKILL");
  });
}

/** A child process with the last 64 KiB of its output. */
function spawnBox(bin: string, config: string, cwd: string): { child: ChildProcess; output: () => string } {
  const child = spawn(bin, ["-v", "2", config], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString("utf8")).slice(-65_536);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("error", (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));
  return { child, output: () => out };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. */
function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (exited(child)) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}

/** Percent-decodes to bytes (Kannel url-encodes binary message bodies, so UTF-8 decoding would lose them). */
function decodeBytes(s: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const hex = s.slice(i + 1, i + 3);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b) bytes.push(0x20);
    else for (const b of Buffer.from(s[i] ?? "", "utf8")) bytes.push(b);
  }
  return Buffer.from(bytes);
}

/** The query of a request URL as raw bytes per parameter. */
function rawQuery(url: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const q = url.indexOf("?");
  if (q < 0) return out;
  for (const part of url.slice(q + 1).split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = decodeBytes(eq < 0 ? part : part.slice(0, eq)).toString("utf8");
    out.set(key, decodeBytes(eq < 0 ? "" : part.slice(eq + 1)));
  }
  return out;
}

/** A reply's text from its bytes, by Kannel's charset (or its coding when the charset is missing). */
function decodeText(bytes: Buffer, coding: number, charset: string): string {
  const cs = charset.toLowerCase();
  if (cs === "utf-16be" || cs === "ucs-2" || (cs === "" && coding === 2))
    return Buffer.from(bytes).swap16().toString("utf16le");
  if (cs === "iso-8859-1" || cs === "latin1" || cs === "windows-1252") return bytes.toString("latin1");
  return bytes.toString("utf8");
}

/** Waits for an item of `list` matching `predicate`; `notify` is called on every arrival. */
function waitIn<T>(
  list: T[],
  waiters: Set<() => void>,
  predicate: (x: T) => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  const found = list.find(predicate);
  if (found !== undefined) return Promise.resolve(found);
  return new Promise((resolveWait, reject) => {
    const check = () => {
      const hit = list.find(predicate);
      if (hit === undefined) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolveWait(hit);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(describe()));
    }, timeoutMs);
    waiters.add(check);
  });
}

function checkOptions(o: KannelOptions): void {
  const systemType = o.systemType ?? "";
  if (o.systemId.length === 0 || o.systemId.length > 15)
    throw new Error("Kannel: systemId must be 1–15 characters");
  if (o.password.length > 8)
    throw new Error("Kannel: password must be at most 8 characters (Kannel cuts it)");
  if (systemType.length > 6)
    throw new Error("Kannel: systemType must be at most 6 characters (bearerbox refuses it)");
  for (const v of [o.systemId, o.password, systemType])
    if (/["\\\n\r]/.test(v))
      throw new Error("Kannel: credentials may not contain quotes, backslashes or line breaks");
}

/** Fills the template; throws when a placeholder is left on a configuration line. */
export function renderKannelConfig(template: string, values: Record<string, string>): string {
  const text = template.replace(/\$\{([A-Z_]+)\}/g, (m, name: string) => values[name] ?? m);
  const left = text.split("\n").find((l) => !l.trimStart().startsWith("#") && /\$\{[A-Z_]+\}/.test(l));
  if (left !== undefined)
    throw new Error(`Kannel template: no value for ${left.match(/\$\{[A-Z_]+\}/)?.[0]}`);
  return text;
}

/**
 * Writes the configuration into `dir`, starts bearerbox then smsbox (from the PATH, or /usr/sbin), and
 * waits until smsbox is connected and, unless `waitForOnline` is false, the SMPP bind is online. On a
 * timeout or an early exit both are stopped and the error carries the logs' tails.
 */
export async function startKannel(opts: KannelOptions): Promise<Kannel> {
  checkOptions(opts);
  const bearerbox = kannelBinary("bearerbox");
  const smsbox = kannelBinary("smsbox");
  if (bearerbox === null || smsbox === null)
    throw new Error("Kannel is not installed (apt-get install kannel)");
  mkdirSync(opts.dir, { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  const left = () => Math.max(0, deadline - Date.now());

  const dlrs: KannelDlr[] = [];
  const mos: KannelMo[] = [];
  const waiters = new Set<() => void>();
  const collector = createServer((req: IncomingMessage, res: ServerResponse) => {
    const q = rawQuery(req.url ?? "");
    const s = (k: string) => q.get(k)?.toString("utf8") ?? "";
    const path = (req.url ?? "").split("?")[0];
    if (path === "/dlr") {
      dlrs.push({
        tag: s("tag"),
        type: Number(s("type")),
        reply: s("reply"),
        internalId: s("id"),
        foreignId: s("fid"),
        from: s("from"),
        to: s("to"),
        smscId: s("smsc"),
        receivedAt: Date.now(),
      });
    } else if (path === "/mo") {
      const bytes = q.get("text") ?? Buffer.alloc(0);
      const coding = Number(s("coding") || "0");
      mos.push({
        from: s("from"),
        to: s("to"),
        text: decodeText(bytes, coding, s("charset")),
        bytes,
        coding,
        charset: s("charset"),
        udh: q.get("udh") ?? Buffer.alloc(0),
        smscId: s("smsc"),
        binfo: s("binfo"),
        receivedAt: Date.now(),
      });
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" }).end("");
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
  const address = collector.address();
  const collectorBase = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

  const adminPort = await freePort();
  const smsboxPort = await freePort();
  const sendsmsPort = await freePort();
  const configFile = join(opts.dir, "kannel.conf");
  writeFileSync(
    configFile,
    renderKannelConfig(readFileSync(KANNEL_TEMPLATE, "utf8"), {
      SMPP_PORT: String(opts.smppPort),
      SYSTEM_ID: opts.systemId,
      PASSWORD: opts.password,
      SYSTEM_TYPE: opts.systemType ?? "",
      ADMIN_PORT: String(adminPort),
      ADMIN_PASSWORD,
      SMSBOX_PORT: String(smsboxPort),
      SENDSMS_PORT: String(sendsmsPort),
      SENDSMS_USER,
      SENDSMS_PASSWORD,
      LOG_DIR: opts.dir,
      LOG_LEVEL: String(opts.logLevel ?? 1),
      MO_URL: `${collectorBase}/mo`,
    }),
  );

  const boxes: { name: string; child: ChildProcess; output: () => string }[] = [];
  const logTail = (lines = 40) => {
    const parts: string[] = [];
    for (const name of ["bearerbox", "smsbox"]) {
      let log = "";
      try {
        log = readFileSync(join(opts.dir, `${name}.log`), "utf8");
      } catch {
        // not written yet
      }
      parts.push(`--- ${name}.log\n${log.split("\n").slice(-lines).join("\n")}`);
    }
    for (const b of boxes)
      parts.push(`--- ${b.name} output\n${b.output().split("\n").slice(-lines).join("\n")}`);
    return parts.join("\n");
  };
  const adminUrl = (command: string, params: Record<string, string> = {}) =>
    `http://127.0.0.1:${adminPort}/${command}?${new URLSearchParams({ password: ADMIN_PASSWORD, ...params })}`;
  const status = async () => (await fetch(adminUrl("status.txt"))).text();
  const smscState = async () => {
    const line = (await status()).split("\n").find((l) => l.trimStart().startsWith(`${KANNEL_SMSC_ID}[`));
    return line?.match(/\(([a-z-]+)/)?.[1] ?? null;
  };
  const checkAlive = () => {
    for (const b of boxes)
      if (exited(b.child)) throw new GiveUp(`${b.name} exited (${b.child.exitCode ?? b.child.signalCode})`);
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(boxes.map((b) => terminate(b.child, 5000)));
    collector.closeAllConnections();
    await new Promise<void>((r) => collector.close(() => r()));
  };
  const waitForSmsc = (state: string, ms = 20_000) =>
    waitFor(
      async () => {
        checkAlive();
        return (await smscState()) === state;
      },
      ms,
      () => `Kannel's SMPP connection did not become ${state}:\n${logTail()}`,
      200,
    );

  try {
    boxes.push({ name: "bearerbox", ...spawnBox(bearerbox, configFile, opts.dir) });
    await waitFor(
      async () => {
        checkAlive();
        return /Status: running/.test(await status());
      },
      left(),
      () => `bearerbox did not start:\n${logTail()}`,
    );
    boxes.push({ name: "smsbox", ...spawnBox(smsbox, configFile, opts.dir) });
    await waitFor(
      async () => {
        checkAlive();
        const box = /smsbox:.*on-line/.test(await status());
        return box && (await fetch(`http://127.0.0.1:${sendsmsPort}/`)).status > 0;
      },
      left(),
      () => `smsbox did not connect:\n${logTail()}`,
    );
    if (opts.waitForOnline !== false) await waitForSmsc("online", left());
  } catch (err) {
    await stop();
    throw err;
  }

  let seq = 0;
  return {
    dir: opts.dir,
    configFile,
    adminPort,
    sendsmsPort,
    dlrs,
    mos,
    async sendsms(o) {
      const tag = o.tag ?? `t${++seq}`;
      const q = new URLSearchParams({
        username: SENDSMS_USER,
        password: SENDSMS_PASSWORD,
        from: o.from,
        to: o.to,
        text: o.text,
        charset: o.charset ?? "UTF-8",
        ...o.params,
      });
      if (o.coding !== undefined) q.set("coding", String(o.coding));
      if (o.binfo !== undefined) q.set("binfo", o.binfo);
      if (o.dlrMask !== undefined) {
        q.set("dlr-mask", String(o.dlrMask));
        q.set(
          "dlr-url",
          `${collectorBase}/dlr?tag=${encodeURIComponent(tag)}&type=%d&reply=%A&id=%I&fid=%F&from=%p&to=%P&smsc=%i`,
        );
      }
      const r = await fetch(`http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?${q}`);
      return { status: r.status, body: (await r.text()).trim(), tag };
    },
    waitForDlr: (predicate, ms = 10_000) =>
      waitIn(
        dlrs,
        waiters,
        predicate,
        ms,
        () => `no matching DLR in ${ms} ms; got ${JSON.stringify(dlrs)}\n${logTail()}`,
      ),
    waitForMo: (predicate, ms = 10_000) =>
      waitIn(
        mos,
        waiters,
        predicate,
        ms,
        () =>
          `no matching MO in ${ms} ms; got ${JSON.stringify(mos.map((m) => ({ ...m, bytes: m.bytes.toString("hex"), udh: m.udh.toString("hex") })))}\n${logTail()}`,
      ),
    status,
    smscState,
    waitForSmsc,
    async admin(command, params) {
      const r = await fetch(adminUrl(command, params));
      return { status: r.status, body: await r.text() };
    },
    logTail,
    stop,
  };
}
