// The tokens a connection holds, per grant: client-credentials tokens for consents (RFC 6749 §4.4) and
// the customer's tokens, refreshed when they expire (RFC 6749 §6); invalid_grant (§5.2) ends the connection.
import type { TokenSource } from '../bank-api/client.js';
import { PartyError } from '../http/party-error.js';
import type { Connection } from '../store/connections.js';
import { runInPhase } from '../trace/phase.js';
import type { BoundClient } from './bound-client.js';
import { type ConnectionKit, toApiError } from './connection-kit.js';
import { storedToken, type TokenEndpoint } from './token-endpoint.js';

/** Grants a connection holds tokens for. */
export const ACCOUNTS = 'accounts';
const clientCredentials = (scope: 'accounts' | 'payments') => `client_credentials:${scope}`;
export const paymentGrant = (paymentId: string) => `payment:${paymentId}`;

/** A token this close to expiry is refreshed before use rather than sent to be refused. */
const EXPIRY_MARGIN_SECONDS = 5;

export interface ConnectionTokens {
  clientCredentialsToken(
    connection: Connection,
    client: BoundClient,
    scope: 'accounts' | 'payments',
  ): Promise<TokenSource>;
  customerToken(connection: Connection, client: BoundClient, grant: string): TokenSource;
}

export function createConnectionTokens({ deps, context }: ConnectionKit): ConnectionTokens {
  const { store, now } = deps;

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
      await store.saveToken(token);
      return token.accessToken;
    };
    return {
      async current() {
        const cached = await store.token(connection.id, grant);
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
  async function endConnection(connection: Connection, refusal: PartyError): Promise<void> {
    await store.transition(connection.id, {
      from: ['active'],
      to: 'ended',
      error: toApiError(refusal),
      dropTokens: true,
    });
  }

  /** The customer's token for a grant, refreshed with its refresh token when it has expired (RFC 6749 §6). */
  function customerToken(connection: Connection, client: BoundClient, grant: string): TokenSource {
    const refresh = async (): Promise<string | undefined> => {
      const current = await store.token(connection.id, grant);
      const refreshToken = current?.refreshToken;
      if (!refreshToken) return undefined;
      let response: Awaited<ReturnType<TokenEndpoint['request']>>;
      try {
        // A refresh is a phase of its own in the inspector, whichever call needed it.
        response = await runInPhase('refresh', () =>
          deps.tokens.request(
            client,
            'refresh',
            { grant_type: 'refresh_token', refresh_token: refreshToken },
            context(connection),
          ),
        );
      } catch (err) {
        if (grant === ACCOUNTS && err instanceof PartyError && err.error === 'invalid_grant') {
          await endConnection(connection, err);
        }
        throw err;
      }
      const token = storedToken(connection.id, grant, response, now(), current);
      await store.saveToken(token);
      return token.accessToken;
    };
    return {
      async current() {
        const token = await store.token(connection.id, grant);
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

  return { clientCredentialsToken, customerToken };
}
