// The client metadata Moneywise registers for each way of connecting (RFC 7591 §2), derived from the
// profile objects: what binds tokens, how it authenticates, what it signs and expects signed.
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, type ConnectionProfile } from '../connect/profiles.js';

/** The signing algorithm of everything Moneywise signs (FAPI 2.0 SP §5.4.1, FAPI 1.0 Adv §8.6). */
export const SIGNING_ALG = 'PS256';

export function clientMetadata(input: {
  profile: ConnectionProfile;
  clientAuth: ClientAuthMethod;
  softwareStatement: string;
  redirectUri: string;
  jwksUri: string;
  clientName: string;
}): Record<string, unknown> {
  const { profile, clientAuth } = input;
  return {
    // RFC 7591 §2.3: the directory's signed statement; the bank trusts its claims over ours.
    software_statement: input.softwareStatement,
    client_name: `${input.clientName} · ${profile.title} · ${clientAuth}`,
    application_type: 'web',
    redirect_uris: [input.redirectUri],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    scope: 'openid accounts payments',
    // The public half of Moneywise's signing keys, published by the directory (never a private key).
    jwks_uri: input.jwksUri,
    token_endpoint_auth_method: clientAuth,
    // RFC 8705 §2.1.2: with tls_client_auth the bank registers the subject DN of the transport certificate
    // this registration arrives with (the SSA's software, checked by the bank); the answer shows it.
    ...(clientAuth === 'private_key_jwt' ? { token_endpoint_auth_signing_alg: SIGNING_ALG } : {}),
    id_token_signed_response_alg: SIGNING_ALG,
    // RFC 9126 §6: this client always pushes its authorization requests.
    require_pushed_authorization_requests: true,
    // RFC 8705 §3.4 / RFC 9449 §5.2: how the bank must bind this client's access tokens.
    tls_client_certificate_bound_access_tokens: profile.senderConstraint === 'mtls',
    ...(profile.senderConstraint === 'dpop' ? { dpop_bound_access_tokens: true } : {}),
    // RFC 9101 §10.5 / JARM §3: FAPI 1.0 Advanced signs requests and responses.
    ...(profile.signedRequestObject ? { request_object_signing_alg: SIGNING_ALG } : {}),
    ...(profile.jarm ? { authorization_signed_response_alg: SIGNING_ALG } : {}),
  };
}

export function describeClientAuth(clientAuth: ClientAuthMethod): string {
  return CLIENT_AUTH_METHODS[clientAuth].title;
}
