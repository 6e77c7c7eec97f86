// The TPP's own store: its client registrations at the bank, the learners' connections, their tokens,
// pending authorizations, payments and the flow trace. Tokens and keys live here and nowhere else: the
// browser only ever sees connection ids.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS registrations (
  registration_key TEXT PRIMARY KEY,
  profile TEXT NOT NULL,
  client_auth TEXT NOT NULL,
  client_id TEXT NOT NULL,
  registration_access_token TEXT,
  registration_client_uri TEXT,
  metadata_json TEXT NOT NULL,
  metadata_version TEXT,
  registered_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS onboarding_runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  interaction_id TEXT NOT NULL,
  started_at TEXT NOT NULL,
  result_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS connections (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  profile TEXT NOT NULL,
  client_auth TEXT NOT NULL,
  client_id TEXT,
  interaction_id TEXT NOT NULL,
  status TEXT NOT NULL,
  consent_id TEXT,
  dpop_private_jwk TEXT,
  error_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS connections_by_session ON connections (session_id, created_at);
CREATE TABLE IF NOT EXISTS tokens (
  connection_id TEXT NOT NULL,
  grant_name TEXT NOT NULL,
  access_token TEXT NOT NULL,
  refresh_token TEXT,
  token_type TEXT NOT NULL,
  scope TEXT,
  expires_at INTEGER,
  issued_at INTEGER NOT NULL,
  PRIMARY KEY (connection_id, grant_name)
);
CREATE TABLE IF NOT EXISTS authorizations (
  state TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL,
  session_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  payment_id TEXT,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  consent_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE TABLE IF NOT EXISTS payments (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL,
  status TEXT NOT NULL,
  request_json TEXT NOT NULL,
  consent_id TEXT,
  idempotency_key TEXT NOT NULL,
  domestic_payment_id TEXT,
  bank_status TEXT,
  error_json TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS backchannel_requests (
  connection_id TEXT PRIMARY KEY,
  auth_req_id TEXT NOT NULL UNIQUE,
  login_hint TEXT NOT NULL,
  binding_message TEXT NOT NULL,
  notification_token TEXT,
  interval_seconds INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  pinged_at INTEGER,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS trace_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  event_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS trace_events_by_scope ON trace_events (scope, seq);
`;

/** Opens (and creates) `<dataDir>/tpp/tpp.sqlite` in WAL mode. */
export function openDatabase(dataDir: string): Db {
  const dir = path.join(dataDir, 'tpp');
  fs.mkdirSync(dir, { recursive: true });
  const db = new Database(path.join(dir, 'tpp.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.exec(SCHEMA);
  addMissingColumns(db);
  return db;
}

/** Columns added after the first release: a store written by an older TPP gets them (NULL in old rows). */
const ADDED_COLUMNS: { table: string; column: string; definition: string }[] = [
  { table: 'registrations', column: 'metadata_version', definition: 'TEXT' },
  { table: 'connections', column: 'shared_accounts_json', definition: 'TEXT' },
  { table: 'connections', column: 'request_object_encryption', definition: 'TEXT' },
  { table: 'connections', column: 'id_token_encryption', definition: 'TEXT' },
  { table: 'registrations', column: 'id_token_encryption', definition: 'TEXT' },
  { table: 'connections', column: 'jarm_encryption', definition: 'TEXT' },
  { table: 'registrations', column: 'jarm_encryption', definition: 'TEXT' },
  { table: 'registrations', column: 'ciba_mode', definition: 'TEXT' },
  { table: 'connections', column: 'ciba_mode', definition: 'TEXT' },
  { table: 'connections', column: 'authorization_details_json', definition: 'TEXT' },
];

function addMissingColumns(db: Db): void {
  for (const { table, column, definition } of ADDED_COLUMNS) {
    const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
    if (!columns.some((c) => c.name === column))
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }
}
