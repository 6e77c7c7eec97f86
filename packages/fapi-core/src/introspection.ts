// What bank-op, bank-api and the clients agree on for opaque access tokens and their introspection
// (RFC 7662): the client metadata that chooses them, the client id bank-api authenticates as
// (tls_client_auth with its own transport certificate, RFC 8705 §2.1) and the media type of the signed
// introspection response (RFC 9701 §4).

/** bank-op's client metadata (a sandbox extension) choosing JWT (RFC 9068) or opaque access tokens. */
export const ACCESS_TOKEN_FORMAT_METADATA = 'access_token_format';
export const ACCESS_TOKEN_FORMATS = ['jwt', 'opaque'] as const;
export type AccessTokenFormat = (typeof ACCESS_TOKEN_FORMATS)[number];

/** bank-api's client at bank-op: a resource server, which may only introspect tokens meant for it. */
export const RESOURCE_SERVER_CLIENT_ID = 'bank-api';

/** RFC 9701 §4: the Accept value that asks for the introspection response as a JWT bank-op signs. */
export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';

/** RFC 9701 §5: the typ header of a JWT introspection response. */
export const INTROSPECTION_JWT_TYP = 'token-introspection+jwt';

/**
 * A compact JWS has three dot-separated parts (RFC 7515 §7.1); any other access token is an opaque
 * handle, which tells whoever holds it nothing until it is introspected (RFC 7662 §2.1).
 */
export function isOpaqueToken(token: string): boolean {
  return token.split('.').length !== 3;
}
