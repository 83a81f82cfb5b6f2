import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../config.js";
import { loadUpstreams, parseUpstreamsFile, parseUpstreamUrl } from "./upstreams-config.js";

const DEFAULTS = {
  port: 2775,
  systemType: "",
  bindMode: "transceiver",
  window: 10,
  tps: 0,
  binds: 1,
  enquireLinkMs: 30_000,
  responseTimeoutMs: 10_000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 30_000,
  longMessages: "udh",
  sourceTon: 0,
  sourceNpi: 1,
  destTon: 1,
  destNpi: 1,
  tls: false,
  caFile: null,
};

describe("parseUpstreamUrl", () => {
  it("reads credentials, host and port, with defaults for the rest", () => {
    expect(parseUpstreamUrl("smpp://esme1:secret@smsc.example:2776")).toEqual({
      ...DEFAULTS,
      name: "default",
      host: "smsc.example",
      port: 2776,
      systemId: "esme1",
      password: "secret",
    });
  });

  it("reads query parameters, percent-encoded credentials, IPv6 hosts and smpps", () => {
    const u = parseUpstreamUrl(
      "smpps://id%40x:p%3Ass@[::1]?window=50&tps=100&systemType=VMA&bindMode=transmitter&binds=2&longMessages=payload&destTon=0",
      "cmcc",
    );
    expect(u).toMatchObject({
      name: "cmcc",
      host: "::1",
      port: 2775,
      systemId: "id@x",
      password: "p:ss",
      systemType: "VMA",
      bindMode: "transmitter",
      window: 50,
      tps: 100,
      binds: 2,
      longMessages: "payload",
      destTon: 0,
      tls: true,
    });
  });

  it("names the offending part or field, never the password", () => {
    const cases: [string, RegExp][] = [
      ["http://a:b@h:1", /scheme must be smpp: or smpps:/],
      ["not a url", /not a URL/],
      ["smpp://a:b@h:1/path", /may not have a path/],
      ["smpp://a:b@h:1?color=red", /unknown parameter "color"/],
      ["smpp://a:b@h:1?window=0", /window: /],
      ["smpp://a:b@h:1?window=ten", /window: /],
      ["smpp://a:b@h:1?tps=", /tps: /],
      ["smpp://a:b@h:1?bindMode=receiver", /bindMode: /],
      ["smpp://a:b@h:1?sourceNpi=2", /sourceNpi: an SMPP NPI/],
      ["smpp://:b@h:1", /systemId: /],
      ["smpp://abcdefghijklmnop:b@h:1", /systemId: /],
      [
        "smpp://a:b@h:1?reconnectMinMs=5000&reconnectMaxMs=1000",
        /reconnectMaxMs: must be at least reconnectMinMs/,
      ],
    ];
    for (const [url, pattern] of cases) expect(() => parseUpstreamUrl(url), url).toThrow(pattern);
    expect(() => parseUpstreamUrl("smpp://a:toolongsecret@h:1")).toThrow(/^upstream URL: password: /);
    try {
      parseUpstreamUrl("smpp://a:toolongsecret@h:1");
    } catch (err) {
      expect((err as Error).message).not.toContain("toolongsecret");
    }
  });
});

const baseFile = {
  upstreams: [
    { name: "cm", host: "10.0.0.1", systemId: "a", password: "p" },
    { name: "cu", url: "smpp://b:q@10.0.0.2:2776?window=20", tps: 50 },
    { name: "agg", host: "agg.example", port: 3000, systemId: "c" },
  ],
  routes: [
    { upstream: "cm", carriers: ["cmcc"] },
    { upstream: "cu", carriers: ["cucc"], prefixes: ["+86130"] },
  ],
  default: "agg",
  failover: { cm: ["agg"], cu: ["agg", "cm"] },
  portabilityFile: "ported.csv",
};

