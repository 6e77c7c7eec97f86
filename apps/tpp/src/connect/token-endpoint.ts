// The bank's token endpoint (RFC 6749 §3.2) and revocation endpoint (RFC 7009), called with the client's
// authentication and, for DPoP clients, a proof (RFC 9449 §5). Every token response is checked for the
// binding the client asked for before it is stored.
import {
  bindingChecks,
  isTokenResponse,
  revokeToken,
  type TokenResponse,
  tokenRequest,
} from '@fapi-sandbox/fapi-client';
import { PartyError } from '../http/party-error.js';
import type { StoredToken } from '../store/connections.js';
import { revocationStep, type StepDescription, type StepKind } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import type { BoundClient } from './bound-client.js';
import { type CallContext, type PartyResponse, type TppEngine, tppStep } from './engine.js';

export type { CallContext, TokenResponse };

/** The bank no longer knows this client (RFC 6749 §5.2 invalid_client): the caller registers again. */
export class UnknownClientError extends PartyError {}

export interface TokenEndpoint {
  request(
    client: BoundClient,
    step: StepKind,
    params: Record<string, string>,
    context: CallContext,
  ): Promise<TokenResponse>;
  /**
   * A token endpoint answer Moneywise received another way (a CIBA poll, CIBA §10.1.1), checked as
   * `request` checks its own: refused, malformed or wrongly bound, it throws.
   */
  accept(
    client: BoundClient,
    step: StepKind | StepDescription,
    response: PartyResponse,
    context: CallContext,
  ): TokenResponse;
  /** false when the bank cannot revoke this kind of token (RFC 7009 §2.2.1 unsupported_token_type). */
  revoke(
    client: BoundClient,
    token: string,
    hint: 'access_token' | 'refresh_token',
    context: CallContext,
  ): Promise<boolean>;
}

export function createTokenEndpoint(deps: { engine: TppEngine; trace: TraceLog }): TokenEndpoint {
  const { trace, engine } = deps;
  function accept(
    client: BoundClient,
    step: StepKind | StepDescription,
    response: PartyResponse,
    context: CallContext,
  ): TokenResponse {
    const stepTitle = response.recorded.step ?? (typeof step === 'string' ? step : step.title);
    if (!response.ok) {
      const error = PartyError.fromResponse('bank-op', stepTitle, response);
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
    const body = response.body;
    if (!isTokenResponse(body)) {
      throw new PartyError({
        party: 'bank-op',
        step: stepTitle,
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
  }

  return {
    async request(client, step, params, context) {
      return accept(
        client,
        step,
        await tokenRequest(engine, client, tppStep(step, context), params),
        context,
      );
    },
    accept,

    async revoke(client, token, hint, context) {
      const response = await revokeToken(engine, client, tppStep(revocationStep(hint), context), token, hint);
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
