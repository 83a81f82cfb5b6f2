import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshCreditCode } from "../../src/test-support/http-harness.js";
import { dropPgSchema, freshPgUrl, TEST_PG_URL, TEST_REDIS_URL } from "../../src/test-support/pg-test-db.js";
import { ensureBuilt, type Server, startServer } from "../support/process.js";

/**
 * Three anning nodes on one PostgreSQL schema and one Redis prefix, as behind a load balancer: what one
 * node takes in, the others act on.
 */
describe("three nodes on one PostgreSQL and Redis", () => {
  const token = "cluster-admin-token-0123456789";
  const { url, schema } = freshPgUrl("cluster");
  const redis = new URL(TEST_REDIS_URL);
  redis.searchParams.set("prefix", schema);
  const dirs: string[] = [];
  const nodes: Server[] = [];
  let db: pg.Client;
  // tomorrow, 10:00 in Shanghai: inside marketing hours whatever the real time is
  const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
  const at = Date.parse(`${tomorrow}T10:00:00+08:00`);
  let world: { A: { id: string; apiKey: string }; sigId: string; port: string };

  const env = (node: string) => {
    const dir = mkdtempSync(join(tmpdir(), `anning-${node}-`));
    dirs.push(dir);
    return {
      ANNING_DATA_DIR: dir,
      ANNING_ADMIN_TOKEN: token,
      ANNING_TEST_CLOCK: "1",
      ANNING_DATABASE_URL: url,
      ANNING_REDIS_URL: redis.toString(),
      ANNING_NODE_ID: node,
      ANNING_CAMPAIGN_LEASE_MS: "3000",
      ANNING_INFLIGHT_GRACE_MS: "5000",
      // no polling to fall back on: what one node takes in reaches the others by the change bus alone
      ANNING_SYNC_POLL_MS: "60000",
      ANNING_LOG_LEVEL: "warn",
    };
  };

  async function call(s: Server, method: string, path: string, body?: unknown, key = token) {
    const r = await fetch(`${s.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, text, json: <T>() => JSON.parse(text) as T };
  }

  const node = (i: number) => nodes[i] as Server;

  const send = (phone: string, category = "marketing.retail") => ({
    senderId: world.A.id,
    signature: world.sigId,
    port: world.port,
    phone,
    text: "【晨光书店】冬季新书上架，回TD退订",
    category,
    at,
  });

  async function grant(s: Server, phone: string) {
    const c = await call(s, "POST", "/v1/consents", {
      phone,
      enterpriseId: world.A.id,
      category: "marketing.retail",
      method: "web_form_unticked_box",
      capturedAt: Date.now() - 60_000,
      source: "https://books.example/join",
      noticeText: "同意接收晨光书店营销短信",
    });
    expect(c.status, c.text).toBe(201);
  }

  /** Polls `check` until it is true; returns the milliseconds it took, or throws after `ms`. */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const t0 = Date.now();
    while (!(await check())) {
      if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return Date.now() - t0;
  }

  beforeAll(async () => {
    ensureBuilt();
    // the first node migrates the schema; the others start together on it
    nodes.push(await startServer(env("n1")));
    nodes.push(...(await Promise.all([startServer(env("n2")), startServer(env("n3"))])));
    db = new pg.Client({ connectionString: TEST_PG_URL });
    await db.connect();
    const reg = async (kind: string, parentId?: string) => {
      const r = await call(node(0), "POST", "/v1/enterprises", {
        kind,
        name: `${kind}-cluster`,
        creditCode: freshCreditCode(),
        ...(parentId ? { parentId } : {}),
      });
      expect(r.status, r.text).toBe(201);
      return r.json<{ id: string; apiKey: string }>();
    };
    const P = await reg("platform");
    const A = await reg("merchant", P.id);
    const V = await reg("provider");
    const sig = await call(node(1), "POST", "/v1/signatures", {
      ownerId: A.id,
      text: "晨光书店",
      scope: ["marketing.retail", "notification"],
    });
    expect(sig.status, sig.text).toBe(201);
    const sigId = sig.json<{ id: string }>().id;
    expect((await call(node(2), "POST", `/v1/signatures/${sigId}/activate`)).status).toBe(200);
    const port = await call(node(0), "POST", "/v1/ports", { providerId: V.id, number: "1069044444" });
    expect(port.status, port.text).toBe(201);
    const alloc = await call(node(1), "POST", `/v1/ports/${port.json<{ id: string }>().id}/allocations`, {
      enterpriseId: A.id,
      signatureIds: [sigId],
    });
    expect(alloc.status, alloc.text).toBe(201);
    world = { A, sigId, port: "1069044444" };
  }, 120_000);

  afterAll(async () => {
    for (const s of nodes) if (s.child.exitCode === null && s.child.signalCode === null) await s.stop();
    await db?.end();
    await dropPgSchema(schema);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it("sees a registry change made on another node within a second", async () => {
    // the allocation was made on n2, the activation on n3: n1 must know both to allow this notification
    const ms = await within(1000, async () => {
      const r = await call(node(0), "POST", "/v1/decisions", send("13900000001", "notification"));
      return r.json<{ allowed: boolean }>().allowed;
    });
    expect(ms).toBeLessThan(1000);
  });

  it("a key issued on one node works on the next at once, and one revoked there stops at once", async () => {
    const issued = await call(node(0), "POST", `/v1/enterprises/${world.A.id}/keys`);
    expect(issued.status, issued.text).toBe(201);
    const { apiKey, keyId } = issued.json<{ apiKey: string; keyId: string }>();
    expect((await call(node(1), "GET", `/v1/enterprises/${world.A.id}`, undefined, apiKey)).status).toBe(200);
    expect((await call(node(2), "GET", `/v1/enterprises/${world.A.id}`, undefined, apiKey)).status).toBe(200);
    const revoked = await call(node(1), "DELETE", `/v1/enterprises/${world.A.id}/keys/${keyId}`);
    expect(revoked.status, revoked.text).toBe(204);
    for (const i of [0, 2])
      expect((await call(node(i), "GET", `/v1/enterprises/${world.A.id}`, undefined, apiKey)).status).toBe(
        401,
      );
    // sends, the hot path, follow the change bus: within a second
    const ms = await within(1000, async () => {
      const r = await call(node(0), "POST", "/v1/messages", send("13900000009"), apiKey);
      return r.status === 401;
    });
    expect(ms).toBeLessThan(1000);
  });

  it("blocks a send on one node within a second of a withdrawal taken on another", async () => {
    const phone = "13900000002";
    await grant(node(0), phone);
    await within(1000, async () => {
      const r = await call(node(1), "POST", "/v1/decisions", send(phone));
      return r.json<{ allowed: boolean }>().allowed;
    });
    const w = await call(node(0), "POST", "/v1/consents/withdraw", {
      phone,
      enterpriseId: world.A.id,
      channel: "web",
    });
    expect(w.status, w.text).toBe(200);
    const ms = await within(1000, async () => {
      const r = await call(node(1), "POST", "/v1/decisions", send(phone));
      return r.json<{ reasons: Array<{ code: string }> }>().reasons[0]?.code === "CONSENT_WITHDRAWN";
    });
    expect(ms).toBeLessThan(1000);
    const r2 = await call(node(1), "POST", "/v1/messages", send(phone), world.A.apiKey);
    expect(r2.json<{ reasons: Array<{ code: string }> }>().reasons[0]?.code).toBe("CONSENT_WITHDRAWN");
    // and on the third node too, within the same second (asked by decision, so nothing is sent meanwhile)
    const ms3 = await within(1000, async () => {
      const r = await call(node(2), "POST", "/v1/decisions", send(phone));
      return r.json<{ reasons: Array<{ code: string }> }>().reasons[0]?.code === "CONSENT_WITHDRAWN";
    });
    expect(ms3).toBeLessThan(1000);
    const r3 = await call(node(2), "POST", "/v1/messages", send(phone), world.A.apiKey);
    expect(r3.json<{ reasons: Array<{ code: string }> }>().reasons[0]?.code).toBe("CONSENT_WITHDRAWN");
  });

  it("holds the frequency cap across nodes: nine concurrent sends, one per sender per day accepted", async () => {
    const phone = "13900000003";
    await grant(node(2), phone);
    for (const s of nodes)
      await within(1000, async () => {
        const r = await call(s, "POST", "/v1/decisions", send(phone));
        return r.json<{ allowed: boolean }>().allowed;
      });
    const results = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        call(node(i % 3), "POST", "/v1/messages", send(phone), world.A.apiKey),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 422, 422, 422, 422, 422, 422, 422, 422]);
    for (const r of results.filter((x) => x.status === 422))
      expect(r.json<{ reasons: Array<{ code: string }> }>().reasons.map((x) => x.code)).toEqual([
        "FREQUENCY_CAP",
      ]);
  });

  it("hands out every outbox message once, whichever node claims it", async () => {
    const ids = await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const r = await call(
          node(i % 3),
          "POST",
          "/v1/messages",
          // notifications need no consent and know no quiet hours; sent now (no `at`), so due at once
          { ...send(`1370000${String(i).padStart(4, "0")}`, "notification"), at: undefined },
          world.A.apiKey,
        );
        expect(r.status, r.text).toBe(202);
        return r.json<{ id: string }>().id;
      }),
    );
    await within(20_000, async () => {
      const r = await db.query(
        `SELECT count(*)::int AS n FROM ${schema}.messages WHERE id = ANY($1) AND status = 'sent'`,
        [ids],
      );
      return r.rows[0].n === ids.length;
    });
    const r = await db.query(
      `SELECT id, (SELECT count(*) FROM jsonb_array_elements(history) h WHERE h->>'status' = 'dispatching')::int AS claims
       FROM ${schema}.messages WHERE id = ANY($1)`,
      [ids],
    );
    expect(r.rows).toHaveLength(ids.length);
    expect(r.rows.filter((x) => x.claims !== 1)).toEqual([]);
  }, 60_000);

  it("finishes a campaign whose node is killed mid-way, deciding every recipient exactly once", async () => {
    const total = 300_000;
    const phones = Array.from({ length: total }, (_, i) => `135${String(i).padStart(8, "0")}`);
    const c = await call(
      node(2),
      "POST",
      "/v1/campaigns",
      {
        senderId: world.A.id,
        signature: world.sigId,
        port: world.port,
        text: "【晨光书店】冬季新书上架，回TD退订",
        category: "marketing.retail",
        phones,
        at,
      },
      world.A.apiKey,
    );
    expect(c.status, c.text).toBe(202);
    const id = c.json<{ id: string }>().id;
    // find the node that leased it, and kill it once it has recorded some of it but not all
    let owner = "";
    await within(30_000, async () => {
      const r = await db.query(`SELECT lease_owner, cursor FROM ${schema}.campaigns WHERE id = $1`, [id]);
      const row = r.rows[0];
      if (row?.lease_owner && row.cursor > 0 && row.cursor < total) owner = row.lease_owner;
      return owner !== "";
    });
    const victim = nodes[Number(owner.slice(1)) - 1] as Server;
    victim.child.kill("SIGKILL");
    await within(60_000, async () => {
      const r = await call(nodes.find((s) => s !== victim) as Server, "GET", `/v1/campaigns/${id}`);
      return r.json<{ status: string }>().status === "completed";
    });
    const r = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT phone)::int AS phones FROM ${schema}.messages WHERE campaign_id = $1`,
      [id],
    );
    expect(r.rows[0]).toEqual({ n: total, phones: total });
    const camp = (await call(nodes.find((s) => s !== victim) as Server, "GET", `/v1/campaigns/${id}`)).json<{
      decided: number;
      accepted: number;
      refused: number;
    }>();
    expect(camp.decided).toBe(total);
    expect(camp.accepted + camp.refused).toBe(total);
  }, 120_000);
});
