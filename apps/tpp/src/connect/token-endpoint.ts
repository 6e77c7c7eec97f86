// The bank's token endpoint (RFC 6749 §3.2) and revocation endpoint (RFC 7009), called with the client's
// authentication and, for DPoP clients, a proof (RFC 9449 §5). Every token response is checked for the
// binding the client asked for before it is stored.
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { decodeJwt } from 'jose';
import type { PartyClient } from '../http/party-client.js';
import { PartyError } from '../http/party-error.js';
import type { StoredToken } from '../store/connections.js';
import type { StepKind } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import type { BoundClient } from './bound-client.js';
import { sendWithDpop } from './dpop-nonce.js';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

/** The bank no longer knows this client (RFC 6749 §5.2 invalid_client): the caller registers again. */
export class UnknownClientError extends PartyError {}

export interface CallContext {
  interactionId: string;
  connectionId?: string;
}

export interface TokenEndpoint {
  request(
    client: BoundClient,
    step: StepKind,
    params: Record<string, string>,
    context: CallContext,
  ): Promise<TokenResponse>;
  /** false when the bank cannot revoke this kind of token (RFC 7009 §2.2.1 unsupported_token_type). */
  revoke(
    client: BoundClient,
    token: string,
    hint: 'access_token' | 'refresh_token',
    context: CallContext,
  ): Promise<boolean>;
}

/** What cnf the access token carries, compared with what this client holds (RFC 8705 §3.1, RFC 9449 §6.1). */
export function bindingChecks(client: BoundClient, response: TokenResponse): CheckResult[] {
  const expectedType = client.authorizationScheme;
  const checks: CheckResult[] = [
    {
      name: `token_type is ${expectedType}`,
      passed: response.token_type?.toLowerCase() === expectedType.toLowerCase(),
      clause: expectedType === 'DPoP' ? 'RFC 9449 §5' : 'RFC 6750 §4, RFC 8705 §3',
      detail: `the bank answered token_type ${response.token_type}`,
    },
  ];
  let cnf: Record<string, unknown> | undefined;
  try {
    cnf = decodeJwt(response.access_token).cnf as Record<string, unknown> | undefined;
  } catch {
    // An opaque access token: its binding is only visible to the bank (introspection), not to the client.
    return checks;
  }
  const [member, expected] = Object.entries(client.expectedCnf)[0]!;
  checks.push({
    name: `access token cnf.${member} is ${expectedType === 'DPoP' ? 'our DPoP key’s thumbprint' : 'our certificate’s thumbprint'}`,
    passed: cnf?.[member] === expected,
    clause: member === 'jkt' ? 'RFC 9449 §6.1' : 'RFC 8705 §3.1',
    detail: `cnf ${JSON.stringify(cnf ?? null)}; ours ${expected}`,
  });
  return checks;
}

export function createTokenEndpoint(deps: { party: PartyClient; trace: TraceLog }): TokenEndpoint {
  const { party, trace } = deps;
  return {
    async request(client, step, params, context) {
      const url = client.endpoint('token_endpoint');
      const response = await sendWithDpop(party, client, async () => ({
        step,
        method: 'POST',
        url,
        ...context,
        dispatcher: client.opDispatcher,
        headers: await client.proofHeaders('POST', url),
        form: { ...params, ...(await client.authenticationParams()) },
      }));
      if (!response.ok) {
        const error = PartyError.fromResponse('bank-op', response.event.step ?? step, response);
        // RFC 6749 §5.2: the client is unknown or failed to authenticate.
        if ((response.body as { error?: string } | undefined)?.error === 'invalid_client') {
          throw new UnknownClientError({
            party: 'bank-op',
            step: error.step,
            upstreamStatus: error.upstreamStatus,
            error: error.error,
            description: error.description,
          });
        }
        throw error;
      }
      const body = response.body as TokenResponse;
      if (typeof body?.access_token !== 'string' || typeof body.token_type !== 'string') {
        throw new PartyError({
          party: 'bank-op',
          step: response.event.step ?? step,
          upstreamStatus: response.status,
          error: 'invalid_token_response',
          description: 'The token response has no access_token or token_type',
          clause: 'RFC 6749 §5.1',
        });
      }
      const checks = bindingChecks(client, body);
      trace.recordChecks({
        ...context,
        step: {
          title: 'Check the token is bound to Moneywise',
          explanation:
            'A sender-constrained token names the key or certificate it is bound to; Moneywise checks the bank bound it to what Moneywise holds, so the API will accept it only from Moneywise.',
          clause: 'FAPI 2.0 SP §5.3.3.1, RFC 9449 §6, RFC 8705 §3',
        },
        checks,
      });
      const failed = checks.find((check) => !check.passed);
      if (failed) {
        throw new PartyError({
          party: 'bank-op',
          step: 'Check the token is bound to Moneywise',
          upstreamStatus: response.status,
          error: 'invalid_token_binding',
          description: `${failed.name} failed: ${failed.detail}`,
          clause: failed.clause,
          fix: 'the bank must bind the token as the client registered (dpop_bound_access_tokens / tls_client_certificate_bound_access_tokens)',
        });
      }
      return body;
    },

    async revoke(client, token, hint, context) {
      const url = client.endpoint('revocation_endpoint');
      const response = await sendWithDpop(party, client, async () => ({
        step: 'revoke',
        method: 'POST',
        url,
        ...context,
        dispatcher: client.opDispatcher,
        headers: await client.proofHeaders('POST', url),
        form: { token, token_type_hint: hint, ...(await client.authenticationParams()) },
      }));
      // RFC 7009 §2.2: 200 whether or not the token was still valid.
      if (response.ok) return true;
      // RFC 7009 §2.2.1: a server may not revoke some token types, e.g. self-contained JWT access tokens
      // (this sandbox's bank does revoke them; another bank may not); those end with their consent
      // (deleted next) and their short lifetime.
      if ((response.body as { error?: string } | undefined)?.error === 'unsupported_token_type') {
        trace.recordChecks({
          ...context,
          step: {
            title: 'The bank does not revoke this token type',
            explanation:
              'The bank answered unsupported_token_type: its JWT access tokens are self-contained, so it cannot revoke them one by one. Deleting the consent is what stops the API from accepting them.',
            clause: 'RFC 7009 §2.2.1',
          },
          checks: [
            {
              name: `${hint} revoked`,
              passed: false,
              clause: 'RFC 7009 §2.2.1',
              detail: 'unsupported_token_type',
            },
          ],
        });
        return false;
      }
      throw PartyError.fromResponse('bank-op', 'Revoke a token', response);
    },
  };
}

/** The stored form of a token response received at `receivedAt` (ms since the epoch). */
export function storedToken(
  connectionId: string,
  grant: string,
  response: TokenResponse,
  receivedAt: number,
  previous?: StoredToken,
): StoredToken {
  const now = Math.floor(receivedAt / 1000);
  return {
    connectionId,
    grant,
    accessToken: response.access_token,
    // RFC 6749 §6: the bank may rotate the refresh token, or keep the old one valid.
    refreshToken: response.refresh_token ?? previous?.refreshToken,
    tokenType: response.token_type,
    scope: response.scope,
    expiresAt: typeof response.expires_in === 'number' ? now + response.expires_in : undefined,
    issuedAt: now,
  };
}
