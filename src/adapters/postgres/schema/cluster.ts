/**
 * What every node of one deployment shares beyond the stores: the keys (ledger HMAC, pseudonyms) made
 * by the first node to start, and a registry version that any registry change bumps, so other nodes
 * reload their registry index; and the leases of jobs that must run on one node at a time.
 */
export const CLUSTER_SQL = `
  CREATE TABLE node_secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    created_at bigint NOT NULL
  );

  CREATE TABLE registry_version (
    id smallint PRIMARY KEY CHECK (id = 1),
    version bigint NOT NULL
  );
  INSERT INTO registry_version (id, version) VALUES (1, 0);

  CREATE TABLE job_leases (
    name text PRIMARY KEY,
    owner text NOT NULL,
    lease_until bigint NOT NULL
  );
`;
