// The OpenID Foundation's conformance modules for the two plans this bank is certified against: each
// module's id (the suite's own name), whether it is a must-reject test, and to which of our variants it
// applies — or why it does not apply at all. Ids and applicability only: the suite's text stays in the
// suite (openid-certification/conformance-suite, FAPI2SPFinalTestPlan and FAPI1AdvancedFinalTestPlan).
// The bank plays the plans' openbanking_uk profile: UK OB intents, and the openid scope on every flow.

export type PlanId = 'fapi2-security-profile-final' | 'fapi1-advanced-final';
export type ClientAuth = 'private_key_jwt' | 'tls_client_auth';
export type SenderConstraint = 'dpop' | 'mtls';

/** One column of a plan: how the client authenticates and how its tokens are sender-constrained. */
export interface Variant {
  clientAuth: ClientAuth;
  senderConstraint: SenderConstraint;
}

/** The suite's variant selector for a module: every variant, or only DPoP or private_key_jwt ones. */
export type Applies = 'every variant' | 'dpop' | 'private_key_jwt';

export interface ConformanceModule {
  id: string;
  /** A must-reject test: the module passes when the bank refuses. */
  negative: boolean;
  applies: Applies | { notApplicable: string };
}

export interface Plan {
  id: PlanId;
  title: string;
  /** The variants the bank offers for this plan (client authentication × sender constraint). */
  variants: readonly Variant[];
  modules: readonly ConformanceModule[];
}

const every = 'every variant' as const;
const dpop = 'dpop' as const;
const pkjwt = 'private_key_jwt' as const;

function modules(prefix: string, rows: [string, 'yes' | 'no', ConformanceModule['applies']][]) {
  return rows.map(([suffix, negative, applies]) => ({
    id: suffix ? `${prefix}-${suffix}` : prefix,
    negative: negative === 'yes',
    applies,
  }));
}

const NO_IDENTITY_CLAIMS = {
  notApplicable:
    'the suite skips it unless claims_supported lists standard identity claims; the bank offers sub, acr, auth_time and openbanking_intent_id only',
};
const PLAIN_FAPI = {
  notApplicable:
    'plain_fapi profile only; the bank plays openbanking_uk, where ensure-registered-redirect-uri applies instead',
};
const CONNECTID = { notApplicable: 'ConnectID (Australia) ecosystem only; the bank is a UK OB bank' };
const BRAZIL = { notApplicable: 'Open Finance Brazil ecosystem only; the bank is a UK OB bank' };

