// The consent-to-API journey, timed step by step: what the journeys figure runs, a few in flight.

import type { AccessToken, FapiFlowClient } from '@fapi-sandbox/fapi-client';
import type { Customer } from '@fapi-sandbox/fapi-client/customer';
import { timed } from './stats.js';

export const FLOW_STEPS = [
  'client credentials token',
  'consent creation',
  'PAR',
  'authorize + sign-in + consent',
  'token exchange',
  'first API call',
] as const;

export type FlowStep = (typeof FLOW_STEPS)[number];

export type FlowTimings = Record<FlowStep, number> & { total: number };

export interface FlowRunResult {
  /** The customer's access token (sender-constrained, naming the consent). */
  token: AccessToken;
  /** The accounts the first API call returned. */
  accountIds: string[];
  timings: FlowTimings;
}

/** One journey: client-credentials token, consent, PAR, customer, code exchange, GET /aisp/accounts. */
export async function runFlowOnce(client: FapiFlowClient, customer: Customer): Promise<FlowRunResult> {
  const timings = {} as FlowTimings;
  const step = async <T>(name: FlowStep, work: () => Promise<T>): Promise<T> => {
    const { ms, value } = await timed(work);
    timings[name] = ms;
    return value;
  };

  const began = performance.now();
  const tppToken = await step('client credentials token', () => client.clientCredentialsToken('accounts'));
  const consentId = await step('consent creation', () => client.createAccountAccessConsent(tppToken));
  const pending = await step('PAR', () => client.pushAuthorizationRequest(consentId));
  const code = await step('authorize + sign-in + consent', async () =>
    client.authorizationCode(await client.customerAuthorizes(pending, customer), pending),
  );
  const token = await step('token exchange', () => client.exchangeCode(pending, code));
  const accounts = await step('first API call', () => client.api(token, 'GET', '/aisp/accounts'));
  timings.total = performance.now() - began;

  if (accounts.status !== 200) {
    throw new Error(`GET /aisp/accounts answered ${accounts.status}: ${JSON.stringify(accounts.body)}`);
  }
  const accountIds = ((accounts.body?.Data?.Account ?? []) as { AccountId: string }[]).map(
    (a) => a.AccountId,
  );
  if (accountIds.length === 0) throw new Error('GET /aisp/accounts returned no accounts');
  return { token, accountIds, timings };
}
