import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_TOKEN,
  type Harness,
  phoneNo,
  startHarness,
  type World,
} from "../../src/test-support/http-harness.js";
import { TEST_STORE, testStoreEnv } from "../../src/test-support/pg-test-db.js";
import { ensureBuilt, runCli } from "../support/process.js";

const HEADER = "phone,enterpriseId,category,method,capturedAt,source,noticeText";
const dirs: string[] = [];

/**
 * A data directory with the world registered through the HTTP harness (real clock time), and the
 * harness closed without removing the directory, so the CLI can open it.
 */
async function populatedDataDir(
  setup?: (h: Harness, w: World) => Promise<void>,
): Promise<{ dir: string; w: World }> {
  const h = await startHarness({ now: Date.now() });
  const w = await h.world();
  if (setup) await setup(h, w);
  await h.app.close();
  await h.services.close();
  dirs.push(h.dataDir);
  return { dir: h.dataDir, w };
}

function cli(dir: string, args: string[], env: Record<string, string> = {}) {
  return runCli(args, {
    ANNING_DATA_DIR: dir,
    ANNING_ADMIN_TOKEN: ADMIN_TOKEN,
    ...testStoreEnv(dir),
    ...env,
  });
}

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "anning-cli-files-"));
  dirs.push(d);
  return d;
}