export const FAPI2_SECURITY_PROFILE: Plan = {
  id: 'fapi2-security-profile-final',
  title: 'FAPI 2.0 Security Profile (final)',
  variants: [
    { clientAuth: 'private_key_jwt', senderConstraint: 'dpop' },
    { clientAuth: 'private_key_jwt', senderConstraint: 'mtls' },
    { clientAuth: 'tls_client_auth', senderConstraint: 'dpop' },
    { clientAuth: 'tls_client_auth', senderConstraint: 'mtls' },
  ],
  modules: modules('fapi2-security-profile-final', [
    ['discovery-end-point-verification', 'no', every],
    ['happy-flow', 'no', every],
    ['user-rejects-authentication', 'yes', every],
    ['ensure-authorization-request-without-state-success', 'no', every],
    ['ensure-authorization-request-without-nonce-success', 'no', every],
    ['ensure-authorization-request-with-64-char-nonce-success', 'no', every],
    ['ensure-other-scope-order-succeeds', 'no', every],
    ['test-claims-parameter-identity-claims', 'no', NO_IDENTITY_CLAIMS],
    ['access-token-type-header-case-sensitivity', 'no', every],
    ['check-dpop-proof-nbf-exp', 'no', dpop],
    ['ensure-dpopproof-with-iat-10seconds-before-succeeds', 'no', dpop],
    ['ensure-dpopproof-with-iat-10seconds-after-succeeds', 'no', dpop],
    ['ensure-mismatched-dpop-jkt-fails', 'yes', dpop],
    ['ensure-token-endpoint-fails-with-mismatched-dpop-proof-jkt', 'yes', dpop],
    ['ensure-token-endpoint-fails-with-mismatched-dpop-jkt', 'yes', dpop],
    ['ensure-dpopproof-at-par-endpoint-binding-success', 'no', dpop],
    ['ensure-dpop-auth-code-binding-success', 'no', dpop],
    ['ensure-different-nonce-inside-and-outside-request-object', 'no', every],
    ['ensure-different-state-inside-and-outside-request-object', 'no', every],
    ['ensure-authorization-request-with-long-nonce', 'no', every],
    ['ensure-authorization-request-with-long-state', 'no', every],
    ['state-only-outside-request-object-not-used', 'no', every],
    ['ensure-request-object-without-redirect-uri-fails', 'yes', every],
    ['ensure-registered-redirect-uri', 'yes', every],
    ['plain-fapi-tolerate-unregistered-redirect-uri', 'no', PLAIN_FAPI],
    ['ensure-unsigned-authorization-request-without-using-par-fails', 'yes', every],
    ['ensure-redirect-uri-in-authorization-request', 'no', every],
    ['ensure-response-type-code-idtoken-fails', 'yes', every],
    ['australia-connectid-ensure-invalid-purpose-fails', 'yes', CONNECTID],
    ['ensure-response-type-token-fails', 'yes', every],
    ['ensure-client-id-in-token-endpoint', 'yes', every],
    ['ensure-holder-of-key-required', 'yes', every],
    ['ensure-authorization-code-is-bound-to-client', 'yes', every],
    ['attempt-reuse-authorization-code-after-one-second', 'yes', every],
    ['ensure-token-endpoint-fails-with-expired-auth-code', 'yes', every],
    ['ensure-signed-client-assertion-with-RS256-fails', 'yes', pkjwt],
    ['ensure-client-assertion-in-token-endpoint', 'yes', pkjwt],
    ['ensure-client-assertion-with-exp-is-5-minutes-in-past-fails', 'yes', pkjwt],
    ['ensure-client-assertion-with-wrong-aud-fails', 'yes', pkjwt],
    ['ensure-client-assertion-with-no-sub-fails', 'yes', pkjwt],
    ['dpop-negative-tests', 'yes', dpop],
    ['refresh-token', 'no', every],
    ['ensure-server-handles-non-matching-intent-id', 'yes', every],
    ['test-essential-acr-sca-claim', 'no', every],
    ['brazil-ensure-bad-payment-signature-fails', 'yes', BRAZIL],
    ['australia-connectid-test-claims-parameter-idtoken-identity-claims', 'no', CONNECTID],
    ['par-ensure-reused-request-uri-prior-to-auth-completion-succeeds', 'no', every],
    ['par-attempt-reuse-request_uri', 'no', every],
    ['par-attempt-to-use-expired-request_uri', 'yes', every],
    ['par-ensure-jwt-client-assertions-nbf-8-seconds-in-the-future-is-accepted', 'no', pkjwt],
    ['par-ensure-jwt-client-assertions-nbf-over-60-seconds-in-the-future-fails', 'yes', pkjwt],
    ['par-attempt-to-use-request_uri-for-different-client', 'yes', every],
    ['par-authorization-request-containing-request_uri-form-param', 'yes', every],
    ['par-attempt-invalid-http-method', 'yes', every],
    ['par-ensure-pkce-required', 'yes', every],
    ['ensure-pkce-code-verifier-required', 'yes', every],
    ['incorrect-pkce-code-verifier-rejected', 'yes', every],
    ['par-plain-pkce-rejected', 'yes', every],
    ['par-without-duplicate-parameters', 'no', every],
    ['par-test-array-as-audience-fails', 'yes', pkjwt],
    ['par-test-par-endpoint-url-as-audience-fails', 'yes', pkjwt],
    ['par-test-token-endpoint-url-as-audience-fails', 'yes', pkjwt],
  ]),
};

/**
 * FAPI 2.0 Message Signing (final): the suite runs the Security Profile's modules again, with signed request
 * objects (JAR) and JARM responses, plus the modules of a signed request object. Its module ids keep the
 * Security Profile's prefix, as the suite names them. Two of the four client variants run here (one per
 * client authentication and sender constraint), to bound the time: the other two are the Security Profile
 * plan's. Not in PLANS: its tests carry their own name (fapi2-message-signing-final.test.ts).
 */