describe("parseUpstreamsFile", () => {
  it("reads upstreams (with URLs), routes, failover and resolves the portability file", () => {
    const f = parseUpstreamsFile(baseFile, "/etc/anning");
    expect(f.upstreams.map((u) => u.name)).toEqual(["cm", "cu", "agg"]);
    expect(f.upstreams[0]).toEqual({
      ...DEFAULTS,
      name: "cm",
      host: "10.0.0.1",
      systemId: "a",
      password: "p",
    });
    expect(f.upstreams[1]).toMatchObject({
      host: "10.0.0.2",
      port: 2776,
      systemId: "b",
      window: 20,
      tps: 50,
    });
    expect(f.upstreams[2]).toMatchObject({ port: 3000, password: "" });
    expect(f.routes).toEqual(baseFile.routes);
    expect(f.default).toBe("agg");
    expect(f.failover).toEqual(baseFile.failover);
    expect(f.portabilityFile).toBe("/etc/anning/ported.csv");
  });

  it("makes a single upstream the default when none is named, and keeps an explicit null", () => {
    const one = { upstreams: [{ name: "only", host: "h", systemId: "s" }] };
    expect(parseUpstreamsFile(one, "/")).toMatchObject({ default: "only", routes: [], failover: {} });
    expect(parseUpstreamsFile({ ...one, default: null }, "/").default).toBeNull();
    expect(parseUpstreamsFile({ ...baseFile, default: undefined }, "/").default).toBeNull();
    expect(parseUpstreamsFile(one, "/").portabilityFile).toBeNull();
  });

  it("keeps an absolute portability file as it is", () => {
    expect(parseUpstreamsFile({ ...baseFile, portabilityFile: "/data/p.csv" }, "/etc").portabilityFile).toBe(
      "/data/p.csv",
    );
  });

  it("names the offending field", () => {
    const cases: [unknown, RegExp][] = [
      [{}, /^upstreams: /],
      [{ ...baseFile, upstreams: [] }, /^upstreams: /],
      [{ ...baseFile, extra: 1 }, /extra/],
      [{ ...baseFile, upstreams: [{ name: "x", host: "h", systemId: "s", colour: 1 }] }, /colour/],
      [
        { ...baseFile, upstreams: [{ name: "x", host: "h", systemId: "s", port: 70000 }] },
        /^upstreams\.0\.port: /,
      ],
      [{ ...baseFile, upstreams: [{ name: "bad name", host: "h", systemId: "s" }] }, /^upstreams\.0\.name: /],
      [{ ...baseFile, upstreams: [{ name: "x", url: "ftp://h" }] }, /^upstreams\.0\.url: scheme/],
      [{ ...baseFile, upstreams: [{ name: "x", url: 5 }] }, /^upstreams\.0\.url: expected a string/],
      [
        { ...baseFile, upstreams: [...baseFile.upstreams, { name: "cm", host: "h", systemId: "s" }] },
        /upstreams\.3\.name: "cm" is used twice/,
      ],
      [{ ...baseFile, routes: [{ upstream: "cm" }] }, /^routes\.0: a route needs prefixes or carriers/],
      [{ ...baseFile, routes: [{ upstream: "cm", carriers: ["vodafone"] }] }, /^routes\.0\.carriers\.0: /],
      [
        { ...baseFile, routes: [{ upstream: "cm", prefixes: ["86-138"] }] },
        /^routes\.0\.prefixes\.0: E\.164 digits/,
      ],
      [{ ...baseFile, routes: [{ upstream: "cm", carriers: [] }] }, /^routes\.0\.carriers: /],
      [
        { ...baseFile, routes: [{ upstream: "nope", carriers: ["cmcc"] }] },
        /^routes\.0\.upstream: no upstream is named "nope"/,
      ],
      [{ ...baseFile, default: "nope" }, /^default: no upstream is named "nope"/],
      [{ ...baseFile, failover: { nope: ["cm"] } }, /^failover\.nope: no upstream is named "nope"/],
      [{ ...baseFile, failover: { cm: ["agg", "nope"] } }, /^failover\.cm\.1: no upstream is named "nope"/],
      [{ ...baseFile, portabilityFile: "" }, /^portabilityFile: /],
    ];
    for (const [doc, pattern] of cases)
      expect(() => parseUpstreamsFile(doc, "/"), JSON.stringify(doc)).toThrow(pattern);
  });
});

