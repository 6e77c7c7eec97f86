// The TPP's own store: its client registrations at the bank, the learners' sessions and connections,
// their tokens, pending authorizations, payments and the flow trace. Tokens and keys live here and
// nowhere else: the browser only ever sees connection ids. One query builder (Kysely) on either engine:
// the embedded SQLite file `<dataDir>/tpp/tpp.sqlite` by default, or the PostgreSQL database
// FAPI_TPP_DATABASE_URL names (TPP replicas sharing their data); only connecting differs
// (fapi-core's sql-database.ts, as every party connects).
import path from 'node:path';
import { type Engine, openSqlDatabase } from '@fapi-sandbox/fapi-core/sql-database';
import type { Generated, Kysely } from 'kysely';
import { migrateTppToLatest } from './migrations.js';

export interface SessionsTable {
  id: string;
  created_at: string;
}

export interface RegistrationsTable {
  registration_key: string;
  profile: string;
  client_auth: string;
  client_id: string;
  registration_access_token: string | null;
  registration_client_uri: string | null;
  metadata_json: string;
  metadata_version: string | null;
  registered_at: string;
  id_token_encryption: string | null;
  jarm_encryption: string | null;
  ciba_mode: string | null;
}

export interface OnboardingRunsTable {
  id: Generated<number>;
  interaction_id: string;
  started_at: string;
  result_json: string;
}

export interface ConnectionsTable {
  id: string;
  session_id: string;
  profile: string;
  client_auth: string;
  client_id: string | null;
  interaction_id: string;
  status: string;
  consent_id: string | null;
  dpop_private_jwk: string | null;
  error_json: string | null;
  shared_accounts_json: string | null;
  request_object_encryption: string | null;
  id_token_encryption: string | null;
  jarm_encryption: string | null;
  ciba_mode: string | null;
  authorization_details_json: string | null;
  created_at: string;
  updated_at: string;
}

export interface TokensTable {
  connection_id: string;
  grant_name: string;
  access_token: string;
  refresh_token: string | null;
  token_type: string;
  scope: string | null;
  expires_at: number | null;
  issued_at: number;
}

export interface AuthorizationsTable {
  state: string;
  connection_id: string;
  session_id: string;
  purpose: string;
  payment_id: string | null;
  nonce: string;
  code_verifier: string;
  /** '' for a rich authorization request (RFC 9396), which names no intent: NOT NULL since the first schema. */
  consent_id: string;
  created_at: number;
  completed_at: number | null;
}

export interface PaymentsTable {
  id: string;
  connection_id: string;
  status: string;
  request_json: string;
  consent_id: string | null;
  idempotency_key: string;
  domestic_payment_id: string | null;
  bank_status: string | null;
  error_json: string | null;
  created_at: string;
  updated_at: string;
}

export interface BackchannelRequestsTable {
  connection_id: string;
  auth_req_id: string;
  login_hint: string;
  binding_message: string;
  notification_token: string | null;
  interval_seconds: number;
  expires_at: number;
  pinged_at: number | null;
  created_at: number;
}

export interface TraceEventsTable {
  seq: Generated<number>;
  scope: string;
  event_json: string;
}

export interface TppTables {
  sessions: SessionsTable;
  registrations: RegistrationsTable;
  onboarding_runs: OnboardingRunsTable;
  connections: ConnectionsTable;
  tokens: TokensTable;
  authorizations: AuthorizationsTable;
  payments: PaymentsTable;
  backchannel_requests: BackchannelRequestsTable;
  trace_events: TraceEventsTable;
}

export type Db = Kysely<TppTables>;

export interface TppDatabaseLocation {
  /** The sandbox's data folder: the SQLite file is `<dataDir>/tpp/tpp.sqlite` (used when `url` is absent). */
  dataDir: string;
  /** FAPI_TPP_DATABASE_URL (config.tppDatabaseUrl, checked there): the TPP's data lives on that server. */
  url?: string | undefined;
}

export interface TppDatabase {
  db: Db;
  engine: Engine;
}

export function tppSqliteFile(dataDir: string): string {
  return path.join(dataDir, 'tpp', 'tpp.sqlite');
}

/** Opens the TPP's database and brings its schema up to date (migrations.ts). */
export async function openDatabase(location: TppDatabaseLocation): Promise<TppDatabase> {
  const { db, engine } = openSqlDatabase<TppTables>(
    { file: tppSqliteFile(location.dataDir), url: location.url },
    'FAPI_TPP_DATABASE_URL',
  );
  try {
    await migrateTppToLatest(db, engine);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, engine };
}
