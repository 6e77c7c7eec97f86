// The bank's token endpoint (RFC 6749 §3.2: the code, refresh and client-credentials grants) and its
// revocation endpoint (RFC 7009), called with the client's authentication and, for DPoP clients, a proof
// (RFC 9449 §5). Every token response is checked for the binding the client asked for before it is used.
import { decodeJwt } from 'jose';
import { sendWithDpopNonce } from './dpop-nonce.js';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import { type CheckOutcome, reportChecks, type StepRef } from './observer.js';
import { clientAuthentication, dpopHeaders, type RegisteredClient } from './registered-client.js';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  /** RFC 9396 §7: the authorization details granted, when the request carried some. */
  authorization_details?: unknown[];
}

/** A form POST to a back-channel endpoint with client authentication and, for DPoP clients, a proof. */
export function backChannelPost<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  endpoint:
    | 'token_endpoint'
    | 'pushed_authorization_request_endpoint'
    | 'revocation_endpoint'
    | 'backchannel_authentication_endpoint',
  params: Record<string, string>,
): Promise<R> {
  const url = client.endpoint(endpoint);
  return sendWithDpopNonce(engine, client, async () => ({
    ...step,
    kind: 'http',
    method: 'POST',
    url,
    dispatcher: client.opDispatcher,
    headers: await dpopHeaders(engine, client, step, 'POST', url),
    form: { ...params, ...(await clientAuthentication(engine, client, step)) },
  }));
}

/** RFC 6749 §4.1.3, §4.4.2, §6: one grant at the token endpoint; the answer as received. */
export function tokenRequest<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  params: Record<string, string>,
): Promise<R> {
  return backChannelPost(engine, client, step, 'token_endpoint', params);
}

/** RFC 7009 §2.1: asks the bank to revoke a token of this client; the answer as received. */
export function revokeToken<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  token: string,
  hint: 'access_token' | 'refresh_token',
): Promise<R> {
  return backChannelPost(engine, client, step, 'revocation_endpoint', { token, token_type_hint: hint });
}

/** RFC 6749 §5.1: a successful answer carries access_token and token_type. */
export function isTokenResponse(body: unknown): body is TokenResponse {
  const token = body as Partial<TokenResponse> | undefined;
  return typeof token?.access_token === 'string' && typeof token.token_type === 'string';
}

/** What cnf the access token carries, compared with what this client holds (RFC 8705 §3.1, RFC 9449 §6.1). */
export function bindingChecks(client: RegisteredClient, response: TokenResponse): CheckOutcome[] {
  const expectedType = client.authorizationScheme;
  const checks: CheckOutcome[] = [
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
  if (client.expectedCnf === null) {
    checks.push({
      name: 'access token is a bearer token (no cnf): whoever holds it can use it',
      passed: cnf === undefined,
      clause: 'FAPI 1.0 Part 1 §6.2.1-2, RFC 6750 §2.1',
      detail: `cnf ${JSON.stringify(cnf ?? null)}; Advanced and FAPI 2.0 bind the token to the client`,
    });
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

/**
 * FAPI 2.0 SP §5.3.3.1, RFC 9449 §6, RFC 8705 §3: the token is bound to what this client holds. Reports
 * each check to the observer; returns the first that failed.
 */
export function checkTokenBinding(
  engine: Pick<EngineContext, 'observer'>,
  client: RegisteredClient,
  step: StepRef,
  response: TokenResponse,
): CheckOutcome | undefined {
  return reportChecks(engine.observer, step, bindingChecks(client, response));
}
