/**
 * The consent ledger: events partitioned by month of `recorded_at` (epoch ms; monthly partitions made by
 * PgLedgerStore.ensurePartitions, anything outside them in the default one), the recipient's number on
 * each event row (scans need no join), the append state kept small and read under the append lock (the
 * last global seq and the 16 chain heads), recipients whose events carry no number, and anchors.
 * Hex ids and pseudonyms use the "C" collation: byte comparisons in the indexes.
 */
export const LEDGER_SQL = `
  CREATE TABLE consent_events (
    seq bigint NOT NULL,
    recorded_at bigint NOT NULL,
    shard_seq bigint NOT NULL,
    shard smallint NOT NULL,
    id text NOT NULL,
    consent_id text,
    recipient_id text COLLATE "C" NOT NULL,
    enterprise_id text COLLATE "C",
    category text NOT NULL,
    type text NOT NULL,
    method text,
    captured_at bigint,
    source text,
    notice_text text,
    expires_at bigint,
    channel text,
    actor text NOT NULL,
    phone text,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (seq, recorded_at)
  ) PARTITION BY RANGE (recorded_at);
  CREATE TABLE consent_events_default PARTITION OF consent_events DEFAULT;
  -- a hash index: a recipient has few events (sorted by seq when read), and a btree over random 64-hex
  -- keys costs bulk appends far more (index size, page writes)
  CREATE INDEX consent_events_recipient ON consent_events USING hash (recipient_id);
  CREATE INDEX consent_events_chain ON consent_events (shard, shard_seq);
  CREATE INDEX consent_events_suppressions ON consent_events (seq)
    WHERE type IN ('withdraw', 'dnd_set', 'dnd_remove');
  CREATE INDEX consent_events_withdrawals ON consent_events (enterprise_id, seq) WHERE type = 'withdraw';
  CREATE INDEX consent_events_dnd ON consent_events (seq) WHERE type IN ('dnd_set', 'dnd_remove');

  -- the last seq given (= the number of events), read and written only under the append lock
  CREATE TABLE ledger_state (
    id smallint PRIMARY KEY CHECK (id = 1),
    last_seq bigint NOT NULL
  );
  INSERT INTO ledger_state (id, last_seq) VALUES (1, 0);

  -- the head of every non-empty shard's chain (at = recorded_at of the head event)
  CREATE TABLE ledger_heads (
    shard smallint PRIMARY KEY,
    shard_seq bigint NOT NULL,
    hash text NOT NULL,
    at bigint NOT NULL
  );

  -- recipients whose events carry no number (never given, or erased): a later append that gives the
  -- number writes it on their earlier events too
  CREATE TABLE ledger_numberless (
    recipient_id text COLLATE "C" PRIMARY KEY
  );

  CREATE TABLE ledger_anchors (
    shard smallint NOT NULL,
    shard_seq bigint NOT NULL,
    hash text NOT NULL,
    at bigint NOT NULL,
    PRIMARY KEY (shard, shard_seq)
  );
`;
