/** Enterprises, API keys, policy overrides, signatures, authorizations, ports and allocations. */
export const REGISTRY_SQL = `
  CREATE TABLE enterprises (
    id text PRIMARY KEY,
    kind text NOT NULL,
    name text NOT NULL,
    credit_code text NOT NULL,
    parent_id text REFERENCES enterprises(id),
    status text NOT NULL,
    status_reason text,
    created_at bigint NOT NULL
  );
  CREATE INDEX enterprises_created ON enterprises(created_at, id);

  CREATE TABLE api_keys (
    id text PRIMARY KEY,
    enterprise_id text NOT NULL REFERENCES enterprises(id),
    hash text NOT NULL,
    prefix text NOT NULL,
    created_at bigint NOT NULL,
    revoked_at bigint
  );
  CREATE UNIQUE INDEX api_keys_hash ON api_keys(hash);

  CREATE TABLE policy_overrides (
    enterprise_id text PRIMARY KEY REFERENCES enterprises(id),
    override jsonb NOT NULL,
    updated_at bigint NOT NULL
  );

  CREATE TABLE signatures (
    id text PRIMARY KEY,
    owner_id text NOT NULL REFERENCES enterprises(id),
    text text NOT NULL,
    scope jsonb NOT NULL,
    status text NOT NULL,
    status_reason text,
    created_at bigint NOT NULL
  );
  CREATE UNIQUE INDEX signatures_live_text ON signatures(text) WHERE status <> 'revoked';

  CREATE TABLE authorizations (
    id text PRIMARY KEY,
    signature_id text NOT NULL REFERENCES signatures(id),
    enterprise_id text NOT NULL REFERENCES enterprises(id),
    valid_from bigint NOT NULL,
    valid_to bigint NOT NULL,
    revoked_at bigint,
    created_at bigint NOT NULL
  );

  CREATE TABLE ports (
    id text PRIMARY KEY,
    provider_id text NOT NULL REFERENCES enterprises(id),
    number text NOT NULL,
    categories jsonb NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE UNIQUE INDEX ports_number ON ports(number);

  CREATE TABLE allocations (
    id text PRIMARY KEY,
    port_id text NOT NULL REFERENCES ports(id),
    enterprise_id text NOT NULL REFERENCES enterprises(id),
    extension text NOT NULL,
    signature_ids jsonb NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE UNIQUE INDEX allocations_port_ext_ent ON allocations(port_id, extension, enterprise_id);
`;
