// bank-op's signing keys, fetched from its jwks_uri over the sandbox's TLS (server verified against
// the sandbox CA) and cached by jose; a token with a kid not in the cache triggers a refetch, so a key
// rotation at bank-op needs no restart here.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from 'jose';
import { type Dispatcher, fetch } from 'undici';

export function bankOpKeys(jwksUri: string, dispatcher: Dispatcher): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(jwksUri), {
    // RFC 7517 §4.5: an unknown kid means bank-op has rotated; refetch at most once a second.
    cooldownDuration: 1_000,
    cacheMaxAge: 10 * 60_000,
    timeoutDuration: 5_000,
    [customFetch]: (url: string, init: RequestInit) =>
      fetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (err) {
      // A key bank-op does not publish is the token's fault (invalid_token); an unreachable bank-op is not.
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
        throw err;
      throw new OAuthError({
        status: 503,
        error: 'temporarily_unavailable',
        description: `bank-op's signing keys at ${jwksUri} could not be fetched (${err instanceof Error ? err.message : String(err)})`,
        fix: 'start bank-op (pnpm dev) and retry',
      });
    }
  };
}
