// The directory's tables, as Kysely sees them, and where they live: the SQLite file in the data folder by
// default, or the PostgreSQL database FAPI_DIRECTORY_DATABASE_URL names (replicas of a hosted directory
// share it). Connecting on either engine is fapi-core's (sql-database.ts), as it is for the bank.
import {
  type DatabaseLocation,
  type Engine,
  type OpenedDatabase,
  openSqlDatabase,
} from '@fapi-sandbox/fapi-core/sql-database';
import type { Kysely } from 'kysely';
import type {
  CertificateSource,
  CertificateType,
  ParticipantStatus,
  RevocationReason,
} from '../domain/model.js';

export interface OrganisationsTable {
  org_id: string;
  org_name: string;
  status: ParticipantStatus;
  created_at: string;
  updated_at: string;
}

export interface AuthorisationServersTable {
  authorisation_server_id: string;
  org_id: string;
  issuer: string;
  discovery_url: string;
  api_base_url: string;
  customer_friendly_name: string;
  logo_uri: string | null;
  created_at: string;
}

export interface SoftwareStatementsTable {
  software_id: string;
  org_id: string;
  client_name: string;
  description: string;
  version: string;
  /** JSON arrays. */
  roles: string;
  redirect_uris: string;
  logo_uri: string | null;
  status: ParticipantStatus;
  created_at: string;
  updated_at: string;
}

export interface CertificatesTable {
  serial_number: string;
  x5t_s256: string;
  org_id: string;
  software_id: string;
  type: CertificateType;
  subject: string;
  key_type: string;
  kid: string | null;
  alg: string | null;
  not_before: string;
  not_after: string;
  chain_pem: string;
  source: CertificateSource;
  revoked_at: string | null;
  revocation_reason: RevocationReason | null;
  created_at: string;
}

export interface SsaIssuancesTable {
  jti: string;
  org_id: string;
  software_id: string;
  issued_at: string;
  expires_at: string;
  certificate_serial_number: string;
  ssa: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface DeveloperTokensTable {
  token_hash: string;
  org_id: string;
  created_at: string;
}

export interface EncryptionKeysTable {
  kid: string;
  software_id: string;
  alg: string;
  public_jwk: string;
  created_at: string;
  /** The order the bundle made them in (the JWKS lists them so). */
  position: number;
}

export interface DirectoryTables {
  organisations: OrganisationsTable;
  authorisation_servers: AuthorisationServersTable;
  software_statements: SoftwareStatementsTable;
  certificates: CertificatesTable;
  ssa_issuances: SsaIssuancesTable;
  settings: SettingsTable;
  developer_tokens: DeveloperTokensTable;
  encryption_keys: EncryptionKeysTable;
}

export type DirectoryDb = Kysely<DirectoryTables>;

/** The connection (or transaction) a repository runs its next query on: see index.ts. */
export type CurrentDb = () => DirectoryDb;

export type { DatabaseLocation, Engine };

export function openDirectoryDatabase(location: DatabaseLocation): OpenedDatabase<DirectoryTables> {
  return openSqlDatabase<DirectoryTables>(location, 'FAPI_DIRECTORY_DATABASE_URL');
}
