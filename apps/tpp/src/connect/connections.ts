// A learner's connection to the bank, start to finish: consent, pushed authorization request, redirect,
// callback checks, code exchange, API calls with the bound token (refreshed when it expires), payments,
// and disconnecting. One x-fapi-interaction-id per connection ties every message together in the trace.
import { randomUUID } from 'node:crypto';
import type { SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import type { Dispatcher } from 'undici';
import type { ApiContext, BankApiClient, ObDomesticInitiation, TokenSource } from '../bank-api/client.js';
import type { PartyClient } from '../http/party-client.js';
import { PartyError } from '../http/party-error.js';
import type { Onboarding } from '../onboarding/onboarding.js';
import type { ApiError, ConnectionView, PaymentRequest, PaymentView } from '../shared/api.js';
import type { Connection, ConnectionStore, Payment, StoredToken } from '../store/connections.js';
import { STEPS } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import { pushAuthorizationRequest } from './authorization-request.js';
import {
  AuthorizationResponseRejected,
  stateOf,
  verifyAuthorizationResponse,
} from './authorization-response.js';
import { type BoundClient, createBoundClient, DpopNonces, newDpopPrivateJwk } from './bound-client.js';
import { verifyIdToken } from './id-token.js';
import { type ClientAuthMethod, PROFILES, type ProfileId } from './profiles.js';
import { storedToken, type TokenEndpoint, UnknownClientError } from './token-endpoint.js';

export interface Customer {
  sessionId: string;
  /** When the session started: x-fapi-auth-date. */
  authDate?: Date;
  ip?: string;
}

export interface CallbackOutcome {
  connectionId?: string;
  paymentId?: string;
  error?: ApiError;
}

export interface DisconnectOutcome {
  connection: ConnectionView;
  /** The status the API answered the old access token with after disconnecting (401/403 expected). */
  oldTokenStatus?: number;
  /** The API's error_description for the old token: which check refused it, and why. */
  oldTokenRefusal?: string;
}

export interface ConnectionService {
  start(input: {
    customer: Customer;
    profile: ProfileId;
    clientAuth: ClientAuthMethod;
  }): Promise<{ connection: ConnectionView; authorizationUrl: string }>;
  complete(input: {
    sessionId: string | undefined;
    params: Record<string, string>;
    url: string;
  }): Promise<CallbackOutcome>;
  view(connection: Connection): ConnectionView;
  accounts(connection: Connection, customer: Customer): ReturnType<BankApiClient['accounts']>;
  balances(
    connection: Connection,
    accountId: string,
    customer: Customer,
  ): ReturnType<BankApiClient['balances']>;
  transactions(
    connection: Connection,
    accountId: string,
    customer: Customer,
  ): ReturnType<BankApiClient['transactions']>;
  startPayment(
    connection: Connection,
    request: PaymentRequest,
    customer: Customer,
  ): Promise<{ payment: PaymentView; authorizationUrl: string }>;
  refreshPayment(connection: Connection, payment: Payment, customer: Customer): Promise<PaymentView>;
  disconnect(connection: Connection, customer: Customer): Promise<DisconnectOutcome>;
}

/** Grants a connection holds tokens for. */
const ACCOUNTS = 'accounts';
const clientCredentials = (scope: 'accounts' | 'payments') => `client_credentials:${scope}`;
const paymentGrant = (paymentId: string) => `payment:${paymentId}`;

/** A token this close to expiry is refreshed before use rather than sent to be refused. */
const EXPIRY_MARGIN_SECONDS = 5;

function toApiError(err: unknown): ApiError {
  if (err instanceof PartyError) return err.toJSON();
  if (err instanceof Error && typeof (err as { toJSON?: unknown }).toJSON === 'function') {
    return (err as unknown as { toJSON(): ApiError }).toJSON();
  }
  return { error: 'server_error', error_description: err instanceof Error ? err.message : String(err) };
}

function paymentView(payment: Payment): PaymentView {
  return {
    id: payment.id,
    status: payment.status,
    request: payment.request,
    consentId: payment.consentId,
    domesticPaymentId: payment.domesticPaymentId,
    bankStatus: payment.bankStatus,
    error: payment.error,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}

/** UK OB OBDomestic2 initiation of a payment request (identifiers at most 35 characters). */
export function initiationFor(request: PaymentRequest, paymentId: string): ObDomesticInitiation {
  const short = paymentId.replace(/-/g, '').slice(0, 16);
  return {
    InstructionIdentification: `MW-${short}`,
    EndToEndIdentification: `MW-E2E-${short}`,
    InstructedAmount: { Amount: request.amount, Currency: 'GBP' },
    CreditorAccount: {
      SchemeName: 'UK.OBIE.SortCodeAccountNumber',
      Identification: `${request.sortCode.replace(/\D/g, '')}${request.accountNumber}`,
      Name: request.payeeName,
    },
    RemittanceInformation: { Reference: request.reference },
  };
}

export function createConnectionService(deps: {
  store: ConnectionStore;
  onboarding: Onboarding;
  tokens: TokenEndpoint;
  bankApi: BankApiClient;
  party: PartyClient;
  trace: TraceLog;
  signingKeys: SigningKeySet;
  transportAgent: Dispatcher;
  webAgent: Dispatcher;
  transportThumbprint: string;
  redirectUri: string;
  /** The TPP's clock (ms since the epoch): when tokens expire, how old an authorization is. */
  now: () => number;
}): ConnectionService {
  const { store, onboarding, trace, now } = deps;
  const nonces = new DpopNonces();

  async function clientFor(connection: Connection, clientId = connection.clientId): Promise<BoundClient> {
    if (!clientId) throw new Error(`connection ${connection.id} has no client_id`);
    const bank = await onboarding.bank({
      interactionId: connection.interactionId,
      connectionId: connection.id,
    });
    return createBoundClient({
      clientId,
      profile: PROFILES[connection.profile],
      clientAuth: connection.clientAuth,
      bank,
      signingKeys: deps.signingKeys,
      transportAgent: deps.transportAgent,
      webAgent: deps.webAgent,
      transportThumbprint: deps.transportThumbprint,
      dpopPrivateJwk: connection.dpopPrivateJwk,
      nonces,
    });
  }

  const context = (connection: Connection) => ({
    interactionId: connection.interactionId,
    connectionId: connection.id,
  });
  const apiContext = (connection: Connection, customer: Customer): ApiContext => ({
    ...context(connection),
    customerAuthDate: customer.authDate,
    customerIp: customer.ip,
  });

  /** A client-credentials token for creating or deleting consents (cached until it expires). */
  async function clientCredentialsToken(
    connection: Connection,
    client: BoundClient,
    scope: 'accounts' | 'payments',
  ): Promise<TokenSource> {
    const grant = clientCredentials(scope);
    const obtain = async () => {
      const response = await deps.tokens.request(
        client,
        'token-client-credentials',
        { grant_type: 'client_credentials', scope },
        context(connection),
      );
      const token = storedToken(connection.id, grant, response, now());
      store.saveToken(token);
      return token.accessToken;
    };
    return {
      async current() {
        const cached = store.token(connection.id, grant);
        if (cached && (cached.expiresAt ?? 0) > now() / 1000 + EXPIRY_MARGIN_SECONDS)
          return cached.accessToken;
        return obtain();
      },
      refresh: obtain,
    };
  }

  /**
   * RFC 6749 §5.2 invalid_grant on a refresh: the bank no longer honours the grant (its consent was
   * withdrawn or expired, or the grant was revoked). The connection has ended: its status says so, its
   * error carries the bank's reason and fix, and its tokens are dropped; reconnecting starts afresh.
   */
  function endConnection(connection: Connection, refusal: PartyError): void {
    store.deleteTokens(connection.id);
    store.update(connection.id, { status: 'ended', error: toApiError(refusal) });
  }

  /** The customer's token for a grant, refreshed with its refresh token when it has expired (RFC 6749 §6). */
  function customerToken(connection: Connection, client: BoundClient, grant: string): TokenSource {
    const refresh = async (): Promise<string | undefined> => {
      const current = store.token(connection.id, grant);
      if (!current?.refreshToken) return undefined;
      let response: Awaited<ReturnType<TokenEndpoint['request']>>;
      try {
        response = await deps.tokens.request(
          client,
          'refresh',
          { grant_type: 'refresh_token', refresh_token: current.refreshToken },
          context(connection),
        );
      } catch (err) {
        if (grant === ACCOUNTS && err instanceof PartyError && err.error === 'invalid_grant') {
          endConnection(connection, err);
        }
        throw err;
      }
      const token = storedToken(connection.id, grant, response, now(), current);
      store.saveToken(token);
      return token.accessToken;
    };
    return {
      async current() {
        const token = store.token(connection.id, grant);
        if (!token) {
          throw new PartyError({
            party: 'tpp',
            step: 'Use the connection',
            upstreamStatus: 0,
            error: 'not_connected',
            description: 'This connection holds no access token (it was disconnected or never authorised)',
            fix: 'connect to the bank again',
          });
        }
        if (token.expiresAt !== undefined && token.expiresAt <= now() / 1000 + EXPIRY_MARGIN_SECONDS) {
          return (await refresh()) ?? token.accessToken;
        }
        return token.accessToken;
      },
      refresh,
    };
  }

  function recordFrontChannel(
    connection: Connection,
    input: {
      title: string;
      explanation: string;
      clause: string;
      url: string;
      inbound: boolean;
      checks?: CheckResult[];
    },
  ) {
    // The recorder redacts the code or JARM response in the URL and decodes its JWTs.
    trace.record({
      ...context(connection),
      party: 'tpp',
      direction: input.inbound ? 'inbound' : 'outbound',
      channel: 'front',
      step: input.title,
      explanation: input.explanation,
      clause: input.clause,
      method: 'GET',
      url: input.url,
      checks: input.checks,
    });
  }

  async function authorize(
    connection: Connection,
    client: BoundClient,
    input: {
      scope: 'openid accounts' | 'openid payments';
      consentId: string;
      purpose: 'accounts' | 'payment';
      paymentId?: string;
      sessionId: string;
    },
  ): Promise<string> {
    const pushed = await pushAuthorizationRequest({
      party: deps.party,
      client,
      redirectUri: deps.redirectUri,
      scope: input.scope,
      consentId: input.consentId,
      ...context(connection),
    });
    store.saveAuthorization({
      state: pushed.state,
      connectionId: connection.id,
      sessionId: input.sessionId,
      purpose: input.purpose,
      paymentId: input.paymentId,
      nonce: pushed.nonce,
      codeVerifier: pushed.codeVerifier,
      consentId: input.consentId,
      createdAt: now(),
    });
    recordFrontChannel(connection, {
      ...STEPS['authorize-redirect'],
      url: pushed.authorizationUrl,
      inbound: false,
    });
    return pushed.authorizationUrl;
  }

  /** Runs `work` with the connection's client; if the bank says invalid_client, registers again once. */
  async function withRegisteredClient<T>(
    connection: Connection,
    work: (client: BoundClient) => Promise<T>,
  ): Promise<{ result: T; connection: Connection }> {
    try {
      return { result: await work(await clientFor(connection)), connection };
    } catch (err) {
      if (!(err instanceof UnknownClientError)) throw err;
      const registration = await onboarding.reregister(
        connection.profile,
        connection.clientAuth,
        context(connection),
      );
      const updated = store.update(connection.id, { clientId: registration.clientId });
      return { result: await work(await clientFor(updated)), connection: updated };
    }
  }

  function view(connection: Connection): ConnectionView {
    const token = store.token(connection.id, ACCOUNTS);
    return {
      id: connection.id,
      profile: connection.profile,
      profileTitle: PROFILES[connection.profile].title,
      clientAuth: connection.clientAuth,
      clientId: connection.clientId,
      interactionId: connection.interactionId,
      status: connection.status,
      consentId: connection.consentId,
      createdAt: connection.createdAt,
      updatedAt: connection.updatedAt,
      error: connection.error,
      accessTokenExpiresAt: token?.expiresAt ? new Date(token.expiresAt * 1000).toISOString() : undefined,
      payments: store.payments(connection.id).map(paymentView),
    };
  }

  async function completePayment(
    connection: Connection,
    client: BoundClient,
    payment: Payment,
    customer: Customer,
  ): Promise<void> {
    const tokens = customerToken(connection, client, paymentGrant(payment.id));
    const initiation = initiationFor(payment.request, payment.id);
    const submitted = await deps.bankApi.submitPayment(
      client,
      tokens,
      { consentId: payment.consentId!, initiation, idempotencyKey: payment.idempotencyKey },
      apiContext(connection, customer),
    );
    store.updatePayment(payment.id, {
      status: 'submitted',
      domesticPaymentId: submitted.domesticPaymentId,
      bankStatus: submitted.status,
    });
    // UK OB: reading a payment back is the TPP acting for itself, with a client-credentials token.
    const status = await deps.bankApi.paymentStatus(
      client,
      await clientCredentialsToken(connection, client, 'payments'),
      submitted.domesticPaymentId,
      apiContext(connection, customer),
    );
    store.updatePayment(payment.id, { bankStatus: status.status });
  }

  return {
    view,

    async start({ customer, profile, clientAuth }) {
      const now = new Date().toISOString();
      let connection: Connection = {
        id: randomUUID(),
        sessionId: customer.sessionId,
        profile,
        clientAuth,
        interactionId: randomUUID(),
        status: 'authorising',
        dpopPrivateJwk: PROFILES[profile].senderConstraint === 'dpop' ? await newDpopPrivateJwk() : undefined,
        createdAt: now,
        updatedAt: now,
      };
      store.create(connection);
      try {
        const registration = await onboarding.ensureRegistration(profile, clientAuth, context(connection));
        connection = store.update(connection.id, { clientId: registration.clientId });
        const outcome = await withRegisteredClient(connection, async (client) => {
          const ccToken = await clientCredentialsToken(connection, client, 'accounts');
          const consent = await deps.bankApi.createAccountAccessConsent(
            client,
            ccToken,
            apiContext(connection, customer),
          );
          store.update(connection.id, { consentId: consent.consentId });
          const authorizationUrl = await authorize(connection, client, {
            scope: 'openid accounts',
            consentId: consent.consentId,
            purpose: 'accounts',
            sessionId: customer.sessionId,
          });
          return authorizationUrl;
        });
        return { connection: view(store.get(connection.id)!), authorizationUrl: outcome.result };
      } catch (err) {
        store.update(connection.id, { status: 'failed', error: toApiError(err) });
        throw err;
      }
    },

    async complete({ sessionId, params, url }) {
      const state = stateOf(params);
      const pending = state ? store.authorization(state) : undefined;
      if (!pending) {
        return {
          error: {
            error: 'invalid_state',
            error_description:
              'This authorization response matches no request Moneywise made (unknown or missing state) and was discarded (RFC 6749 §10.12). Fix: start the connection again from the Connect page.',
          },
        };
      }
      let connection = store.get(pending.connectionId)!;
      recordFrontChannel(connection, { ...STEPS.callback, url, inbound: true });
      const payment = pending.paymentId ? store.payment(pending.paymentId) : undefined;
      const outcome: CallbackOutcome = { connectionId: connection.id, paymentId: payment?.id };
      const customer: Customer = { sessionId: pending.sessionId };
      const fail = (err: unknown) => {
        const error = toApiError(err);
        if (payment) store.updatePayment(payment.id, { status: 'failed', error });
        else connection = store.update(connection.id, { status: 'failed', error });
        return { ...outcome, error };
      };
      try {
        const client = await clientFor(connection);
        let verified: Awaited<ReturnType<typeof verifyAuthorizationResponse>>;
        try {
          verified = await verifyAuthorizationResponse({ params, pending, sessionId, client, now: now() });
          trace.recordChecks({ ...context(connection), step: 'response-checks', checks: verified.checks });
        } catch (err) {
          if (err instanceof AuthorizationResponseRejected)
            trace.recordChecks({ ...context(connection), step: 'response-checks', checks: err.checks });
          throw err;
        }
        // RFC 6749 §10.5: the response is used once, even if what follows fails.
        store.completeAuthorization(pending.state);
        const grant = payment ? paymentGrant(payment.id) : ACCOUNTS;
        const response = await deps.tokens.request(
          client,
          'token-code',
          {
            grant_type: 'authorization_code',
            code: verified.code,
            redirect_uri: deps.redirectUri,
            code_verifier: pending.codeVerifier,
          },
          context(connection),
        );
        const checks: CheckResult[] = [];
        try {
          await verifyIdToken({
            idToken: response.id_token,
            client,
            nonce: pending.nonce,
            consentId: pending.consentId,
            checks,
          });
        } finally {
          trace.recordChecks({ ...context(connection), step: 'id-token', checks });
        }
        store.saveToken(storedToken(connection.id, grant, response, now()));
        if (payment) {
          await completePayment(connection, client, payment, customer);
        } else {
          connection = store.update(connection.id, { status: 'active', error: undefined });
        }
        return outcome;
      } catch (err) {
        return fail(err);
      }
    },

    async accounts(connection, customer) {
      const client = await clientFor(connection);
      return deps.bankApi.accounts(
        client,
        customerToken(connection, client, ACCOUNTS),
        apiContext(connection, customer),
      );
    },

    async balances(connection, accountId, customer) {
      const client = await clientFor(connection);
      return deps.bankApi.balances(
        client,
        customerToken(connection, client, ACCOUNTS),
        accountId,
        apiContext(connection, customer),
      );
    },

    async transactions(connection, accountId, customer) {
      const client = await clientFor(connection);
      return deps.bankApi.transactions(
        client,
        customerToken(connection, client, ACCOUNTS),
        accountId,
        apiContext(connection, customer),
      );
    },

    async startPayment(connection, request, customer) {
      const now = new Date().toISOString();
      const payment: Payment = {
        id: randomUUID(),
        connectionId: connection.id,
        status: 'authorising',
        request,
        idempotencyKey: randomUUID(),
        createdAt: now,
        updatedAt: now,
      };
      store.createPayment(payment);
      try {
        const { result } = await withRegisteredClient(connection, async (client) => {
          const ccToken = await clientCredentialsToken(connection, client, 'payments');
          // The consent's own idempotency key: a retried consent POST cannot create a second consent.
          const consent = await deps.bankApi.createPaymentConsent(
            client,
            ccToken,
            initiationFor(request, payment.id),
            `consent-${payment.id}`.slice(0, 40),
            apiContext(connection, customer),
          );
          store.updatePayment(payment.id, { consentId: consent.consentId });
          return authorize(connection, client, {
            scope: 'openid payments',
            consentId: consent.consentId,
            purpose: 'payment',
            paymentId: payment.id,
            sessionId: customer.sessionId,
          });
        });
        return { payment: paymentView(store.payment(payment.id)!), authorizationUrl: result };
      } catch (err) {
        store.updatePayment(payment.id, { status: 'failed', error: toApiError(err) });
        throw err;
      }
    },

    async refreshPayment(connection, payment, customer) {
      if (!payment.domesticPaymentId) return paymentView(payment);
      const client = await clientFor(connection);
      const status = await deps.bankApi.paymentStatus(
        client,
        await clientCredentialsToken(connection, client, 'payments'),
        payment.domesticPaymentId,
        apiContext(connection, customer),
      );
      return paymentView(store.updatePayment(payment.id, { bankStatus: status.status }));
    },

    async disconnect(connection, customer) {
      const client = await clientFor(connection);
      const held: StoredToken[] = store.tokens(connection.id);
      const customerTokens = held.filter((token) => !token.grant.startsWith('client_credentials:'));
      const accountsToken = held.find((token) => token.grant === ACCOUNTS);
      // RFC 7009 §2.1: revoking the refresh token first also ends the access tokens issued with it.
      for (const token of customerTokens) {
        if (token.refreshToken)
          await deps.tokens.revoke(client, token.refreshToken, 'refresh_token', context(connection));
        await deps.tokens.revoke(client, token.accessToken, 'access_token', context(connection));
      }
      if (connection.consentId) {
        const ccToken = await clientCredentialsToken(connection, client, 'accounts');
        await deps.bankApi.deleteAccountAccessConsent(
          client,
          ccToken,
          connection.consentId,
          apiContext(connection, customer),
        );
      }
      store.deleteTokens(connection.id);
      const updated = store.update(connection.id, { status: 'disconnected', error: undefined });
      let oldTokenStatus: number | undefined;
      let oldTokenRefusal: string | undefined;
      if (accountsToken) {
        // Proof for the learner: the API must now refuse the token it accepted a moment ago.
        const response = await deps.bankApi.send(
          client,
          { current: async () => accountsToken.accessToken },
          { step: 'api-after-disconnect', method: 'GET', path: '/aisp/accounts' },
          apiContext(connection, customer),
        );
        oldTokenStatus = response.status;
        const refusal = (response.body as { error_description?: unknown } | undefined)?.error_description;
        if (typeof refusal === 'string') oldTokenRefusal = refusal;
      }
      return { connection: view(updated), oldTokenStatus, oldTokenRefusal };
    },
  };
}
