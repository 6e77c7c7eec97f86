// Connections (one learner's link to the bank under one profile), their tokens, the authorization
// requests in flight and the payments made through them. Rows only; the rules live in connect/*.

import type { AccountInformationDetail, CibaDeliveryMode } from '@fapi-sandbox/fapi-client';
import { isKeyManagementAlg, type KeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { JWK } from 'jose';
import { type ClientAuthMethod, isCibaMode, type ProfileId } from '../connect/profiles.js';
import type {
  AccountView,
  ApiError,
  ConnectionStatus,
  PaymentRequest,
  PaymentStatus,
} from '../shared/api.js';
import type { Db } from './database.js';

export interface Connection {
  id: string;
  sessionId: string;
  profile: ProfileId;
  clientAuth: ClientAuthMethod;
  clientId?: string;
  /** The one x-fapi-interaction-id of every back-channel call of this connection. */
  interactionId: string;
  status: ConnectionStatus;
  consentId?: string;
  /** The DPoP private key (RFC 9449), for the DPoP profile only. */
  dpopPrivateJwk?: JWK;
  /** RFC 9101 §6.1: request objects signed, then encrypted to the bank's key with this algorithm. */
  requestObjectEncryption?: KeyManagementAlg;
  /** OIDC Core §10.2: ID tokens signed by the bank, then encrypted to Moneywise's key with this algorithm. */
  idTokenEncryption?: KeyManagementAlg;
  /** JARM §2.2: authorization responses signed by the bank, then encrypted to Moneywise with this algorithm. */
  jarmEncryption?: KeyManagementAlg;
  /** FAPI-CIBA: a decoupled connection, its tokens delivered by poll or ping (no redirect). */
  ciba?: CibaDeliveryMode;
  /**
   * RFC 9396: account access asked for by authorization_details instead of an intent: the detail as
   * pushed until the customer approves, then as the bank granted it (§7, with the accounts chosen).
   */
  authorizationDetails?: AccountInformationDetail[];
  error?: ApiError;
  /** The accounts the bank answered with when Moneywise last read them: the ones the customer shared. */
  sharedAccounts?: AccountView[];
  createdAt: string;
  updatedAt: string;
}

/** 'client_credentials:accounts', 'client_credentials:payments', 'accounts', or `payment:<id>`. */
export type GrantName = string;

export interface StoredToken {
  connectionId: string;
  grant: GrantName;
  accessToken: string;
  refreshToken?: string;
  tokenType: string;
  scope?: string;
  /** Epoch seconds. */
  expiresAt?: number;
  issuedAt: number;
}

export interface PendingAuthorization {
  state: string;
  connectionId: string;
  sessionId: string;
  purpose: 'accounts' | 'payment';
  paymentId?: string;
  nonce: string;
  codeVerifier: string;
  /** The UK OB intent; absent for a rich authorization request (RFC 9396), which names none. */
  consentId?: string;
  createdAt: number;
  completedAt?: number;
}

export interface Payment {
  id: string;
  connectionId: string;
  status: PaymentStatus;
  request: PaymentRequest;
  consentId?: string;
  idempotencyKey: string;
  domesticPaymentId?: string;
  bankStatus?: string;
  error?: ApiError;
  createdAt: string;
  updatedAt: string;
}

const json = <T>(text: string | null): T | undefined => (text ? (JSON.parse(text) as T) : undefined);
const detailsJson = (details: AccountInformationDetail[] | undefined) =>
  details ? JSON.stringify(details) : null;
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

export interface ConnectionStore {
  create(connection: Connection): void;
  get(id: string): Connection | undefined;
  listForSession(sessionId: string): Connection[];
  saveSharedAccounts(id: string, accounts: AccountView[]): void;
  /** Forgets the connection and all it holds: tokens, pending authorizations, payments. */
  remove(id: string): void;
  update(
    id: string,
    changes: Partial<
      Pick<Connection, 'status' | 'consentId' | 'clientId' | 'error' | 'authorizationDetails'>
    >,
  ): Connection;

  saveToken(token: StoredToken): void;
  token(connectionId: string, grant: GrantName): StoredToken | undefined;
  tokens(connectionId: string): StoredToken[];
  deleteTokens(connectionId: string): void;

  saveAuthorization(authorization: PendingAuthorization): void;
  authorization(state: string): PendingAuthorization | undefined;
  /** Marks it used; false when it already was (a replayed callback). */
  completeAuthorization(state: string): boolean;

  createPayment(payment: Payment): void;
  payment(id: string): Payment | undefined;
  payments(connectionId: string): Payment[];
  updatePayment(
    id: string,
    changes: Partial<Pick<Payment, 'status' | 'consentId' | 'domesticPaymentId' | 'bankStatus' | 'error'>>,
  ): Payment;
}

interface ConnectionRow {
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

function connectionFrom(row: ConnectionRow): Connection {
  return {
    id: row.id,
    sessionId: row.session_id,
    profile: row.profile as ProfileId,
    clientAuth: row.client_auth as ClientAuthMethod,
    clientId: row.client_id ?? undefined,
    interactionId: row.interaction_id,
    status: row.status as ConnectionStatus,
    consentId: row.consent_id ?? undefined,
    dpopPrivateJwk: json<JWK>(row.dpop_private_jwk),
    ...(isKeyManagementAlg(row.request_object_encryption)
      ? { requestObjectEncryption: row.request_object_encryption }
      : {}),
    ...(isKeyManagementAlg(row.id_token_encryption) ? { idTokenEncryption: row.id_token_encryption } : {}),
    ...(isKeyManagementAlg(row.jarm_encryption) ? { jarmEncryption: row.jarm_encryption } : {}),
    ...(isCibaMode(row.ciba_mode) ? { ciba: row.ciba_mode } : {}),
    ...(row.authorization_details_json
      ? { authorizationDetails: json<AccountInformationDetail[]>(row.authorization_details_json) }
      : {}),
    error: json<ApiError>(row.error_json),
    sharedAccounts: json<AccountView[]>(row.shared_accounts_json),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface TokenRow {
  connection_id: string;
  grant_name: string;
  access_token: string;
  refresh_token: string | null;
  token_type: string;
  scope: string | null;
  expires_at: number | null;
  issued_at: number;
}

function tokenFrom(row: TokenRow): StoredToken {
  return {
    connectionId: row.connection_id,
    grant: row.grant_name,
    accessToken: row.access_token,
    refreshToken: row.refresh_token ?? undefined,
    tokenType: row.token_type,
    scope: row.scope ?? undefined,
    expiresAt: row.expires_at ?? undefined,
    issuedAt: row.issued_at,
  };
}

interface AuthorizationRow {
  state: string;
  connection_id: string;
  session_id: string;
  purpose: string;
  payment_id: string | null;
  nonce: string;
  code_verifier: string;
  consent_id: string;
  created_at: number;
  completed_at: number | null;
}

interface PaymentRow {
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

function paymentFrom(row: PaymentRow): Payment {
  return {
    id: row.id,
    connectionId: row.connection_id,
    status: row.status as PaymentStatus,
    request: JSON.parse(row.request_json) as PaymentRequest,
    consentId: row.consent_id ?? undefined,
    idempotencyKey: row.idempotency_key,
    domesticPaymentId: row.domestic_payment_id ?? undefined,
    bankStatus: row.bank_status ?? undefined,
    error: json<ApiError>(row.error_json),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function createConnectionStore(db: Db): ConnectionStore {
  const q = {
    insertConnection: db.prepare(`INSERT INTO connections
      (id, session_id, profile, client_auth, client_id, interaction_id, status, consent_id, dpop_private_jwk, error_json, created_at, updated_at, request_object_encryption, id_token_encryption, jarm_encryption, ciba_mode, authorization_details_json)
      VALUES (@id, @sessionId, @profile, @clientAuth, @clientId, @interactionId, @status, @consentId, @dpop, @error, @createdAt, @updatedAt, @requestObjectEncryption, @idTokenEncryption, @jarmEncryption, @ciba, @authorizationDetails)`),
    getConnection: db.prepare('SELECT * FROM connections WHERE id = ?'),
    listConnections: db.prepare('SELECT * FROM connections WHERE session_id = ? ORDER BY created_at DESC'),
    updateConnection:
      db.prepare(`UPDATE connections SET status = @status, consent_id = @consentId, client_id = @clientId,
      error_json = @error, authorization_details_json = @authorizationDetails, updated_at = @updatedAt WHERE id = @id`),
    upsertToken: db.prepare(`INSERT INTO tokens
      (connection_id, grant_name, access_token, refresh_token, token_type, scope, expires_at, issued_at)
      VALUES (@connectionId, @grant, @accessToken, @refreshToken, @tokenType, @scope, @expiresAt, @issuedAt)
      ON CONFLICT (connection_id, grant_name) DO UPDATE SET access_token = excluded.access_token,
        refresh_token = excluded.refresh_token, token_type = excluded.token_type, scope = excluded.scope,
        expires_at = excluded.expires_at, issued_at = excluded.issued_at`),
    getToken: db.prepare('SELECT * FROM tokens WHERE connection_id = ? AND grant_name = ?'),
    listTokens: db.prepare('SELECT * FROM tokens WHERE connection_id = ?'),
    deleteTokens: db.prepare('DELETE FROM tokens WHERE connection_id = ?'),
    deleteAuthorizations: db.prepare('DELETE FROM authorizations WHERE connection_id = ?'),
    deletePayments: db.prepare('DELETE FROM payments WHERE connection_id = ?'),
    deleteBackchannelRequests: db.prepare('DELETE FROM backchannel_requests WHERE connection_id = ?'),
    deleteConnection: db.prepare('DELETE FROM connections WHERE id = ?'),
    saveSharedAccounts: db.prepare('UPDATE connections SET shared_accounts_json = ? WHERE id = ?'),
    insertAuthorization: db.prepare(`INSERT INTO authorizations
      (state, connection_id, session_id, purpose, payment_id, nonce, code_verifier, consent_id, created_at, completed_at)
      VALUES (@state, @connectionId, @sessionId, @purpose, @paymentId, @nonce, @codeVerifier, @consentId, @createdAt, NULL)`),
    getAuthorization: db.prepare('SELECT * FROM authorizations WHERE state = ?'),
    completeAuthorization: db.prepare(
      'UPDATE authorizations SET completed_at = ? WHERE state = ? AND completed_at IS NULL',
    ),
    insertPayment: db.prepare(`INSERT INTO payments
      (id, connection_id, status, request_json, consent_id, idempotency_key, domestic_payment_id, bank_status, error_json, created_at, updated_at)
      VALUES (@id, @connectionId, @status, @request, @consentId, @idempotencyKey, @domesticPaymentId, @bankStatus, @error, @createdAt, @updatedAt)`),
    getPayment: db.prepare('SELECT * FROM payments WHERE id = ?'),
    listPayments: db.prepare('SELECT * FROM payments WHERE connection_id = ? ORDER BY created_at DESC'),
    updatePayment:
      db.prepare(`UPDATE payments SET status = @status, consent_id = @consentId, domestic_payment_id = @domesticPaymentId,
      bank_status = @bankStatus, error_json = @error, updated_at = @updatedAt WHERE id = @id`),
  };

  const get = (id: string) => {
    const row = q.getConnection.get(id) as ConnectionRow | undefined;
    return row ? connectionFrom(row) : undefined;
  };
  const payment = (id: string) => {
    const row = q.getPayment.get(id) as PaymentRow | undefined;
    return row ? paymentFrom(row) : undefined;
  };

  return {
    create(connection) {
      q.insertConnection.run({
        ...connection,
        clientId: orNull(connection.clientId),
        consentId: orNull(connection.consentId),
        dpop: connection.dpopPrivateJwk ? JSON.stringify(connection.dpopPrivateJwk) : null,
        error: connection.error ? JSON.stringify(connection.error) : null,
        requestObjectEncryption: orNull(connection.requestObjectEncryption),
        idTokenEncryption: orNull(connection.idTokenEncryption),
        jarmEncryption: orNull(connection.jarmEncryption),
        ciba: orNull(connection.ciba),
        authorizationDetails: detailsJson(connection.authorizationDetails),
      });
    },
    get,
    listForSession: (sessionId) => (q.listConnections.all(sessionId) as ConnectionRow[]).map(connectionFrom),
    update(id, changes) {
      const current = get(id);
      if (!current) throw new Error(`connection ${id} does not exist`);
      const next = { ...current, ...changes, updatedAt: new Date().toISOString() };
      q.updateConnection.run({
        id,
        status: next.status,
        consentId: orNull(next.consentId),
        clientId: orNull(next.clientId),
        error: next.error ? JSON.stringify(next.error) : null,
        authorizationDetails: detailsJson(next.authorizationDetails),
        updatedAt: next.updatedAt,
      });
      return next;
    },

    saveToken(token) {
      q.upsertToken.run({
        ...token,
        refreshToken: orNull(token.refreshToken),
        scope: orNull(token.scope),
        expiresAt: orNull(token.expiresAt),
      });
    },
    token(connectionId, grant) {
      const row = q.getToken.get(connectionId, grant) as TokenRow | undefined;
      return row ? tokenFrom(row) : undefined;
    },
    tokens: (connectionId) => (q.listTokens.all(connectionId) as TokenRow[]).map(tokenFrom),
    deleteTokens(connectionId) {
      q.deleteTokens.run(connectionId);
    },
    saveSharedAccounts(id, accounts) {
      q.saveSharedAccounts.run(JSON.stringify(accounts), id);
    },
    remove: db.transaction((id: string) => {
      for (const statement of [
        q.deleteTokens,
        q.deleteAuthorizations,
        q.deletePayments,
        q.deleteBackchannelRequests,
        q.deleteConnection,
      ])
        statement.run(id);
    }),

    saveAuthorization(authorization) {
      q.insertAuthorization.run({
        ...authorization,
        paymentId: orNull(authorization.paymentId),
        // The column is NOT NULL since the first schema: '' stands for no intent.
        consentId: authorization.consentId ?? '',
      });
    },
    authorization(state) {
      const row = q.getAuthorization.get(state) as AuthorizationRow | undefined;
      if (!row) return undefined;
      return {
        state: row.state,
        connectionId: row.connection_id,
        sessionId: row.session_id,
        purpose: row.purpose as PendingAuthorization['purpose'],
        paymentId: row.payment_id ?? undefined,
        nonce: row.nonce,
        codeVerifier: row.code_verifier,
        ...(row.consent_id ? { consentId: row.consent_id } : {}),
        createdAt: row.created_at,
        completedAt: row.completed_at ?? undefined,
      };
    },
    completeAuthorization: (state) => q.completeAuthorization.run(Date.now(), state).changes === 1,

    createPayment(p) {
      q.insertPayment.run({
        ...p,
        request: JSON.stringify(p.request),
        consentId: orNull(p.consentId),
        domesticPaymentId: orNull(p.domesticPaymentId),
        bankStatus: orNull(p.bankStatus),
        error: p.error ? JSON.stringify(p.error) : null,
      });
    },
    payment,
    payments: (connectionId) => (q.listPayments.all(connectionId) as PaymentRow[]).map(paymentFrom),
    updatePayment(id, changes) {
      const current = payment(id);
      if (!current) throw new Error(`payment ${id} does not exist`);
      const next = { ...current, ...changes, updatedAt: new Date().toISOString() };
      q.updatePayment.run({
        id,
        status: next.status,
        consentId: orNull(next.consentId),
        domesticPaymentId: orNull(next.domesticPaymentId),
        bankStatus: orNull(next.bankStatus),
        error: next.error ? JSON.stringify(next.error) : null,
        updatedAt: next.updatedAt,
      });
      return next;
    },
  };
}
