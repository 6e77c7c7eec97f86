// The ways Moneywise can connect to a bank, as data a learner reads beside the specs: one object per
// security profile, each line a rule with the clause that asks for it. Everything else (registration
// metadata, the authorization request, how tokens are bound) is derived from these objects.

import type { CibaDeliveryMode } from '@fapi-sandbox/fapi-client';
import { PROFILE_FACTS, type ProfileFacts, type SenderConstraint } from '@fapi-sandbox/fapi-client';
import type { KeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { ClientAuthMethod, ProfileId } from '../shared/api.js';

export { usesMutualTls } from '@fapi-sandbox/fapi-client';
export type { ClientAuthMethod, ProfileId, SenderConstraint };

export interface ProfileRule {
  rule: string;
  clause: string;
}

/** The engine's protocol facts of a profile (fapiProfile, senderConstraint, JAR, JARM), in Moneywise's words. */
export interface ConnectionProfile extends ProfileFacts {
  id: ProfileId;
  title: string;
  /** One paragraph in plain words, shown on the profile picker. */
  summary: string;
  rules: ProfileRule[];
}

export const PROFILES: Record<ProfileId, ConnectionProfile> = {
  'fapi2-dpop': {
    ...PROFILE_FACTS['fapi2-dpop'],
    title: 'FAPI 2.0 + DPoP',
    summary:
      'The current profile. Moneywise pushes its request to the bank over the back channel, and every token is ' +
      'bound to a key pair only Moneywise holds: each API call carries a fresh signed proof (DPoP), so a stolen ' +
      'token is useless on its own.',
    rules: [
      {
        rule: 'Authorization request pushed to the bank first (PAR)',
        clause: 'FAPI 2.0 SP §5.3.3.2, RFC 9126',
      },
      { rule: 'PKCE with S256', clause: 'FAPI 2.0 SP §5.3.3.2, RFC 7636 §4' },
      {
        rule: 'Issuer checked on the way back (iss parameter)',
        clause: 'FAPI 2.0 SP §5.3.3.2, RFC 9207 §2.4',
      },
      {
        rule: 'Tokens bound to a DPoP key; every call signs a proof',
        clause: 'FAPI 2.0 SP §5.3.3.1, RFC 9449',
      },
    ],
  },
  'fapi2-mtls': {
    ...PROFILE_FACTS['fapi2-mtls'],
    title: 'FAPI 2.0 + mTLS',
    summary:
      'The current profile with certificate-bound tokens. The bank writes the fingerprint of Moneywise\u2019s ' +
      'transport certificate into every token, and the API only answers a caller who presents that same ' +
      'certificate in the TLS handshake.',
    rules: [
      {
        rule: 'Authorization request pushed to the bank first (PAR)',
        clause: 'FAPI 2.0 SP §5.3.3.2, RFC 9126',
      },
      { rule: 'PKCE with S256', clause: 'FAPI 2.0 SP §5.3.3.2, RFC 7636 §4' },
      {
        rule: 'Issuer checked on the way back (iss parameter)',
        clause: 'FAPI 2.0 SP §5.3.3.2, RFC 9207 §2.4',
      },
      { rule: 'Tokens bound to the TLS client certificate', clause: 'FAPI 2.0 SP §5.3.3.1, RFC 8705 §3' },
    ],
  },
  'fapi1-advanced': {
    ...PROFILE_FACTS['fapi1-advanced'],
    title: 'FAPI 1.0 Advanced (JAR + JARM)',
    summary:
      'The profile UK Open Banking was built on. Every authorization parameter travels inside a request object ' +
      'Moneywise signs (JAR), the bank signs its answer too (JARM), and tokens are bound to the transport ' +
      'certificate.',
    rules: [
      {
        rule: 'Signed request object (JAR), pushed by PAR',
        clause: 'FAPI 1.0 Adv §5.2.2-1, RFC 9101, RFC 9126',
      },
      { rule: 'PKCE with S256', clause: 'FAPI 1.0 Adv §5.2.2-18, RFC 7636' },
      { rule: 'Signed authorization response (JARM) verified', clause: 'FAPI 1.0 Adv §5.2.2-2, JARM §4.4' },
      { rule: 'Tokens bound to the TLS client certificate', clause: 'FAPI 1.0 Adv §5.2.2-5, RFC 8705 §3' },
    ],
  },
  'fapi2-dpop-opaque': {
    ...PROFILE_FACTS['fapi2-dpop-opaque'],
    title: 'FAPI 2.0 + DPoP, opaque access tokens (introspected)',
    summary:
      'FAPI 2.0 + DPoP, but the access token is a random handle instead of a signed JWT. The API learns nothing ' +
      'from it until it asks the bank (token introspection, one extra round trip on every call); in return a ' +
      'revoked token is refused at its very next call, and no claims travel in the token.',
    rules: [
      {
        rule: 'Authorization request pushed to the bank first (PAR)',
        clause: 'FAPI 2.0 SP §5.3.3.2, RFC 9126',
      },
      { rule: 'PKCE with S256', clause: 'FAPI 2.0 SP §5.3.3.2, RFC 7636 §4' },
      {
        rule: 'Tokens bound to a DPoP key; every call signs a proof',
        clause: 'FAPI 2.0 SP §5.3.3.1, RFC 9449',
      },
      {
        rule: 'Opaque access token: the API asks the bank about it at every call, over mTLS, answer signed',
        clause: 'RFC 7662 §2, RFC 9701',
      },
    ],
  },
  'fapi1-baseline': {
    ...PROFILE_FACTS['fapi1-baseline'],
    title: 'FAPI 1.0 Baseline (plain request, bearer token)',
    summary:
      'The first rung of the ladder, for learning what the others add. Every authorization parameter travels ' +
      'unsigned in the browser\u2019s address bar, the code comes back in a plain query, and the token is a ' +
      'bearer token: whoever holds it can use it.',
    rules: [
      {
        rule: 'Plain authorization request in the browser (no PAR, no JAR)',
        clause: 'FAPI 1.0 Part 1 §5.2.2',
      },
      { rule: 'PKCE with S256', clause: 'FAPI 1.0 Part 1 §5.2.2-7, RFC 7636' },
      { rule: 'nonce in the request, checked in the ID token', clause: 'FAPI 1.0 Part 1 §5.2.2.2-1' },
      { rule: 'Bearer access token, under 10 minutes', clause: 'FAPI 1.0 Part 1 §6.2.1-2, §5.2.2-21' },
    ],
  },
};

export const CLIENT_AUTH_METHODS: Record<
  ClientAuthMethod,
  { title: string; summary: string; clause: string }
> = {
  private_key_jwt: {
    title: 'Signed client assertion (private_key_jwt)',
    summary: 'Moneywise proves who it is by signing a short-lived JWT with a key the directory published.',
    clause: 'FAPI 2.0 SP §5.3.3.1, OIDC Core §9',
  },
  tls_client_auth: {
    title: 'Transport certificate (tls_client_auth)',
    summary: 'Moneywise proves who it is with the certificate the directory issued, in the TLS handshake.',
    clause: 'FAPI 2.0 SP §5.3.3.1, RFC 8705 §2.1',
  },
};

export function isProfileId(value: unknown): value is ProfileId {
  return typeof value === 'string' && Object.hasOwn(PROFILES, value);
}

export function isCibaMode(value: unknown): value is CibaDeliveryMode {
  return value === 'poll' || value === 'ping';
}

export function isClientAuthMethod(value: unknown): value is ClientAuthMethod {
  return typeof value === 'string' && Object.hasOwn(CLIENT_AUTH_METHODS, value);
}

/** Options that change a registration's metadata, so each combination is a client of its own. */
export interface RegistrationOptions {
  /** OIDC Core §10.2: id_token_encrypted_response_alg, the bank encrypting ID tokens to Moneywise. */
  idTokenEncryption?: KeyManagementAlg;
  /** JARM §2.2, §3: authorization_encrypted_response_alg, the bank encrypting JARM responses to Moneywise. */
  jarmEncryption?: KeyManagementAlg;
  /** FAPI-CIBA: the client also registers the CIBA grant, its tokens delivered by poll or ping. */
  ciba?: CibaDeliveryMode;
}

/**
 * Client metadata is fixed per registration, so each (profile, client authentication, options) combination
 * is its own client.
 */
export function registrationKey(
  profile: ProfileId,
  clientAuth: ClientAuthMethod,
  options: RegistrationOptions = {},
): string {
  const idToken = options.idTokenEncryption ? `+id-token-jwe-${options.idTokenEncryption}` : '';
  const jarm = options.jarmEncryption ? `+jarm-jwe-${options.jarmEncryption}` : '';
  const ciba = options.ciba ? `+ciba-${options.ciba}` : '';
  return `${profile}+${clientAuth}${idToken}${jarm}${ciba}`;
}

/** The registration options a connection was made with. */
export function registrationOptions(connection: RegistrationOptions): RegistrationOptions {
  return {
    ...(connection.idTokenEncryption ? { idTokenEncryption: connection.idTokenEncryption } : {}),
    ...(connection.jarmEncryption ? { jarmEncryption: connection.jarmEncryption } : {}),
    ...(connection.ciba ? { ciba: connection.ciba } : {}),
  };
}

/** The profile's facts with the registration options on top: what the client metadata is derived from. */
export function registeredProfile(profile: ProfileId, options: RegistrationOptions = {}): ConnectionProfile {
  return {
    ...PROFILES[profile],
    ...(options.idTokenEncryption ? { idTokenEncryption: options.idTokenEncryption } : {}),
    ...(options.jarmEncryption ? { jarmEncryption: options.jarmEncryption } : {}),
  };
}