describe("loadUpstreams", () => {
  const dir = mkdtempSync(join(tmpdir(), "anning-upstreams-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is null when neither variable is set (or both are empty)", () => {
    expect(loadUpstreams({})).toBeNull();
    expect(loadUpstreams({ ANNING_UPSTREAM: "", ANNING_UPSTREAMS_FILE: "" })).toBeNull();
  });

  it("refuses both at once", () => {
    expect(() =>
      loadUpstreams({ ANNING_UPSTREAM: "smpp://a:b@h:1", ANNING_UPSTREAMS_FILE: "x.json" }),
    ).toThrow(/not both/);
    // read through the whole configuration: said once, not "configuration: configuration: …"
    expect(() => loadConfig({ ANNING_UPSTREAM: "smpp://a:b@h:1", ANNING_UPSTREAMS_FILE: "x.json" })).toThrow(
      /^configuration: set ANNING_UPSTREAM or ANNING_UPSTREAMS_FILE, not both$/,
    );
  });

  it("makes the URL the one default upstream", () => {
    expect(loadUpstreams({ ANNING_UPSTREAM: "smpp://a:b@127.0.0.1:2775" })).toEqual({
      upstreams: [{ ...DEFAULTS, name: "default", host: "127.0.0.1", systemId: "a", password: "b" }],
      routes: [],
      default: "default",
      failover: {},
      portabilityFile: null,
    });
    expect(() => loadUpstreams({ ANNING_UPSTREAM: "smpp://a:b@h:1?window=x" })).toThrow(
      /^configuration: ANNING_UPSTREAM: window: /,
    );
  });

  it("reads the file, resolving the portability file next to it", () => {
    const path = join(dir, "upstreams.json");
    writeFileSync(path, JSON.stringify(baseFile));
    const f = loadUpstreams({ ANNING_UPSTREAMS_FILE: path });
    expect(f?.portabilityFile).toBe(join(dir, "ported.csv"));
    expect(f?.upstreams).toHaveLength(3);
  });

  it("takes a private CA file for TLS, by URL or in the file (next to it), and checks it can be read", () => {
    const pem = join(dir, "carrier-ca.pem");
    writeFileSync(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    const byUrl = loadUpstreams({ ANNING_UPSTREAM: `smpps://a:b@smsc.example:3550?caFile=${pem}` });
    expect(byUrl?.upstreams[0]).toMatchObject({ tls: true, caFile: pem, port: 3550 });
    const path = join(dir, "tls-upstreams.json");
    writeFileSync(
      path,
      JSON.stringify({ upstreams: [{ name: "a", url: "smpps://a:b@h:1", caFile: "carrier-ca.pem" }] }),
    );
    expect(loadUpstreams({ ANNING_UPSTREAMS_FILE: path })?.upstreams[0]?.caFile).toBe(pem);
    expect(() =>
      loadUpstreams({ ANNING_UPSTREAM: `smpps://a:b@h:1?caFile=${join(dir, "none.pem")}` }),
    ).toThrow(/^configuration: ANNING_UPSTREAM: caFile \(.*none\.pem\): cannot be read$/);
    writeFileSync(join(dir, "not-pem.txt"), "hello");
    writeFileSync(
      path,
      JSON.stringify({ upstreams: [{ name: "a", url: "smpps://a:b@h:1", caFile: "not-pem.txt" }] }),
    );
    expect(() => loadUpstreams({ ANNING_UPSTREAMS_FILE: path })).toThrow(
      /upstreams\.0\.caFile \(.*\): holds no PEM certificate$/,
    );
  });

  it("names the file in its errors", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...baseFile, default: "nope" }));
    expect(() => loadUpstreams({ ANNING_UPSTREAMS_FILE: bad })).toThrow(
      `upstreams file ${bad}: default: no upstream is named "nope"`,
    );
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{");
    expect(() => loadUpstreams({ ANNING_UPSTREAMS_FILE: broken })).toThrow(`upstreams file ${broken}: `);
    expect(() => loadUpstreams({ ANNING_UPSTREAMS_FILE: join(dir, "missing.json") })).toThrow(/ENOENT/);
  });
});
