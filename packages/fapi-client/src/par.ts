// Pushed authorization requests (RFC 9126 §2.1; FAPI 2.0 SP §5.3.3.2-2, FAPI 1.0 Adv §5.2.2-14): the
// authorization parameters go to the bank over the back channel, authenticated, and the browser carries
// only the request_uri. A FAPI 1.0 Advanced client signs them into a request object (JAR, RFC 9101 §4;
// FAPI 1.0 Adv §5.2.2-1) with typ oauth-authz-req+jwt, aud the issuer.
import { encryptNestedJwt } from '@fapi-sandbox/fapi-core/jose/encryption';
import { createRequestObject } from '@fapi-sandbox/fapi-core/jose/request-object';
import { decodeProtectedHeader } from 'jose';
import { bendJwt } from './bend.js';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import { reportChecks, type StepRef } from './observer.js';
import type { RegisteredClient } from './registered-client.js';
import { backChannelPost } from './token-endpoint.js';

/** RFC 9101 §4: the parameters signed by the client (iss, aud, exp, iat, nbf, jti), after the bend hook. */
export async function signedRequestObject(
  engine: Pick<EngineContext, 'bend'>,
  client: RegisteredClient,
  step: StepRef,
  params: Record<string, unknown>,
): Promise<string> {
  if (!client.signingKey) throw new Error('a signed request object needs the client’s signing key');
  const requestObject = await createRequestObject({
    clientId: client.clientId,
    issuer: client.issuer,
    signingKey: client.signingKey,
    params,
  });
  return bendJwt(engine.bend, step, 'request_object', requestObject, {
    key: client.signingKey.key,
    alg: client.signingKey.alg,
  });
}

export async function pushAuthorizationRequest<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  /** The authorization parameters; objects (the claims request) travel as JSON in a form. */
  params: Record<string, unknown>,
  options: { signedRequest: boolean },
): Promise<R> {
  // OIDC Core §10.2: an encrypted request object is a signed one, encrypted.
  const encryptTo = client.requestObjectEncryptionKey;
  if (!options.signedRequest && !encryptTo) {
    const form = Object.fromEntries(
      Object.entries(params).map(([name, value]) => [
        name,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    );
    return backChannelPost(engine, client, step, 'pushed_authorization_request_endpoint', {
      client_id: client.clientId,
      ...form,
    });
  }
  const request = await signedRequestObject(engine, client, step, params);
  if (!encryptTo) {
    return backChannelPost(engine, client, step, 'pushed_authorization_request_endpoint', { request });
  }
  // RFC 9101 §6.1: only the bank, which holds the key, reads the parameters; the signature inside still
  // proves they are the client's.
  const encrypted = await encryptNestedJwt(request, encryptTo);
  reportChecks(engine.observer, step, [
    {
      name: `Request object signed, then encrypted to the bank's key ${encryptTo.kid}`,
      passed: true,
      clause: 'RFC 9101 §6.1, OIDC Core §10.2',
      detail: `JWE protected header ${JSON.stringify(decodeProtectedHeader(encrypted))}`,
    },
  ]);
  return backChannelPost(engine, client, step, 'pushed_authorization_request_endpoint', {
    request: encrypted,
  });
}

/** RFC 9126 §4: the authorization URL carries only client_id and the pushed request's request_uri. */
export function authorizationUrl(authorizationEndpoint: string, clientId: string, requestUri: string): URL {
  const url = new URL(authorizationEndpoint);
  url.search = new URLSearchParams({ client_id: clientId, request_uri: requestUri }).toString();
  return url;
}
