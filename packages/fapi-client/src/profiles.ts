// The ways a client can connect, as protocol facts: which FAPI profile the bank holds it to, what binds
// its tokens, whether it signs its requests (JAR) and expects signed responses (JARM). A TPP adds its
// own words (titles, the rules it shows) beside these; the engine reads only these.
import type { AccessTokenFormat } from '@fapi-sandbox/fapi-core/introspection';
import type { FapiProfile } from '@fapi-sandbox/fapi-core/jose/algorithms';
import type { KeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { ClientAuthMethod } from './registered-client.js';

export type ProfileId =
  | 'fapi2-dpop'
  | 'fapi2-mtls'
  | 'fapi1-advanced'
  | 'fapi2-dpop-opaque'
  | 'fapi1-baseline';
/** 'none': bearer tokens, as FAPI 1.0 Part 1 (Baseline) allows (§6.2.1-2). */
export type SenderConstraint = 'dpop' | 'mtls' | 'none';

export interface ProfileFacts {
  id: ProfileId;
  /** Whose algorithm and key rules apply to what the client signs (bank-op's `fapi_profile`). */
  fapiProfile: FapiProfile;
  /** How the bank binds access tokens: a DPoP key (RFC 9449) or the TLS certificate (RFC 8705 §3). */
  senderConstraint: SenderConstraint;
  /** JAR (RFC 9101; FAPI 1.0 Adv §5.2.2-1): every authorization parameter in a signed request object. */
  signedRequestObject: boolean;
  /** JARM (FAPI 1.0 Adv §5.2.2-2): the bank answers the authorization request with a signed JWT. */
  jarm: boolean;
  /** RFC 9101 §6.1: the client registers request_object_encryption_alg and encrypts its request objects. */
  requestObjectEncryption?: KeyManagementAlg;
  /** OIDC Core §10.2: the client registers id_token_encrypted_response_alg; the bank encrypts its ID tokens. */
  idTokenEncryption?: KeyManagementAlg;
  /**
   * JARM §2.2, §3: with `jarm`, the client registers authorization_encrypted_response_alg; the bank signs its
   * authorization responses, then encrypts them to the client.
   */
  jarmEncryption?: KeyManagementAlg;
  /** Opaque access tokens the API introspects at the bank (RFC 7662), not JWTs it reads (RFC 9068). */
  accessTokenFormat?: Extract<AccessTokenFormat, 'opaque'>;
  /**
   * The authorization parameters travel as plain query parameters in the browser (no PAR, no request
   * object), as FAPI 1.0 Part 1 allows: the lesson is what Baseline leaves open.
   */
  plainAuthorizationRequest?: boolean;
}

export const PROFILE_FACTS: Record<ProfileId, ProfileFacts> = {
  // FAPI 2.0 SP §5.3.2.1-5: DPoP is one of the two sender-constraining methods.
  'fapi2-dpop': {
    id: 'fapi2-dpop',
    fapiProfile: 'fapi2',
    senderConstraint: 'dpop',
    signedRequestObject: false,
    jarm: false,
  },
  // FAPI 2.0 SP §5.3.2.1-5: mTLS-bound tokens (RFC 8705 §3) are the other.
  'fapi2-mtls': {
    id: 'fapi2-mtls',
    fapiProfile: 'fapi2',
    senderConstraint: 'mtls',
    signedRequestObject: false,
    jarm: false,
  },
  // FAPI 1.0 Adv §5.2.2-1/-2/-5: JAR, JARM and certificate-bound tokens.
  'fapi1-advanced': {
    id: 'fapi1-advanced',
    fapiProfile: 'fapi1-advanced',
    senderConstraint: 'mtls',
    signedRequestObject: true,
    jarm: true,
  },
  // RFC 7662 / RFC 9701: FAPI 2.0 + DPoP with opaque access tokens that bank-api introspects at bank-op.
  'fapi2-dpop-opaque': {
    id: 'fapi2-dpop-opaque',
    fapiProfile: 'fapi2',
    senderConstraint: 'dpop',
    signedRequestObject: false,
    jarm: false,
    accessTokenFormat: 'opaque',
  },
  // FAPI 1.0 Part 1: a plain authorization request with PKCE (§5.2.2-7), the code in the query, bearer tokens.
  'fapi1-baseline': {
    id: 'fapi1-baseline',
    fapiProfile: 'fapi1-baseline',
    senderConstraint: 'none',
    signedRequestObject: false,
    jarm: false,
    plainAuthorizationRequest: true,
  },
};

/**
 * Whether the client talks to the bank's token, PAR and revocation endpoints over mutual TLS: when it
 * authenticates with its certificate or its tokens are bound to it (RFC 8705 §5, mtls_endpoint_aliases).
 */
export function usesMutualTls(profile: ProfileFacts, clientAuth: ClientAuthMethod): boolean {
  return clientAuth === 'tls_client_auth' || profile.senderConstraint === 'mtls';
}
