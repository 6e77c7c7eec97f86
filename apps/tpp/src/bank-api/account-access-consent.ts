// UK OB Account and Transaction API v3.1 §Account Access Consents: the consent Moneywise creates with its
// client-credentials token before the customer is sent to the bank, and deletes when they disconnect.
import type { BoundClient } from '../connect/bound-client.js';
import { type ApiCall, type ApiContext, postConsent, type TokenSource } from './api-call.js';

export const ACCOUNT_PERMISSIONS = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

export interface AccountAccessConsents {
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
}

export function accountAccessConsents(api: ApiCall): AccountAccessConsents {
  return {
    createAccountAccessConsent: (client, tokens, context) =>
      postConsent(
        api,
        client,
        tokens,
        {
          step: 'consent-create',
          title: 'Create the account-access consent',
          path: '/aisp/account-access-consents',
          data: { Permissions: ACCOUNT_PERMISSIONS },
          // One consent per connection: a retry of this POST must not create a second one.
          idempotencyKey: context.connectionId,
        },
        context,
      ),

    async deleteAccountAccessConsent(client, tokens, consentId, context) {
      await api.ok(
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
  };
}
