// Disconnecting: revoke the customer's tokens (RFC 7009), delete the account-access consent
// (UK OB Account and Transaction API v3.1), and show the API now refusing the old access token.
import type { ConnectionView } from '../shared/api.js';
import type { Connection, StoredToken } from '../store/connections.js';
import type { ConnectionKit, Customer } from './connection-kit.js';
import { ACCOUNTS, type ConnectionTokens } from './connection-tokens.js';
import type { ViewConnection } from './connection-view.js';

export interface DisconnectOutcome {
  connection: ConnectionView;
  /** The status the API answered the old access token with after disconnecting (401/403 expected). */
  oldTokenStatus?: number;
  /** The API's error_description for the old token: which check refused it, and why. */
  oldTokenRefusal?: string;
}

export type Disconnect = (connection: Connection, customer: Customer) => Promise<DisconnectOutcome>;

export function createDisconnect(
  { deps, clientFor, context, apiContext }: ConnectionKit,
  { clientCredentialsToken }: ConnectionTokens,
  view: ViewConnection,
): Disconnect {
  const { store } = deps;
  return async function disconnect(connection, customer) {
    const client = await clientFor(connection);
    const held: StoredToken[] = await store.tokens(connection.id);
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
    // The tokens go with the move, in one transaction; a disconnect that lost the race to another
    // (another tab, another TPP process) finds the connection already disconnected.
    const updated =
      (await store.transition(connection.id, {
        from: ['authorising', 'active', 'failed', 'ended'],
        to: 'disconnected',
        dropTokens: true,
      })) ?? (await store.get(connection.id))!;
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
    return { connection: await view(updated), oldTokenStatus, oldTokenRefusal };
  };
}
