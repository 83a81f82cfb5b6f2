import { it } from "vitest";
import { CONTRACT_LEDGER_KEY } from "../../test-support/store-contract/run-store-contract.js";
import { openSqliteStore } from "./sqlite-store.js";

it("plans", () => {
  const s = openSqliteStore({ file: ":memory:", ledgerKey: CONTRACT_LEDGER_KEY });
  const q = [
    "SELECT * FROM messages WHERE +sender_id IN (SELECT value FROM json_each('[\"a\",\"b\"]')) AND id > '' ORDER BY id LIMIT 10",
    "SELECT id FROM messages WHERE sender_id = 'a' AND id > '' ORDER BY id LIMIT 10",
    "SELECT * FROM messages WHERE id IN (SELECT value FROM json_each('[]')) ORDER BY id",
    "SELECT * FROM messages WHERE phone = 'x' AND status <> 'refused' AND substr(port, 1, length('1')) = '1' ORDER BY created_at DESC LIMIT 1",
    "SELECT seq FROM consent_events WHERE type IN ('dnd_set', 'dnd_remove') AND seq > 1 ORDER BY seq LIMIT 5",
    "SELECT seq FROM consent_events WHERE type = 'withdraw' AND enterprise_id = 'a' AND seq > 1 ORDER BY seq LIMIT 5",
    "SELECT e.*, r.phone FROM consent_events e LEFT JOIN recipients r ON r.recipient_id = e.recipient_id WHERE e.seq IN (SELECT value FROM json_each('[1]')) ORDER BY e.seq",
    "SELECT id, history FROM messages WHERE status = 'dispatching'",
    "SELECT * FROM messages WHERE status = 'accepted' AND not_before <= 5 ORDER BY not_before, id LIMIT 5",
    "SELECT * FROM consent_events WHERE recipient_id = 'x' ORDER BY seq",
  ];
  for (const sql of q)
    console.log(
      sql.slice(0, 60),
      "\n   ",
      (s.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join(" | "),
    );
});
