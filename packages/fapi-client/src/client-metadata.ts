// The client metadata a client registers for each way of connecting (RFC 7591 §2), derived from the
// profile facts: which FAPI profile the bank must hold the client to, what binds tokens, how it
// authenticates, what it signs and expects signed.
import { createHash } from 'node:crypto';
import { ACCESS_TOKEN_FORMAT_METADATA, type AccessTokenFormat } from '@fapi-sandbox/fapi-core/introspection';
import { CIBA_GRANT_TYPE, type CibaDeliveryMode } from './backchannel.js';
import type { ProfileFacts } from './profiles.js';
import type { ClientAuthMethod } from './registered-client.js';

/** The signing algorithm of everything the client signs (FAPI 2.0 SP §5.4.1, FAPI 1.0 Adv §8.6). */
export const SIGNING_ALG = 'PS256';

/** The bank's client metadata naming the profile it enforces for the client ("fapi2" or "fapi1-advanced"). */
export const FAPI_PROFILE_METADATA = 'fapi_profile';

/** What the client chooses for a registration; the SSA and the jwks_uri it names are added when it registers. */
export function requestedMetadata(input: {
  profile: ProfileFacts & { title: string };
  clientAuth: ClientAuthMethod;
  redirectUri: string;
  clientName: string;
  /** Default: accounts and payments (an AISP and PISP); see scopeForRoles. */
  scope?: string;
  /** Default: the bank's (JWT access tokens). */
  accessTokenFormat?: AccessTokenFormat;
  /** Decoupled authentication (FAPI-CIBA): how the tokens come, and for ping where the bank notifies. */
  backchannel?: { deliveryMode: CibaDeliveryMode; notificationEndpoint?: string };
}): Record<string, unknown> {
  const { profile, clientAuth, backchannel } = input;
  return {
    // The bank applies one profile per client, chosen at registration: without it, every client would be
    // held to the bank's default (FAPI 2.0) and a "FAPI 1.0 Advanced" connection would only look like one.
    [FAPI_PROFILE_METADATA]: profile.fapiProfile,
    client_name: `${input.clientName} · ${profile.title} · ${clientAuth}`,
    application_type: 'web',
    redirect_uris: [input.redirectUri],
    grant_types: [
      'authorization_code',
      'refresh_token',
      'client_credentials',
      ...(backchannel ? [CIBA_GRANT_TYPE] : []),
    ],
    response_types: ['code'],
    scope: input.scope ?? 'openid accounts payments',
    token_endpoint_auth_method: clientAuth,
    // RFC 8705 §2.1.2: with tls_client_auth the bank registers the subject DN of the transport certificate
    // this registration arrives with (the SSA's software, checked by the bank); the answer shows it.
    ...(clientAuth === 'private_key_jwt' ? { token_endpoint_auth_signing_alg: SIGNING_ALG } : {}),
    id_token_signed_response_alg: SIGNING_ALG,
    // RFC 9126 §6: this client always pushes its authorization requests (a Baseline one sends them plain).
    require_pushed_authorization_requests: !profile.plainAuthorizationRequest,
    // RFC 8705 §3.4 / RFC 9449 §5.2: how the bank must bind this client's access tokens, both said
    // explicitly (FAPI 2.0 SP §5.3.2.1-4 lets the client choose; FAPI 1.0 Adv §5.2.2-5 asks for mTLS).
    tls_client_certificate_bound_access_tokens: profile.senderConstraint === 'mtls',
    dpop_bound_access_tokens: profile.senderConstraint === 'dpop',
    // RFC 9101 §10.5 / FAPI 1.0 Adv §5.2.2-1: every authorization request is a signed request object.
    ...(profile.signedRequestObject
      ? { require_signed_request_object: true, request_object_signing_alg: SIGNING_ALG }
      : {}),
    // JARM §3 / FAPI 1.0 Adv §5.2.2-2: the bank signs its authorization responses.
    ...(profile.jarm ? { authorization_signed_response_alg: SIGNING_ALG } : {}),
    // RFC 9101 §6.1, OIDC Registration §2: every request object signed, then encrypted to the bank.
    ...(profile.requestObjectEncryption
      ? {
          request_object_signing_alg: SIGNING_ALG,
          request_object_encryption_alg: profile.requestObjectEncryption,
          request_object_encryption_enc: 'A256GCM',
        }
      : {}),
    // OIDC Core §10.2: ID tokens signed by the bank, then encrypted to the client's key (use enc).
    ...(profile.idTokenEncryption
      ? {
          id_token_encrypted_response_alg: profile.idTokenEncryption,
          id_token_encrypted_response_enc: 'A256GCM',
        }
      : {}),
    // JARM §2.2, §3: authorization responses signed by the bank, then encrypted to the client's key.
    ...(profile.jarm && profile.jarmEncryption
      ? {
          authorization_encrypted_response_alg: profile.jarmEncryption,
          authorization_encrypted_response_enc: 'A256GCM',
        }
      : {}),
    // CIBA §4: poll or ping (FAPI-CIBA §5.2.2-3: never push), the ping's https endpoint, and every
    // authentication request signed (FAPI-CIBA §5.2.2-6).
    ...(backchannel
      ? {
          backchannel_token_delivery_mode: backchannel.deliveryMode,
          ...(backchannel.deliveryMode === 'ping'
            ? { backchannel_client_notification_endpoint: backchannel.notificationEndpoint }
            : {}),
          backchannel_authentication_request_signing_alg: SIGNING_ALG,
        }
      : {}),
    // Opaque access tokens: bank-api learns what they mean only by asking bank-op (RFC 7662).
    ...((input.accessTokenFormat ?? profile.accessTokenFormat)
      ? { [ACCESS_TOKEN_FORMAT_METADATA]: input.accessTokenFormat ?? profile.accessTokenFormat }
      : {}),
  };
}

/** UK OB DCR v3.3 §4.3: the scopes a software may ask for follow its directory roles (AISP, PISP). */
export function scopeForRoles(roles: readonly string[]): string {
  return [
    'openid',
    ...(roles.includes('AISP') ? ['accounts'] : []),
    ...(roles.includes('PISP') ? ['payments'] : []),
  ].join(' ');
}

/** The registration request: what the client chooses, plus the directory's statement and the keys it names. */
export function clientMetadata(input: {
  requested: Record<string, unknown>;
  softwareStatement: string;
  jwksUri: string;
}): Record<string, unknown> {
  return {
    // RFC 7591 §2.3: the directory's signed statement; the bank trusts its claims over ours.
    software_statement: input.softwareStatement,
    // The public half of the client's signing keys, published by the directory (never a private key).
    jwks_uri: input.jwksUri,
    ...input.requested,
  };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A digest of the requested metadata, stored with each registration: a registration made with other
 * metadata (e.g. before the TPP named the profile) is not what it would register now, so it is redone.
 */
export function metadataVersion(requested: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(requested)).digest('base64url').slice(0, 22);
}
