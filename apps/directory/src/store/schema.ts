// The directory's tables. Created on first open; `user_version` records the schema so a later change can
// migrate a kept data folder instead of silently misreading it.

export const SCHEMA_VERSION = 3;

/** `source`: pki (from `pnpm pki`), csr (a participant's request), bundle (keys made for a portal bundle). */
function certificatesTable(name: string): string {
  return `
CREATE TABLE ${name} (
  serial_number      TEXT PRIMARY KEY,
  x5t_s256           TEXT NOT NULL UNIQUE,
  org_id             TEXT NOT NULL REFERENCES organisations (org_id),
  software_id        TEXT NOT NULL REFERENCES software_statements (software_id),
  type               TEXT NOT NULL CHECK (type IN ('transport', 'signing')),
  subject            TEXT NOT NULL,
  key_type           TEXT NOT NULL,
  kid                TEXT,
  alg                TEXT,
  not_before         TEXT NOT NULL,
  not_after          TEXT NOT NULL,
  chain_pem          TEXT NOT NULL,
  source             TEXT NOT NULL CHECK (source IN ('pki', 'csr', 'bundle')),
  revoked_at         TEXT,
  revocation_reason  TEXT,
  created_at         TEXT NOT NULL
);`;
}

const CERTIFICATES_INDEX = 'CREATE INDEX certificates_by_software ON certificates (software_id);';

/** Developer portal sign-ups: only a SHA-256 of each developer token is kept, never the token. */
const DEVELOPER_TOKENS = `
CREATE TABLE developer_tokens (
  token_hash  TEXT PRIMARY KEY,
  org_id      TEXT NOT NULL REFERENCES organisations (org_id),
  created_at  TEXT NOT NULL
);
CREATE INDEX developer_tokens_by_org ON developer_tokens (org_id);`;

/**
 * The public halves of the encryption keys (use enc) the portal made for a software's bundle, published in
 * its JWKS so a bank can encrypt ID tokens to it (OIDC Core §10.2). Public members only, never a private key.
 */
const ENCRYPTION_KEYS = `
CREATE TABLE encryption_keys (
  kid          TEXT PRIMARY KEY,
  software_id  TEXT NOT NULL REFERENCES software_statements (software_id),
  alg          TEXT NOT NULL,
  public_jwk   TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
CREATE INDEX encryption_keys_by_software ON encryption_keys (software_id);`;

/** Version 1 to 2: developer tokens, and the `bundle` certificate source (SQLite rebuilds a table to widen a CHECK). */
export const MIGRATIONS: Record<number, string> = {
  1: `${DEVELOPER_TOKENS}
${certificatesTable('certificates_v2')}
INSERT INTO certificates_v2 SELECT * FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_v2 RENAME TO certificates;
${CERTIFICATES_INDEX}`,
  2: ENCRYPTION_KEYS,
};

export const SCHEMA = `
CREATE TABLE organisations (
  org_id      TEXT PRIMARY KEY,
  org_name    TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);

CREATE TABLE authorisation_servers (
  authorisation_server_id TEXT PRIMARY KEY,
  org_id                  TEXT NOT NULL REFERENCES organisations (org_id),
  issuer                  TEXT NOT NULL UNIQUE,
  discovery_url           TEXT NOT NULL,
  api_base_url            TEXT NOT NULL,
  customer_friendly_name  TEXT NOT NULL,
  logo_uri                TEXT,
  created_at              TEXT NOT NULL
);

CREATE TABLE software_statements (
  software_id    TEXT PRIMARY KEY,
  org_id         TEXT NOT NULL REFERENCES organisations (org_id),
  client_name    TEXT NOT NULL,
  description    TEXT NOT NULL,
  version        TEXT NOT NULL,
  roles          TEXT NOT NULL,
  redirect_uris  TEXT NOT NULL,
  logo_uri       TEXT,
  status         TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'revoked')),
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX software_statements_by_org ON software_statements (org_id);

${certificatesTable('certificates')}
${CERTIFICATES_INDEX}

CREATE TABLE ssa_issuances (
  jti                        TEXT PRIMARY KEY,
  org_id                     TEXT NOT NULL,
  software_id                TEXT NOT NULL REFERENCES software_statements (software_id),
  issued_at                  TEXT NOT NULL,
  expires_at                 TEXT NOT NULL,
  certificate_serial_number  TEXT NOT NULL,
  ssa                        TEXT NOT NULL
);
CREATE INDEX ssa_issuances_by_software ON ssa_issuances (software_id, issued_at);

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
${DEVELOPER_TOKENS}
${ENCRYPTION_KEYS}
`;