export const FAPI2_MESSAGE_SIGNING: Plan = {
  id: 'fapi2-security-profile-final',
  title: 'FAPI 2.0 Message Signing (final)',
  variants: [
    { clientAuth: 'private_key_jwt', senderConstraint: 'dpop' },
    { clientAuth: 'tls_client_auth', senderConstraint: 'mtls' },
  ],
  modules: [
    ...FAPI2_SECURITY_PROFILE.modules,
    ...modules('fapi2-security-profile-final', [
      ['ensure-request-object-with-multiple-aud-succeeds', 'no', every],
      ['ensure-request-object-with-nbf-8-seconds-in-the-future-is-accepted', 'no', every],
      ['ensure-request-object-without-exp-fails', 'yes', every],
      ['ensure-request-object-without-nbf-fails', 'yes', every],
      ['ensure-expired-request-object-fails', 'yes', every],
      ['ensure-request-object-with-bad-aud-fails', 'yes', every],
      ['ensure-request-object-with-exp-over-60-fails', 'yes', every],
      ['australia-connectid-ensure-request-object-with-exp-over-10-fails', 'yes', CONNECTID],
      ['ensure-request-object-with-nbf-over-60-fails', 'yes', every],
      ['australia-connectid-ensure-request-object-with-nbf-over-15-fails', 'yes', CONNECTID],
      ['ensure-signed-request-object-with-RS256-fails', 'yes', every],
      ['ensure-request-object-signature-algorithm-is-not-none', 'yes', every],
      ['ensure-request-object-with-invalid-signature-fails', 'yes', every],
      ['ensure-matching-key-in-authorization-request', 'yes', every],
      ['ensure-unsigned-request-at-par-endpoint-fails', 'yes', every],
      ['par-authorization-request-containing-request_uri', 'yes', every],
    ]),
  ],
};

export const FAPI1_ADVANCED: Plan = {
  id: 'fapi1-advanced-final',
  title: 'FAPI 1.0 Advanced (final)',
  variants: [
    { clientAuth: 'private_key_jwt', senderConstraint: 'mtls' },
    { clientAuth: 'tls_client_auth', senderConstraint: 'mtls' },
  ],
  modules: modules('fapi1-advanced-final', [
    ['discovery-end-point-verification', 'no', every],
    ['', 'no', every],
    ['user-rejects-authentication', 'yes', every],
    ['ensure-request-object-with-multiple-aud-succeeds', 'no', every],
    ['ensure-authorization-request-without-state-success', 'no', every],
    ['ensure-valid-pkce-succeeds', 'no', every],
    ['ensure-other-scope-order-succeeds', 'no', every],
    ['access-token-type-header-case-sensitivity', 'no', every],
    ['ensure-response-mode-query', 'no', every],
    ['ensure-different-nonce-inside-and-outside-request-object', 'no', every],
    ['ensure-registered-redirect-uri', 'yes', every],
    ['ensure-request-object-with-long-nonce', 'no', every],
    ['ensure-request-object-with-64-char-nonce-success', 'no', every],
    ['ensure-request-object-with-long-state', 'no', every],
    ['ensure-request-object-without-exp-fails', 'yes', every],
    ['ensure-request-object-without-nbf-fails', 'yes', every],
    ['ensure-request-object-without-scope-fails', 'yes', every],
    ['state-only-outside-request-object-not-used', 'no', every],
    ['ensure-request-object-without-nonce-fails', 'yes', every],
    ['ensure-request-object-without-redirect-uri-fails', 'yes', every],
    ['ensure-expired-request-object-fails', 'yes', every],
    ['ensure-request-object-with-bad-aud-fails', 'yes', every],
    ['ensure-request-object-with-exp-over-60-fails', 'yes', every],
    ['ensure-request-object-with-nbf-over-60-fails', 'yes', every],
    ['ensure-signed-request-object-with-RS256-fails', 'yes', every],
    ['ensure-request-object-signature-algorithm-is-not-none', 'yes', every],
    ['ensure-request-object-with-invalid-signature-fails', 'yes', every],
    ['ensure-matching-key-in-authorization-request', 'yes', every],
    ['ensure-authorization-request-without-request-object-fails', 'yes', every],
    ['ensure-redirect-uri-in-authorization-request', 'no', every],
    ['ensure-response-type-code-fails', 'yes', every],
    ['ensure-client-id-in-token-endpoint', 'yes', every],
    ['ensure-mtls-holder-of-key-required', 'yes', every],
    ['ensure-authorization-code-is-bound-to-client', 'yes', every],
    ['attempt-reuse-authorisation-code-after-one-second', 'yes', every],
    ['ensure-signed-client-assertion-with-RS256-fails', 'yes', pkjwt],
    ['ensure-client-assertion-in-token-endpoint', 'yes', pkjwt],
    ['ensure-client-assertion-with-exp-is-5-minutes-in-past-fails', 'yes', pkjwt],
    ['ensure-client-assertion-with-wrong-aud-fails', 'yes', pkjwt],
    ['ensure-client-assertion-with-no-sub-fails', 'yes', pkjwt],
    ['ensure-client-assertion-with-wrong-iss-fails', 'yes', pkjwt],
    ['ensure-client-assertion-with-wrong-sub-fails', 'yes', pkjwt],
    ['ensure-client-assertion-with-iss-aud-succeeds', 'no', pkjwt],
    ['refresh-token', 'no', every],
    ['ensure-server-handles-non-matching-intent-id', 'yes', every],
    ['test-essential-acr-sca-claim', 'no', every],
    ['brazil-ensure-encryption-required', 'yes', BRAZIL],
    ['brazil-ensure-bad-payment-signature-fails', 'yes', BRAZIL],
    ['par-ensure-reused-request-uri-prior-to-auth-completion-succeeds', 'no', every],
    ['par-attempt-reuse-request_uri', 'no', every],
    ['par-attempt-to-use-expired-request_uri', 'yes', every],
    ['par-test-pushed-authorization-url-as-audience-for-client-JWT-assertion', 'no', pkjwt],
    ['par-token-endpoint-url-as-audience-for-client-JWT-assertion', 'no', pkjwt],
    ['test-array-as-audience-for-client-JWT-assertion', 'no', pkjwt],
    ['par-ensure-client-assertion-with-wrong-aud-fails', 'yes', pkjwt],
    ['par-ensure-client-assertion-with-wrong-iss-fails', 'yes', pkjwt],
    ['par-ensure-client-assertion-with-wrong-sub-fails', 'yes', pkjwt],
    ['par-attempt-to-use-request_uri-for-different-client', 'yes', every],
    ['par-authorization-request-containing-request_uri-form-param', 'yes', every],
    ['par-attempt-invalid-http-method', 'yes', every],
    ['par-ensure-pkce-required', 'yes', every],
    ['ensure-pkce-code-verifier-required', 'yes', every],
    ['incorrect-pkce-code-verifier-rejected', 'yes', every],
    ['par-plain-pkce-rejected', 'yes', every],
    ['par-pushed-authorization-url-as-audience-in-request-object', 'yes', every],
    ['par-attempt-invalid-redirect_uri', 'yes', every],
    ['par-authorization-request-containing-request_uri', 'yes', every],
    ['par-without-duplicate-parameters', 'no', every],
  ]),
};

