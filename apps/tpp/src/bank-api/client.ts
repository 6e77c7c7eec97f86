// A typed client of the bank's UK Open Banking v3.1 API (accounts and payments) as Moneywise calls it:
// the bound access token (DPoP proof or mTLS), the FAPI customer headers, an idempotency key on every
// payment POST, the DPoP nonce dance, and one refresh when the access token has expired.
import { bankApiCall, tokenRefused } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { AUTH_DATE_HEADER, CUSTOMER_IP_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import type { BoundClient } from '../connect/bound-client.js';
import { type PartyResponse, type TppEngine, tppStep } from '../connect/engine.js';
import { PartyError } from '../http/party-error.js';
import type { StepDescription, StepKind } from '../trace/steps.js';

/** Where an access token comes from: the stored one, and a way to refresh it (RFC 6749 §6). */
export interface TokenSource {
  current(): Promise<string>;
  /** Refreshes and returns the new token; undefined when there is no refresh token. */
  refresh?(): Promise<string | undefined>;
}

export interface ApiContext {
  interactionId: string;
  connectionId: string;
  /** FAPI 1.0 Part 1 §6.2.2-3/-4: the customer is present; when they logged in to Moneywise and from where. */
  customerAuthDate?: Date;
  customerIp?: string;
}

export interface ApiRequest {
  step: StepKind | StepDescription;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the API base URL, e.g. `/aisp/accounts`. */
  path: string;
  json?: unknown;
  idempotencyKey?: string;
}

export const ACCOUNT_PERMISSIONS = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

interface ObAmount {
  Amount: string;
  Currency: string;
}

export interface ObAccount {
  AccountId: string;
  Currency: string;
  AccountType?: string;
  AccountSubType?: string;
  Nickname?: string;
  Account?: { SchemeName: string; Identification: string; Name?: string }[];
}

export interface ObBalance {
  AccountId: string;
  Amount: ObAmount;
  CreditDebitIndicator: string;
  Type: string;
  DateTime: string;
}

export interface ObTransaction {
  TransactionId?: string;
  TransactionReference?: string;
  Amount: ObAmount;
  CreditDebitIndicator: string;
  Status: string;
  BookingDateTime: string;
  TransactionInformation?: string;
}

export interface ObDomesticInitiation {
  InstructionIdentification: string;
  EndToEndIdentification: string;
  InstructedAmount: ObAmount;
  DebtorAccount?: { SchemeName: string; Identification: string; Name?: string };
  CreditorAccount: { SchemeName: string; Identification: string; Name: string };
  RemittanceInformation?: { Reference?: string; Unstructured?: string };
}

export interface BankApiClient {
  /** Sends one request with the token (refreshing once if it expired) and returns the answer, ok or not. */
  send(
    client: BoundClient,
    tokens: TokenSource,
    request: ApiRequest,
    context: ApiContext,
  ): Promise<PartyResponse>;
  createAccountAccessConsent(
    client: BoundClient,
    tokens: TokenSource,
    context: ApiContext,
  ): Promise<{ consentId: string; status: string }>;
  deleteAccountAccessConsent(
    client: BoundClient,
    tokens: TokenSource,
    consentId: string,
    context: ApiContext,
  ): Promise<void>;
  accounts(client: BoundClient, tokens: TokenSource, context: ApiContext): Promise<ObAccount[]>;
  balances(
    client: BoundClient,
    tokens: TokenSource,
    accountId: string,
    context: ApiContext,
  ): Promise<ObBalance[]>;
  transactions(
    client: BoundClient,
    tokens: TokenSource,
    accountId: string,
    context: ApiContext,
  ): Promise<ObTransaction[]>;
  createPaymentConsent(
    client: BoundClient,
    tokens: TokenSource,
    initiation: ObDomesticInitiation,
    idempotencyKey: string,
    context: ApiContext,
  ): Promise<{ consentId: string; status: string }>;
  submitPayment(
    client: BoundClient,
    tokens: TokenSource,
    input: { consentId: string; initiation: ObDomesticInitiation; idempotencyKey: string },
    context: ApiContext,
  ): Promise<{ domesticPaymentId: string; status: string }>;
  paymentStatus(
    client: BoundClient,
    tokens: TokenSource,
    domesticPaymentId: string,
    context: ApiContext,
  ): Promise<{ status: string }>;
}

function data<T>(response: PartyResponse, member: string, step: string): T {
  const value = (response.body as { Data?: Record<string, unknown> } | undefined)?.Data?.[member];
  if (value === undefined) {
    throw new PartyError({
      party: 'bank-api',
      step,
      upstreamStatus: response.status,
      error: 'invalid_response',
      description: `${step}: the bank API's answer has no Data.${member}`,
      clause: 'UK OB Read/Write API v3.1 §Data',
    });
  }
  return value as T;
}

export function createBankApiClient(deps: { config: SandboxConfig; engine: TppEngine }): BankApiClient {
  const { engine } = deps;
  const base = deps.config.bankApi.baseUrl;

  function attempt(client: BoundClient, token: string, request: ApiRequest, context: ApiContext) {
    const { interactionId, connectionId } = context;
    return bankApiCall(engine, client, tppStep(request.step, { interactionId, connectionId }), {
      method: request.method,
      url: `${base}${request.path}`,
      accessToken: token,
      interactionId,
      json: request.json,
      idempotencyKey: request.idempotencyKey,
      headers: {
        // FAPI 1.0 Part 1 §6.2.2-3/-4: the customer is present.
        ...(context.customerAuthDate ? { [AUTH_DATE_HEADER]: context.customerAuthDate.toUTCString() } : {}),
        ...(context.customerIp ? { [CUSTOMER_IP_HEADER]: context.customerIp } : {}),
      },
    });
  }

  async function send(client: BoundClient, tokens: TokenSource, request: ApiRequest, context: ApiContext) {
    const response = await attempt(client, await tokens.current(), request, context);
    if (!tokenRefused(response) || !tokens.refresh) return response;
    // RFC 6749 §6: an expired access token is replaced with the refresh token, once, without the customer.
    let refreshed: string | undefined;
    try {
      refreshed = await tokens.refresh();
    } catch (err) {
      // When the bank refuses the refresh too, the API's refusal names the cause (a revoked consent, a
      // participant the directory suspended): that is what the learner sees; the refusal is in the trace.
      if (err instanceof PartyError) return response;
      throw err;
    }
    return refreshed ? attempt(client, refreshed, request, context) : response;
  }

  async function ok(client: BoundClient, tokens: TokenSource, request: ApiRequest, context: ApiContext) {
    const response = await send(client, tokens, request, context);
    if (!response.ok)
      throw PartyError.fromResponse('bank-api', response.recorded.step ?? String(request.step), response);
    return response;
  }

  return {
    send,

    async createAccountAccessConsent(client, tokens, context) {
      const response = await ok(
        client,
        tokens,
        {
          step: 'consent-create',
          method: 'POST',
          path: '/aisp/account-access-consents',
          json: { Data: { Permissions: ACCOUNT_PERMISSIONS }, Risk: {} },
          // One consent per connection: a retry of this POST must not create a second one.
          idempotencyKey: context.connectionId,
        },
        context,
      );
      return {
        consentId: data<string>(response, 'ConsentId', 'Create the account-access consent'),
        status: data<string>(response, 'Status', 'Create the account-access consent'),
      };
    },

    async deleteAccountAccessConsent(client, tokens, consentId, context) {
      await ok(
        client,
        tokens,
        {
          step: 'consent-delete',
          method: 'DELETE',
          path: `/aisp/account-access-consents/${encodeURIComponent(consentId)}`,
        },
        context,
      );
    },

    async accounts(client, tokens, context) {
      const response = await ok(
        client,
        tokens,
        { step: 'accounts', method: 'GET', path: '/aisp/accounts' },
        context,
      );
      return data<ObAccount[]>(response, 'Account', 'Read accounts');
    },

    async balances(client, tokens, accountId, context) {
      const response = await ok(
        client,
        tokens,
        { step: 'balances', method: 'GET', path: `/aisp/accounts/${encodeURIComponent(accountId)}/balances` },
        context,
      );
      return data<ObBalance[]>(response, 'Balance', 'Read balances');
    },

    async transactions(client, tokens, accountId, context) {
      const response = await ok(
        client,
        tokens,
        {
          step: 'transactions',
          method: 'GET',
          path: `/aisp/accounts/${encodeURIComponent(accountId)}/transactions`,
        },
        context,
      );
      return data<ObTransaction[]>(response, 'Transaction', 'Read transactions');
    },

    async createPaymentConsent(client, tokens, initiation, idempotencyKey, context) {
      const response = await ok(
        client,
        tokens,
        {
          step: 'payment-consent',
          method: 'POST',
          path: '/pisp/domestic-payment-consents',
          json: { Data: { Initiation: initiation }, Risk: {} },
          idempotencyKey,
        },
        context,
      );
      return {
        consentId: data<string>(response, 'ConsentId', 'Create the domestic-payment consent'),
        status: data<string>(response, 'Status', 'Create the domestic-payment consent'),
      };
    },

    async submitPayment(client, tokens, input, context) {
      const response = await ok(
        client,
        tokens,
        {
          step: 'payment-authorised',
          method: 'POST',
          path: '/pisp/domestic-payments',
          json: { Data: { ConsentId: input.consentId, Initiation: input.initiation }, Risk: {} },
          idempotencyKey: input.idempotencyKey,
        },
        context,
      );
      return {
        domesticPaymentId: data<string>(response, 'DomesticPaymentId', 'Submit the payment'),
        status: data<string>(response, 'Status', 'Submit the payment'),
      };
    },

    async paymentStatus(client, tokens, domesticPaymentId, context) {
      const response = await ok(
        client,
        tokens,
        {
          step: 'payment-status',
          method: 'GET',
          path: `/pisp/domestic-payments/${encodeURIComponent(domesticPaymentId)}`,
        },
        context,
      );
      return { status: data<string>(response, 'Status', 'Read the payment status') };
    },
  };
}
