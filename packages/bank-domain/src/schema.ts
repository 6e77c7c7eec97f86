// The bank's SQLite schema. Created on first open inside an IMMEDIATE transaction, so the two
// processes that share the file (bank-op and bank-api) cannot both create or seed it.

export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS customers (
  customer_id   TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  password_hash TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS accounts (
  account_id            TEXT PRIMARY KEY,
  customer_id           TEXT NOT NULL REFERENCES customers(customer_id),
  currency              TEXT NOT NULL,
  account_type          TEXT NOT NULL,
  account_sub_type      TEXT NOT NULL,
  nickname              TEXT NOT NULL,
  opening_date          TEXT NOT NULL,
  scheme_name           TEXT NOT NULL,
  identification        TEXT NOT NULL UNIQUE,
  name                  TEXT NOT NULL,
  opening_balance_minor INTEGER NOT NULL,
  overdraft_limit_minor INTEGER NOT NULL DEFAULT 0,
  position              INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS transactions (
  seq                    INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id         TEXT NOT NULL UNIQUE,
  account_id             TEXT NOT NULL REFERENCES accounts(account_id),
  transaction_reference  TEXT,
  amount_minor           INTEGER NOT NULL CHECK (amount_minor > 0),
  currency               TEXT NOT NULL,
  credit_debit           TEXT NOT NULL CHECK (credit_debit IN ('Credit', 'Debit')),
  booking_date_time      TEXT NOT NULL,
  value_date_time        TEXT NOT NULL,
  information            TEXT NOT NULL,
  bank_code              TEXT NOT NULL,
  bank_sub_code          TEXT NOT NULL,
  merchant_name          TEXT,
  merchant_category_code TEXT,
  balance_after_minor    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transactions_by_account_date ON transactions (account_id, booking_date_time, seq);

CREATE TABLE IF NOT EXISTS consents (
  consent_id                 TEXT PRIMARY KEY,
  kind                       TEXT NOT NULL CHECK (kind IN ('account-access', 'domestic-payment')),
  client_id                  TEXT NOT NULL,
  status                     TEXT NOT NULL,
  creation_date_time         TEXT NOT NULL,
  status_update_date_time    TEXT NOT NULL,
  permissions                TEXT,
  expiration_date_time       TEXT,
  transaction_from_date_time TEXT,
  transaction_to_date_time   TEXT,
  initiation                 TEXT,
  risk                       TEXT,
  customer_id                TEXT REFERENCES customers(customer_id),
  account_ids                TEXT,
  revoked_by                 TEXT
);

CREATE TABLE IF NOT EXISTS domestic_payments (
  domestic_payment_id     TEXT PRIMARY KEY,
  -- A payment consent is single use: a second payment on it is impossible, even under a race.
  consent_id              TEXT NOT NULL UNIQUE REFERENCES consents(consent_id),
  client_id               TEXT NOT NULL,
  status                  TEXT NOT NULL,
  creation_date_time      TEXT NOT NULL,
  status_update_date_time TEXT NOT NULL,
  initiation              TEXT NOT NULL,
  debtor_account_id       TEXT NOT NULL REFERENCES accounts(account_id),
  transaction_id          TEXT NOT NULL REFERENCES transactions(transaction_id)
);

CREATE TABLE IF NOT EXISTS idempotency_records (
  client_id       TEXT NOT NULL,
  operation       TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_hash    TEXT NOT NULL,
  response_status INTEGER NOT NULL,
  response_body   TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  -- One record per (client, operation, key): a concurrent retry cannot insert a second.
  UNIQUE (client_id, operation, idempotency_key)
);

-- Revoked grants and access tokens (token-revocations.ts): written by bank-op, read by bank-api.
CREATE TABLE IF NOT EXISTS token_revocations (
  kind       TEXT NOT NULL CHECK (kind IN ('grant', 'access-token')),
  id         TEXT NOT NULL,
  reason     TEXT NOT NULL,
  revoked_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (kind, id)
);
`;