export const PLANS: readonly Plan[] = [FAPI2_SECURITY_PROFILE, FAPI1_ADVANCED];

/** The variants of `plan` a module runs in (none when it does not apply to the bank). */
export function variantsOf(plan: Plan, module: ConformanceModule): Variant[] {
  const { applies } = module;
  if (typeof applies === 'object') return [];
  return plan.variants.filter(
    (variant) =>
      applies === 'every variant' ||
      (applies === 'dpop' && variant.senderConstraint === 'dpop') ||
      (applies === 'private_key_jwt' && variant.clientAuth === 'private_key_jwt'),
  );
}

/** How a test names its variant: `[private_key_jwt, dpop]`. */
export function variantLabel(variant: Variant): string {
  return `[${variant.clientAuth}, ${variant.senderConstraint}]`;
}

/** The start of a conformance test's name: the module id and the variant, as `pnpm conformance` reads it. */
export function conformanceTestName(moduleId: string, variant: Variant): string {
  return `${moduleId} ${variantLabel(variant)}`;
}

/** Reads a test name back: the module id and variant it starts with, or undefined for other tests. */
export function parseConformanceTestName(name: string): { moduleId: string; variant: Variant } | undefined {
  const match = /^(fapi[\w-]+) \[(private_key_jwt|tls_client_auth), (dpop|mtls)\]/.exec(name);
  if (!match) return undefined;
  return {
    moduleId: match[1]!,
    variant: { clientAuth: match[2] as ClientAuth, senderConstraint: match[3] as SenderConstraint },
  };
}

export function moduleById(id: string): { plan: Plan; module: ConformanceModule } | undefined {
  for (const plan of PLANS) {
    const module = plan.modules.find((candidate) => candidate.id === id);
    if (module) return { plan, module };
  }
  return undefined;
}
