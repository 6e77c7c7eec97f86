// What a profile demands of a client's registered metadata. The registration policy
// (registration/metadata-policy.ts) writes these into the client record, and oidc-provider then
// enforces them per client on every request (require_pushed_authorization_requests,
// require_signed_request_object, response_types, the sender-constraint flags).
import {
  everyProfileSigningAlgs,
  type FapiSigningAlg,
  fapiSigningAlgs,
} from '@fapi-sandbox/fapi-core/jose/algorithms';
import { type CibaPolicy, FAPI_CIBA } from './fapi-ciba.js';
import type { ProfileId } from './rule.js';

// 'none': bearer access tokens, which FAPI 1.0 Part 1 (Baseline) allows and every other profile forbids.
export type SenderConstraint = 'mtls' | 'dpop' | 'none';
// RFC 8705 §2.2 self_signed_tls_client_auth is not offered: a token is bound only to the transport
// certificate the directory issued to the software (mtls/certificate-binding.ts).
export type ClientAuthMethod = 'private_key_jwt' | 'tls_client_auth';
export type SigningAlg = FapiSigningAlg;

export interface ClientPolicy {
  profile: ProfileId;
  /**
   * oidc-provider's name for the profile (`features.fapi.profile`); undefined where oidc-provider has no
   * such mode (Baseline), so it runs without FAPI mode and bank-op's own rules enforce the profile.
   */
  oidcProviderProfile: '2.0' | '1.0 Final' | undefined;
  responseTypes: { allowed: readonly string[]; default: readonly string[] };
  requirePushedAuthorizationRequests: boolean;
  requireSignedRequestObject: boolean;
  /** The sender-constraint methods a client may choose from (exactly one is registered). */
  senderConstraints: readonly SenderConstraint[];
  /** Used when the registration request names none; undefined makes the choice mandatory. */
  defaultSenderConstraint: SenderConstraint | undefined;
  clientAuthMethods: readonly ClientAuthMethod[];
  /** JWS algorithms for everything the client signs (client assertions, request objects, DPoP proofs). */
  signingAlgs: readonly SigningAlg[];
  /** What the bank signs for the client (ID token, JARM response), first the default: its keys are RSA and P-256. */
  bankSigningAlgs: readonly SigningAlg[];
  /** PKCE S256 on every authorization request, or only on pushed ones (FAPI 1.0 Adv §5.2.2-18). */
  pkce: 'always' | 'pushed-requests';
  /** bank-op requires nonce (scope openid) or state itself, where oidc-provider's FAPI mode does not. */
  requireNonceOrState?: boolean;
  /** Decoupled authentication (FAPI-CIBA) for clients that register the CIBA grant; none when undefined. */
  ciba?: CibaPolicy;
}

// FAPI 2.0 SP §5.4.1-1 / FAPI 1.0 Adv §8.6-1: what both profiles allow (PS256, ES256), from fapi-core's one list.
const BANK_SIGNING_ALGS: readonly SigningAlg[] = everyProfileSigningAlgs();

export const fapi2ClientPolicy: ClientPolicy = {
  profile: 'fapi2',
  oidcProviderProfile: '2.0',
  responseTypes: { allowed: ['code'], default: ['code'] },
  requirePushedAuthorizationRequests: true,
  requireSignedRequestObject: false,
  senderConstraints: ['mtls', 'dpop'],
  defaultSenderConstraint: undefined,
  clientAuthMethods: ['private_key_jwt', 'tls_client_auth'],
  signingAlgs: fapiSigningAlgs('fapi2'),
  bankSigningAlgs: BANK_SIGNING_ALGS,
  pkce: 'always',
};

export const fapi1AdvancedClientPolicy: ClientPolicy = {
  profile: 'fapi1-advanced',
  oidcProviderProfile: '1.0 Final',
  responseTypes: { allowed: ['code id_token', 'code'], default: ['code id_token', 'code'] },
  requirePushedAuthorizationRequests: false,
  requireSignedRequestObject: true,
  senderConstraints: ['mtls'],
  defaultSenderConstraint: 'mtls',
  clientAuthMethods: ['private_key_jwt', 'tls_client_auth'],
  signingAlgs: fapiSigningAlgs('fapi1-advanced'),
  bankSigningAlgs: BANK_SIGNING_ALGS,
  pkce: 'pushed-requests',
  // FAPI-CIBA §5.2.2: a profile of FAPI 1.0 Part 1 and Part 2, so an option of this profile.
  ciba: FAPI_CIBA,
};

// FAPI 1.0 Part 1 (Baseline): what Advanced forbids, Baseline allows — plain authorization requests in the
// browser (no request object, PAR optional), response_type code with a plain query response (no JARM),
// bearer access tokens. Confidential clients only (see the 'confidential-clients-only' rule of
// fapi1-baseline.ts for why this bank offers no public clients).
export const fapi1BaselineClientPolicy: ClientPolicy = {
  profile: 'fapi1-baseline',
  oidcProviderProfile: undefined,
  responseTypes: { allowed: ['code'], default: ['code'] },
  requirePushedAuthorizationRequests: false,
  requireSignedRequestObject: false,
  senderConstraints: ['none'],
  defaultSenderConstraint: 'none',
  clientAuthMethods: ['private_key_jwt', 'tls_client_auth'],
  signingAlgs: fapiSigningAlgs('fapi1-baseline'),
  bankSigningAlgs: BANK_SIGNING_ALGS,
  // FAPI 1.0 Part 1 §5.2.2-7: PKCE with S256 on every authorization request.
  pkce: 'always',
  // FAPI 1.0 Part 1 §5.2.2.2-1, §5.2.2.3-1: oidc-provider asks for them only in its '1.0 Final' mode.
  requireNonceOrState: true,
};
