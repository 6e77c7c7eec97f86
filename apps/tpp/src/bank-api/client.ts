// A typed client of the bank's UK Open Banking v3.1 API (accounts and payments) as Moneywise calls it:
// the composition of one module per API area, over one call (api-call.ts: bound token, FAPI customer
// headers, idempotency key, DPoP nonce retry, one refresh when the access token has expired).
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { Dispatcher } from 'undici';
import type { TppEngine } from '../connect/engine.js';
import type { TraceLog } from '../trace/trace-log.js';
import { type AccountAccessConsents, accountAccessConsents } from './account-access-consent.js';
import { type AccountReadCalls, accountReadCalls } from './accounts.js';
import { type ApiCall, createApiCall } from './api-call.js';
import { type PaymentCalls, paymentCalls } from './payments.js';
import { createBankApiKeys } from './response-keys.js';

export type { ApiContext, ApiRequest, TokenSource } from './api-call.js';
export type { ObAccount, ObBalance, ObDomesticInitiation, ObTransaction } from './ob-types.js';

export interface BankApiClient extends AccountAccessConsents, AccountReadCalls, PaymentCalls {
  /** Sends one request with the token (refreshing once if it expired) and returns the answer, ok or not. */
  send: ApiCall['send'];
}

export function createBankApiClient(deps: {
  config: SandboxConfig;
  engine: TppEngine;
  trace: TraceLog;
  /** A TLS client trusting the sandbox CA, for the bank API's published keys. */
  webAgent: Dispatcher;
}): BankApiClient {
  const bankApiKeys = createBankApiKeys({
    engine: deps.engine,
    origin: deps.config.bankApi.web.origin,
    dispatcher: deps.webAgent,
  });
  const api = createApiCall({ ...deps, bankApiKeys });
  return {
    send: api.send,
    ...accountAccessConsents(api),
    ...accountReadCalls(api),
    ...paymentCalls(api),
  };
}
