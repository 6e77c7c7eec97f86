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
import type { AuthorizationsTable, ConnectionsTable, Db, PaymentsTable, TokensTable } from './database.js';

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

/** A move of a connection's status, and the token writes that go with it (transition()). */
export interface StatusMove {
  /** The statuses it may move from: a connection's status moves once from each. */
  from: ConnectionStatus[];
  to: ConnectionStatus;
  /** Kept on the connection (undefined clears it). */
  error?: ApiError;
  /** Saved with the move: the grant's token that made the connection active. */
  saveToken?: StoredToken;
  /** Every token of the connection dropped with the move (it has ended or was disconnected). */
  dropTokens?: boolean;
}

export interface ConnectionStore {
  create(connection: Connection): Promise<void>;
  get(id: string): Promise<Connection | undefined>;
  listForSession(sessionId: string): Promise<Connection[]>;
  saveSharedAccounts(id: string, accounts: AccountView[]): Promise<void>;
  /** Forgets the connection and all it holds, in one transaction: tokens, authorizations, payments. */
  remove(id: string): Promise<void>;
  /** Changes what the connection holds, never its status (transition() moves that). */
  update(
    id: string,
    changes: Partial<Pick<Connection, 'consentId' | 'clientId' | 'authorizationDetails'>>,
  ): Promise<Connection>;
  /**
   * Moves the connection's status in one conditional write (only from `move.from`), in one transaction
   * with the token writes that go with it. Undefined when the connection was no longer in `from`:
   * another request, or another TPP process sharing the database, moved it first, and nothing was written.
   */
  transition(id: string, move: StatusMove): Promise<Connection | undefined>;

  saveToken(token: StoredToken): Promise<void>;
  token(connectionId: string, grant: GrantName): Promise<StoredToken | undefined>;
  tokens(connectionId: string): Promise<StoredToken[]>;

  saveAuthorization(authorization: PendingAuthorization): Promise<void>;
  authorization(state: string): Promise<PendingAuthorization | undefined>;
  /**
   * Marks it used in one conditional write; false when it already was (a replayed callback, or the same
   * callback reaching another TPP process first): only the caller that gets true may redeem its code.
   */
  completeAuthorization(state: string): Promise<boolean>;

  createPayment(payment: Payment): Promise<void>;
  payment(id: string): Promise<Payment | undefined>;
  payments(connectionId: string): Promise<Payment[]>;
  /** Changes what the payment holds, never its status (movePayment() moves that). */
  updatePayment(id: string, changes: Partial<Pick<Payment, 'consentId' | 'bankStatus'>>): Promise<Payment>;
  /**
   * Moves the payment's status in one conditional write, only from `move.from`: a payment is submitted
   * or fails once. Undefined when it was no longer in `from` (a replayed callback, another TPP process).
   */
  movePayment(id: string, move: PaymentMove): Promise<Payment | undefined>;
}

/** A move of a payment's status, with what the move records (movePayment()). */
export interface PaymentMove {
  from: PaymentStatus[];
  to: PaymentStatus;
  domesticPaymentId?: string;
  bankStatus?: string;
  error?: ApiError;
}

