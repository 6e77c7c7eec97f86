// What bank-op and bank-api agree on for token introspection (RFC 7662) of opaque access tokens: the
// client id bank-api authenticates as (tls_client_auth with its own transport certificate, RFC 8705
// §2.1) and the media type of the signed introspection response (RFC 9701 §4).

/** bank-api's client at bank-op: a resource server, which may only introspect tokens meant for it. */
export const RESOURCE_SERVER_CLIENT_ID = 'bank-api';

/** RFC 9701 §4: the Accept value that asks for the introspection response as a JWT bank-op signs. */
export const INTROSPECTION_JWT_MEDIA_TYPE = 'application/token-introspection+jwt';

/** RFC 9701 §5: the typ header of a JWT introspection response. */
export const INTROSPECTION_JWT_TYP = 'token-introspection+jwt';