beforeAll(() => {
  ensureBuilt();
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("consents import", () => {
  let dir: string;
  let w: World;
  let files: string;
  const captured = "2024-05-01T09:30:00+08:00";
  const good = (phone: string, ent: string) =>
    `${phone},${ent},marketing.retail,web_form_unticked_box,${captured},https://shop.example/signup,我同意接收营销短信`;

  beforeAll(async () => {
    ({ dir, w } = await populatedDataDir());
    files = scratch();
  });

  function csvWithRejects(): { file: string; rejected: Map<number, string> } {
    const rows = [
      good(phoneNo(71), w.A.id), // 1
      good("12345", w.A.id), // 2 bad phone
      good(phoneNo(72), w.A.id), // 3
      `${phoneNo(73)},${w.A.id},marketing.retail,pre_ticked,${captured},https://shop.example,默认勾选`, // 4
      `${phoneNo(74)},${w.A.id},marketing.retail,web_form_unticked_box,,https://shop.example,我同意`, // 5 missing capturedAt
      `${phoneNo(75)},${w.A.id},marketing.retail,web_form_unticked_box,2099-01-01T00:00:00+08:00,https://shop.example,我同意`, // 6
      good(phoneNo(76), "ent_does_not_exist"), // 7
      `${phoneNo(77)},${w.A.id},marketing.retail`, // 8 too few columns
      good(phoneNo(78), w.B.id), // 9
    ];
    const file = join(files, `consents-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, `${HEADER}\n${rows.join("\n")}\n`);
    return {
      file,
      rejected: new Map([
        [2, "RECIPIENT_INVALID"],
        [4, "CONSENT_NOT_AFFIRMATIVE"],
        [5, "VALIDATION_FAILED"],
        [6, "CONSENT_CAPTURED_IN_FUTURE"],
        [7, "NOT_FOUND"],
        [8, "COLUMN_COUNT"],
      ]),
    };
  }

  function rejectsOf(file: string): Array<{ row: number; code: string; message: string }> {
    const text = readFileSync(file.replace(/\.csv$/, ".rejects.csv"), "utf8");
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("row,code,message");
    return lines.slice(1).map((l) => {
      const [row, code, ...rest] = l.split(",");
      return { row: Number(row), code: code ?? "", message: rest.join(",") };
    });
  }

  it("imports the good rows, writes the broken ones to FILE.rejects.csv and exits non-zero", () => {
    const { file, rejected } = csvWithRejects();
    const r = cli(dir, ["consents", "import", file]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/imported 3, skipped 0 .*rejected 6/);
    const rejects = rejectsOf(file);
    expect(rejects.map((x) => x.row)).toEqual([...rejected.keys()]);
    for (const x of rejects) {
      expect(x.code, `row ${x.row}`).toBe(rejected.get(x.row));
      expect(x.message.length, `row ${x.row}`).toBeGreaterThan(0);
    }
  });

  it("imports nothing twice when the same file runs again", () => {
    const { file } = csvWithRejects();
    const second = cli(dir, ["consents", "import", file]);
    expect(second.stdout).toMatch(/imported 0, skipped 3 .*rejected 6/);
    expect(second.status).toBe(1);
  });

  it("exits 0 when every row is good", () => {
    const file = join(files, "clean.csv");
    writeFileSync(file, `${HEADER}\n${good(phoneNo(79), w.A.id)}\n`);
    const r = cli(dir, ["consents", "import", file]);
    expect(r.stdout).toMatch(/imported 1, skipped 0 .*rejected 0/);
    expect(r.status, r.stderr).toBe(0);
    expect(rejectsOf(file)).toEqual([]);
  });

  it("rejects a row with too many columns instead of dropping the extra field", () => {
    const file = join(files, "extra-column.csv");
    // an unquoted comma in the notice splits it: the evidence would be cut short
    writeFileSync(
      file,
      `${HEADER}\n${phoneNo(80)},${w.A.id},marketing.retail,web_form_unticked_box,${captured},https://shop.example,我同意,接收营销短信\n`,
    );
    const r = cli(dir, ["consents", "import", file]);
    expect(r.stdout).toMatch(/imported 0, .*rejected 1/);
    expect(r.status).toBe(1);
    expect(rejectsOf(file).map((x) => x.row)).toEqual([1]);
  });

  it("a missing file is a clear error with exit code 2", () => {
    const missing = join(files, "nope.csv");
    const r = cli(dir, ["consents", "import", missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no such file");
    expect(r.stderr).toContain("nope.csv");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(missing.replace(/\.csv$/, ".rejects.csv"))).toBe(false); // nothing left behind
  });

  it("a file that is not CSV is a clear error with exit code 2, naming the line; the rows before it are kept", () => {
    const file = join(files, "unclosed-quote.csv");
    writeFileSync(
      file,
      `${HEADER}
${good(phoneNo(82), w.A.id)}
${phoneNo(83)},${w.A.id},marketing.retail,web_form_unticked_box,${captured},https://x.example,"我同意
`,
    );
    const r = cli(dir, ["consents", "import", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not valid CSV near line \d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/imported 1, /);
    // a re-run of the repaired file skips the row already in force
    writeFileSync(
      file,
      `${HEADER}
${good(phoneNo(82), w.A.id)}
`,
    );
    expect(cli(dir, ["consents", "import", file]).stdout).toMatch(/imported 0, skipped 1/);
  });

  it("an unknown column (a misspelt expiresAt, say) is a clear error with exit code 2, nothing imported", () => {
    const file = join(files, "misspelt.csv");
    writeFileSync(
      file,
      `${HEADER},expires_at
${good(phoneNo(84), w.A.id)},2030-01-01T00:00:00+08:00
`,
    );
    const r = cli(dir, ["consents", "import", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown column(s): expires_at");
    expect(r.stdout).not.toMatch(/imported [1-9]/);
  });

  it("a missing column is a clear error with exit code 2", () => {
    const file = join(files, "no-captured.csv");
    writeFileSync(
      file,
      `phone,enterpriseId,category,method,source,noticeText\n${phoneNo(81)},${w.A.id},marketing.retail,web_form_unticked_box,https://x.example,同意\n`,
    );
    const r = cli(dir, ["consents", "import", file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("missing column");
    expect(r.stderr).toContain("capturedAt");
    expect(r.stdout).not.toMatch(/imported [1-9]/);
  });
});

// these read or tamper with the SQLite file directly
describe.skipIf(TEST_STORE === "postgres")("campaign check", () => {
  it("prints counts by code, writes a results CSV and records nothing", async () => {
    const consenting = [phoneNo(91), phoneNo(92)];
    const dnd = phoneNo(93);
    const { dir, w } = await populatedDataDir(async (h, world) => {
      for (const p of [...consenting, dnd]) await h.grant(p, world.A.id, "marketing.retail");
      await h.admin("POST", "/v1/dnd", { phone: dnd, scope: "all" });
    });
    const files = scratch();
    // marketing hours all day, so that the check does not depend on when the test runs
    const policy = join(files, "policy.json");
    writeFileSync(
      policy,
      JSON.stringify({
        defaults: {
          marketingHours: { start: "00:00", end: "24:00" },
          perSenderPerDay: 1,
          perRecipientPerDay: 5,
          verification: { perMinute: 1, perHour: 5, perDay: 10 },
          requireOptOutText: true,
        },
      }),
    );
    const list = join(files, "list.csv");
    writeFileSync(
      list,
      `phone,name\n${consenting[0]},张三\n${phoneNo(94)},李四\n12345,王五\n${dnd},赵六\n${consenting[1]},钱七\n${consenting[0]},张三again\n`,
    );
    const out = join(files, "out.csv");
    const args = [
      "campaign",
      "check",
      list,
      "--sender",
      w.A.id,
      "--signature",
      w.sigA,
      "--port",
      w.portA,
      "--text",
      w.textA,
      "--category",
      "marketing.retail",
      "--out",
      out,
    ];
    const r = cli(dir, args, { ANNING_POLICY_FILE: policy });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/recipients\s+6/);
    expect(r.stdout).toMatch(/allowed\s+2/);
    expect(r.stdout).toMatch(/CONSENT_MISSING\s+1/);
    expect(r.stdout).toMatch(/RECIPIENT_INVALID\s+1/);
    expect(r.stdout).toMatch(/DND\s+1/);
    expect(r.stdout).toMatch(/FREQUENCY_CAP\s+1/); // the repeated recipient
    expect(r.stdout).toContain(out);

    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("row,phone,allowed,codes");
    expect(lines.slice(1)).toEqual([
      "1,139****0091,true,",
      "2,139****0094,false,CONSENT_MISSING",
      expect.stringMatching(/^3,\**45,false,RECIPIENT_INVALID$/),
      "4,139****0093,false,DND",
      "5,139****0092,true,",
      "6,139****0091,false,FREQUENCY_CAP",
    ]);
    for (const p of [...consenting, dnd]) expect(readFileSync(out, "utf8")).not.toContain(p);

    // nothing was recorded: a second check gives the same answer
    const again = cli(dir, args, { ANNING_POLICY_FILE: policy });
    expect(again.stdout).toMatch(/allowed\s+2/);
    const db = new Database(join(dir, "anning.db"), { readonly: true });
    try {
      expect((db.prepare("SELECT count(*) AS n FROM messages").get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });

  it("writes FILE.results.csv by default and refuses a list without a phone column (exit 2)", async () => {
    const { dir, w } = await populatedDataDir();
    const files = scratch();
    const list = join(files, "people.csv");
    writeFileSync(list, `phone\n${phoneNo(95)}\n`);
    const base = [
      "--sender",
      w.A.id,
      "--signature",
      w.sigA,
      "--port",
      w.portA,
      "--text",
      w.textA,
      "--category",
      "marketing.retail",
    ];
    const r = cli(dir, ["campaign", "check", list, ...base]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(files, "people.results.csv"))).toBe(true);
    expect(r.stdout).toMatch(/recipients\s+1/);

    const noPhone = join(files, "nophone.csv");
    writeFileSync(noPhone, `mobile\n${phoneNo(95)}\n`);
    const bad = cli(dir, ["campaign", "check", noPhone, ...base]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("phone");
  });
});

describe("policy show", () => {
  it("prints the built-in defaults as JSON", async () => {
    const { dir } = await populatedDataDir();
    const r = cli(dir, ["policy", "show"]);
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as {
      file: { defaults: Record<string, unknown>; defaultTimeZone: string };
      override: unknown;
      effectiveToday: Record<string, unknown>;
    };
    expect(p.file.defaults).toEqual({
      marketingHours: { start: "08:00", end: "21:00" },
      perSenderPerDay: 1,
      perRecipientPerDay: 5,
      verification: { perMinute: 1, perHour: 5, perDay: 10 },
      requireOptOutText: true,
    });
    expect(p.file.defaultTimeZone).toBe("Asia/Shanghai");
    expect(p.override).toBeNull();
    expect(p.effectiveToday).toEqual(p.file.defaults);
  });
});

describe.skipIf(TEST_STORE === "postgres")("ledger verify", () => {
  /** A data dir with a few consent events: two for one recipient (same shard), one each for others. */
  async function ledgerDir() {
    const phone = phoneNo(101);
    return populatedDataDir(async (h, w) => {
      await h.grant(phone, w.A.id, "marketing.retail");
      await h.grant(phone, w.B.id, "marketing.retail");
      h.clock.advance(1000);
      await h.admin("POST", "/v1/consents/withdraw", {
        phone,
        enterpriseId: w.A.id,
        category: "marketing.retail",
        channel: "app",
      });
      await h.grant(phoneNo(102), w.A.id, "marketing.retail");
      await h.grant(phoneNo(103), w.B.id, "marketing.retail");
    });
  }

  function tamper(dir: string, fn: (db: Database.Database) => void) {
    const db = new Database(join(dir, "anning.db"));
    try {
      fn(db);
    } finally {
      db.close();
    }
  }

  /** The shard holding the most events, with its events in chain order. */
  function busiestShard(
    dir: string,
  ): Array<{ seq: number; shard: number; shard_seq: number; type: string; recorded_at: number }> {
    const db = new Database(join(dir, "anning.db"), { readonly: true });
    try {
      const top = db
        .prepare("SELECT shard FROM consent_events GROUP BY shard ORDER BY count(*) DESC LIMIT 1")
        .get() as { shard: number };
      return db
        .prepare(
          "SELECT seq, shard, shard_seq, type, recorded_at FROM consent_events WHERE shard = ? ORDER BY shard_seq",
        )
        .all(top.shard) as Array<{
        seq: number;
        shard: number;
        shard_seq: number;
        type: string;
        recorded_at: number;
      }>;
    } finally {
      db.close();
    }
  }

  it("passes on a fresh ledger", async () => {
    const { dir } = await ledgerDir();
    const r = cli(dir, ["ledger", "verify"]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ledger OK: 5 events verified/);
    // and again after anchoring
    expect(cli(dir, ["ledger", "verify"]).status).toBe(0);
  });

  it("fails after an event is edited in the SQLite file", async () => {
    const { dir } = await ledgerDir();
    expect(cli(dir, ["ledger", "verify"]).status).toBe(0);
    tamper(dir, (db) => {
      const n = db
        .prepare(
          "UPDATE consent_events SET method = 'api_attested' WHERE seq = (SELECT min(seq) FROM consent_events WHERE type = 'grant')",
        )
        .run().changes;
      expect(n).toBe(1);
    });
    const r = cli(dir, ["ledger", "verify"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("TAMPERED");
    expect(r.stdout).toContain("hash_mismatch");
  });

  it("fails after an event in the middle of a chain is deleted", async () => {
    const { dir } = await ledgerDir();
    expect(cli(dir, ["ledger", "verify"]).status).toBe(0);
    const chain = busiestShard(dir);
    expect(chain.length).toBeGreaterThanOrEqual(3);
    const victim = chain[1];
    tamper(dir, (db) => {
      expect(db.prepare("DELETE FROM consent_events WHERE seq = ?").run(victim?.seq).changes).toBe(1);
    });
    const r = cli(dir, ["ledger", "verify"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("TAMPERED");
    expect(r.stdout).toMatch(/sequence_gap|broken_link/);
  });

  it("fails after the newest event of a chain is deleted", async () => {
    const { dir } = await ledgerDir();
    expect(cli(dir, ["ledger", "verify"]).status).toBe(0);
    const chain = busiestShard(dir);
    const last = chain.at(-1);
    tamper(dir, (db) => {
      expect(db.prepare("DELETE FROM consent_events WHERE seq = ?").run(last?.seq).changes).toBe(1);
    });
    const r = cli(dir, ["ledger", "verify"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("anchor_mismatch");
  });

  it("fails after an event is back-dated", async () => {
    const { dir } = await ledgerDir();
    expect(cli(dir, ["ledger", "verify"]).status).toBe(0);
    const chain = busiestShard(dir);
    const last = chain.at(-1);
    tamper(dir, (db) => {
      const changed = db
        .prepare("UPDATE consent_events SET recorded_at = recorded_at - 86400000 WHERE seq = ?")
        .run(last?.seq).changes;
      expect(changed).toBe(1);
    });
    const r = cli(dir, ["ledger", "verify"]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("TAMPERED");
    expect(r.stdout).toContain("backdated");
  });
});
