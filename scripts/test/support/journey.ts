// The customer's journey a test needs before it can call the bank API: a consent created with the TPP's own
// token, the authorization pushed (PAR), the customer signing in and allowing it, the code exchanged.

import { demoCustomer } from '@fapi-sandbox/bank-domain';
import type { AccessToken, FapiFlowClient } from '@fapi-sandbox/fapi-client';

/** An access token for the customer's accounts, after the customer consented to `client`. */
export async function customerConsents(
  client: FapiFlowClient,
  customer = demoCustomer(),
): Promise<AccessToken> {
  const consentId = await client.createAccountAccessConsent(await client.clientCredentialsToken('accounts'));
  const pending = await client.pushAuthorizationRequest(consentId);
  const code = await client.authorizationCode(await client.customerAuthorizes(pending, customer), pending);
  return client.exchangeCode(pending, code);
}