function connectionFrom(row: ConnectionsTable): Connection {
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

function tokenFrom(row: TokensTable): StoredToken {
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

function paymentFrom(row: PaymentsTable): Payment {
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

function authorizationFrom(row: AuthorizationsTable): PendingAuthorization {
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
}

const errorJson = (error: ApiError | undefined) => (error ? JSON.stringify(error) : null);

function tokenRow(token: StoredToken): TokensTable {
  return {
    connection_id: token.connectionId,
    grant_name: token.grant,
    access_token: token.accessToken,
    refresh_token: orNull(token.refreshToken),
    token_type: token.tokenType,
    scope: orNull(token.scope),
    expires_at: orNull(token.expiresAt),
    issued_at: token.issuedAt,
  };
}

/** One token per (connection, grant): a new one replaces the last. */
async function upsertToken(db: Db, token: StoredToken): Promise<void> {
  const { connection_id, grant_name, ...replaced } = tokenRow(token);
  await db
    .insertInto('tokens')
    .values(tokenRow(token))
    .onConflict((oc) => oc.columns(['connection_id', 'grant_name']).doUpdateSet(replaced))
    .execute();
}

export function createConnectionStore(db: Db): ConnectionStore {
  const get = async (id: string) => {
    const row = await db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? connectionFrom(row) : undefined;
  };
  const payment = async (id: string) => {
    const row = await db.selectFrom('payments').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? paymentFrom(row) : undefined;
  };

  return {
    async create(connection) {
      await db
        .insertInto('connections')
        .values({
          id: connection.id,
          session_id: connection.sessionId,
          profile: connection.profile,
          client_auth: connection.clientAuth,
          client_id: orNull(connection.clientId),
          interaction_id: connection.interactionId,
          status: connection.status,
          consent_id: orNull(connection.consentId),
          dpop_private_jwk: connection.dpopPrivateJwk ? JSON.stringify(connection.dpopPrivateJwk) : null,
          error_json: errorJson(connection.error),
          shared_accounts_json: connection.sharedAccounts ? JSON.stringify(connection.sharedAccounts) : null,
          request_object_encryption: orNull(connection.requestObjectEncryption),
          id_token_encryption: orNull(connection.idTokenEncryption),
          jarm_encryption: orNull(connection.jarmEncryption),
          ciba_mode: orNull(connection.ciba),
          authorization_details_json: detailsJson(connection.authorizationDetails),
          created_at: connection.createdAt,
          updated_at: connection.updatedAt,
        })
        .execute();
    },
    get,
    async listForSession(sessionId) {
      const rows = await db
        .selectFrom('connections')
        .selectAll()
        .where('session_id', '=', sessionId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(connectionFrom);
    },
    async update(id, changes) {
      // Only the columns named: a concurrent change of another column (a status move) is kept.
      const row = await db
        .updateTable('connections')
        .set({
          ...('consentId' in changes ? { consent_id: orNull(changes.consentId) } : {}),
          ...('clientId' in changes ? { client_id: orNull(changes.clientId) } : {}),
          ...('authorizationDetails' in changes
            ? { authorization_details_json: detailsJson(changes.authorizationDetails) }
            : {}),
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new Error(`connection ${id} does not exist`);
      return connectionFrom(row);
    },
    transition: (id, move) =>
      db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('connections')
          .set({ status: move.to, error_json: errorJson(move.error), updated_at: new Date().toISOString() })
          .where('id', '=', id)
          .where('status', 'in', move.from)
          .returningAll()
          .executeTakeFirst();
        if (!row) return undefined;
        if (move.dropTokens) await trx.deleteFrom('tokens').where('connection_id', '=', id).execute();
        if (move.saveToken) await upsertToken(trx, move.saveToken);
        return connectionFrom(row);
      }),

    saveToken: (token) => upsertToken(db, token),
    async token(connectionId, grant) {
      const row = await db
        .selectFrom('tokens')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('grant_name', '=', grant)
        .executeTakeFirst();
      return row ? tokenFrom(row) : undefined;
    },
    async tokens(connectionId) {
      const rows = await db
        .selectFrom('tokens')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .execute();
      return rows.map(tokenFrom);
    },
    async saveSharedAccounts(id, accounts) {
      await db
        .updateTable('connections')
        .set({ shared_accounts_json: JSON.stringify(accounts) })
        .where('id', '=', id)
        .execute();
    },
    remove: (id) =>
      db.transaction().execute(async (trx) => {
        for (const table of ['tokens', 'authorizations', 'payments', 'backchannel_requests'] as const)
          await trx.deleteFrom(table).where('connection_id', '=', id).execute();
        await trx.deleteFrom('connections').where('id', '=', id).execute();
      }),

    async saveAuthorization(authorization) {
      await db
        .insertInto('authorizations')
        .values({
          state: authorization.state,
          connection_id: authorization.connectionId,
          session_id: authorization.sessionId,
          purpose: authorization.purpose,
          payment_id: orNull(authorization.paymentId),
          nonce: authorization.nonce,
          code_verifier: authorization.codeVerifier,
          consent_id: authorization.consentId ?? '',
          created_at: authorization.createdAt,
          completed_at: null,
        })
        .execute();
    },
    async authorization(state) {
      const row = await db
        .selectFrom('authorizations')
        .selectAll()
        .where('state', '=', state)
        .executeTakeFirst();
      return row ? authorizationFrom(row) : undefined;
    },
    async completeAuthorization(state) {
      const result = await db
        .updateTable('authorizations')
        .set({ completed_at: Date.now() })
        .where('state', '=', state)
        .where('completed_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },

    async createPayment(p) {
      await db
        .insertInto('payments')
        .values({
          id: p.id,
          connection_id: p.connectionId,
          status: p.status,
          request_json: JSON.stringify(p.request),
          consent_id: orNull(p.consentId),
          idempotency_key: p.idempotencyKey,
          domestic_payment_id: orNull(p.domesticPaymentId),
          bank_status: orNull(p.bankStatus),
          error_json: errorJson(p.error),
          created_at: p.createdAt,
          updated_at: p.updatedAt,
        })
        .execute();
    },
    payment,
    async payments(connectionId) {
      const rows = await db
        .selectFrom('payments')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .orderBy('created_at', 'desc')
        .execute();
      return rows.map(paymentFrom);
    },
    async updatePayment(id, changes) {
      const row = await db
        .updateTable('payments')
        .set({
          ...('consentId' in changes ? { consent_id: orNull(changes.consentId) } : {}),
          ...('bankStatus' in changes ? { bank_status: orNull(changes.bankStatus) } : {}),
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new Error(`payment ${id} does not exist`);
      return paymentFrom(row);
    },
    async movePayment(id, move) {
      const row = await db
        .updateTable('payments')
        .set({
          status: move.to,
          ...(move.domesticPaymentId ? { domestic_payment_id: move.domesticPaymentId } : {}),
          ...(move.bankStatus ? { bank_status: move.bankStatus } : {}),
          error_json: errorJson(move.error),
          updated_at: new Date().toISOString(),
        })
        .where('id', '=', id)
        .where('status', 'in', move.from)
        .returningAll()
        .executeTakeFirst();
      return row ? paymentFrom(row) : undefined;
    },
  };
}
