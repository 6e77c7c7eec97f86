// FAPI 1.0 Part 2: Advanced (final), as bank-op enforces it, with the Part 1 Baseline clauses Advanced
// builds on. One line per rule; who enforces it (an oidc-provider setting from provider/configuration.ts
// or a bank-op module); and how oidc-provider reports a violation, so provider/explain-errors.ts can add
// the clause and the fix to the error_description.
import { fapi1AdvancedClientPolicy } from './client-policy.js';
import { fapiCibaRules } from './fapi-ciba.js';
import type { ProfileDefinition } from './fapi2.js';
import { fapi1AdvancedProviderSettings } from './provider-settings.js';
import { bankOp, both, oidcProvider } from './rule.js';

const ADV = 'FAPI 1.0 Adv';
const BASE = 'FAPI 1.0 Part 1';
const settings = fapi1AdvancedProviderSettings;

export const fapi1Advanced: ProfileDefinition = {
  id: 'fapi1-advanced',
  title: 'FAPI 1.0 Part 2: Advanced (final)',
  client: fapi1AdvancedClientPolicy,
  provider: settings,
  rules: [
    {
      id: 'discovery',
      clause: `${BASE} §5.2.2-22, RFC 8705 §5`,
      conformance: ['fapi1-advanced-final-discovery-end-point-verification'],
      requirement: 'Publish OpenID discovery metadata, mTLS endpoints through mtls_endpoint_aliases',
      enforcedBy: both('discovery', 'provider/discovery.ts'),
    },
    {
      id: 'signed-request-object',
      clause: `${ADV} §5.2.2-1, §5.2.2-10`,
      conformance: [
        'fapi1-advanced-final-ensure-authorization-request-without-request-object-fails',
        'fapi1-advanced-final-ensure-different-nonce-inside-and-outside-request-object',
        'fapi1-advanced-final-state-only-outside-request-object-not-used',
        'fapi1-advanced-final-ensure-valid-pkce-succeeds',
        'fapi1-advanced-final-par-without-duplicate-parameters',
        'fapi1-advanced-final-par-authorization-request-containing-request_uri-form-param',
        'fapi1-advanced-final-par-authorization-request-containing-request_uri',
      ],
      requirement:
        'Authorization requests are signed request objects (by value, or pushed through PAR); only their parameters count',
      enforcedBy: both(
        'client metadata require_signed_request_object: true',
        'registration/metadata-policy.ts',
      ),
      fix: 'put every authorization parameter in a request object signed with PS256 or ES256 and send it as request (or push it to the PAR endpoint)',
      violations: [{ error: 'invalid_request', message: /^Request Object must be used by this client$/ }],
    },
    {
      id: 'response-type',
      clause: `${ADV} §5.2.2-2`,
      conformance: [
        'fapi1-advanced-final-ensure-response-type-code-fails',
        'fapi1-advanced-final-ensure-response-mode-query',
      ],
      requirement: 'response_type is "code id_token", or "code" with response_mode=jwt (JARM)',
      enforcedBy: oidcProvider("features.fapi.profile '1.0 Final' + features.jwtResponseModes"),
      fix: 'use response_type=code id_token, or response_type=code with response_mode=jwt',
      violations: [
        {
          error: 'invalid_request',
          message: /^requested response_mode is not allowed for this client or request$/,
        },
        { error: 'invalid_request', message: /^requested response_type is not allowed for this client$/ },
        { error: 'unsupported_response_type', message: /./ },
        {
          error: 'invalid_request',
          message: /^requested response_mode is not allowed for the requested response_type/,
        },
      ],
    },
    {
      id: 'hybrid-s_hash',
      clause: `${ADV} §5.2.2.1-5`,
      conformance: ['fapi1-advanced-final-ensure-authorization-request-without-state-success'],
      requirement: 'The ID token in a code id_token response carries s_hash when state was sent',
      enforcedBy: oidcProvider("features.fapi.profile '1.0 Final'"),
    },
    {
      id: 'jarm',
      clause: `${ADV} §5.2.2.2, JARM §4.3`,
      conformance: ['fapi1-advanced-final'],
      requirement: 'With response_mode=jwt the authorization response is a JWT signed by the bank (PS256)',
      enforcedBy: oidcProvider('features.jwtResponseModes, authorization_signed_response_alg PS256'),
    },
    {
      id: 'sender-constrained-tokens',
      clause: `${ADV} §5.2.2-5, §5.2.2-6, RFC 8705 §3`,
      conformance: [
        'fapi1-advanced-final-ensure-mtls-holder-of-key-required',
        'fapi1-advanced-final-refresh-token',
      ],
      requirement: 'Access tokens are bound to the client certificate (cnf.x5t#S256)',
      enforcedBy: both(
        'client metadata tls_client_certificate_bound_access_tokens: true',
        'registration/metadata-policy.ts',
      ),
      fix: 'call the token endpoint on its mTLS alias with the client certificate',
      violations: [
        {
          error: 'invalid_grant',
          message: /^mutual TLS client certificate not provided$/,
          explain:
            "This client's access tokens are bound to its TLS client certificate, and the token request presented none",
        },
      ],
      // No 'failed x5t#S256/jkt verification': refresh tokens of confidential clients are not bound
      // (RFC 9449 §5, RFC 8705 §4), and this bank has no public clients.
    },
    {
      id: 'request-object-exp-nbf',
      clause: `${ADV} §5.2.2-13, §5.2.2-17`,
      conformance: [
        'fapi1-advanced-final-ensure-request-object-without-exp-fails',
        'fapi1-advanced-final-ensure-request-object-without-nbf-fails',
        'fapi1-advanced-final-ensure-expired-request-object-fails',
        'fapi1-advanced-final-ensure-request-object-with-exp-over-60-fails',
        'fapi1-advanced-final-ensure-request-object-with-nbf-over-60-fails',
      ],
      requirement: `The request object has exp and nbf, exp at most ${settings.requestObjectWindowSeconds} s after nbf, nbf at most ${settings.requestObjectWindowSeconds} s old`,
      enforcedBy: both("features.fapi.profile '1.0 Final' (requestObjects)", 'provider/jwt-checks.ts'),
      fix: 'set nbf to now and exp to at most now + 3600 in the request object',
      // provider/jwt-checks.ts replaces oidc-provider's exp/nbf/aud presence checks with its own explained errors.
      violations: [{ error: 'invalid_request_object', message: /^jwt (expired|not active yet)$/ }],
    },
    {
      id: 'request-object-aud',
      clause: `${ADV} §5.2.2-15`,
      conformance: [
        'fapi1-advanced-final-ensure-request-object-with-bad-aud-fails',
        'fapi1-advanced-final-ensure-request-object-with-multiple-aud-succeeds',
        'fapi1-advanced-final-par-pushed-authorization-url-as-audience-in-request-object',
      ],
      requirement: "The request object's aud is, or contains, the issuer identifier",
      enforcedBy: oidcProvider('requestObjects'),
      fix: 'set aud to the issuer identifier',
      violations: [{ error: 'invalid_request_object', message: /^jwt audience missing/ }],
    },
    {
      id: 'request-object-signature',
      clause: `${ADV} §5.2.2-1, RFC 9101 §6.2`,
      conformance: [
        'fapi1-advanced-final-ensure-request-object-signature-algorithm-is-not-none',
        'fapi1-advanced-final-ensure-request-object-with-invalid-signature-fails',
        'fapi1-advanced-final-ensure-matching-key-in-authorization-request',
      ],
      requirement: 'The request object is signed by the client with a key from its registered jwks_uri',
      enforcedBy: oidcProvider('requestObjects'),
      fix: "sign the request object with a key published at the client's jwks_uri, and set iss to the client_id",
      violations: [
        { error: 'invalid_request_object', message: /^could not validate Request Object$/ },
        { error: 'invalid_request_object', message: /^jwt issuer invalid$/ },
        { error: 'invalid_request_object', message: /request or request_uri properties/ },
        { error: 'invalid_request_object', message: /client_id/ },
      ],
    },
    {
      id: 'client-authentication',
      clause: `${ADV} §5.2.2-14, RFC 8705 §2`,
      conformance: [
        'fapi1-advanced-final-ensure-client-assertion-in-token-endpoint',
        'fapi1-advanced-final-ensure-client-assertion-with-wrong-iss-fails',
        'fapi1-advanced-final-ensure-client-assertion-with-wrong-sub-fails',
        'fapi1-advanced-final-ensure-client-assertion-with-no-sub-fails',
        'fapi1-advanced-final-ensure-client-assertion-with-wrong-aud-fails',
        'fapi1-advanced-final-ensure-client-assertion-with-iss-aud-succeeds',
        'fapi1-advanced-final-par-ensure-client-assertion-with-wrong-aud-fails',
        'fapi1-advanced-final-par-ensure-client-assertion-with-wrong-iss-fails',
        'fapi1-advanced-final-par-ensure-client-assertion-with-wrong-sub-fails',
        'fapi1-advanced-final-test-array-as-audience-for-client-JWT-assertion',
        'fapi1-advanced-final-par-test-pushed-authorization-url-as-audience-for-client-JWT-assertion',
        'fapi1-advanced-final-par-token-endpoint-url-as-audience-for-client-JWT-assertion',
        'fapi1-advanced-final-ensure-client-id-in-token-endpoint',
        'fapi1-advanced-final-par-attempt-to-use-request_uri-for-different-client',
      ],
      requirement:
        'Authenticate clients with tls_client_auth or private_key_jwt (self_signed_tls_client_auth is not offered: tokens are bound only to directory transport certificates)',
      enforcedBy: oidcProvider("clientAuthMethods: ['private_key_jwt', 'tls_client_auth']"),
      fix: 'authenticate with the method the client registered: a client_assertion (private_key_jwt) or the registered certificate on the mTLS endpoint',
      violations: [
        { error: 'invalid_request', message: /^no client authentication mechanism provided$/ },
        {
          error: 'invalid_client',
          message:
            /^the provided authentication mechanism does not match the registered client authentication method$/,
        },
        { error: 'invalid_client', message: /^client certificate was not (provided|verified)$/ },
        { error: 'invalid_client', message: /^certificate subject value does not match the registered one$/ },
        {
          error: 'invalid_client',
          message: /client_assertion|JWT (issuer|subject|ID)|audience \(aud\)/,
        },
        { error: 'invalid_client', message: /^client not found$/ },
        {
          error: 'invalid_client',
          message: /^client assertion tokens must only be used once$/,
          explain:
            'This client assertion was already used: its jti may authenticate one request only (RFC 7523 section 3, item 7)',
        },
      ],
    },
    {
      id: 'assertion-lifetime',
      clause: 'RFC 7523 §3 (4, 5), OIDC Core §9',
      conformance: ['fapi1-advanced-final-ensure-client-assertion-with-exp-is-5-minutes-in-past-fails'],
      requirement: `A client assertion is unexpired and already valid (clockTolerance ${settings.clockToleranceSeconds} s)`,
      enforcedBy: oidcProvider(
        `clockTolerance: ${settings.clockToleranceSeconds} (provider.clockToleranceSeconds)`,
      ),
      fix: "synchronise the client's clock (the Date response header gives the server's time) and sign a fresh, short-lived assertion",
      violations: [
        { error: 'invalid_client', message: /^jwt (expired|not active yet|issued in the future)$/ },
      ],
    },
    {
      id: 'confidential-clients-only',
      clause: `${ADV} §5.2.2-16`,
      conformance: ['fapi1-advanced-final-ensure-client-assertion-in-token-endpoint'],
      requirement: 'No public clients',
      enforcedBy: both('clientAuthMethods', 'registration/metadata-policy.ts'),
    },
    {
      id: 'pkce-with-par',
      clause: `${ADV} §5.2.2-18, RFC 7636`,
      conformance: [
        'fapi1-advanced-final-par-ensure-pkce-required',
        'fapi1-advanced-final-ensure-pkce-code-verifier-required',
        'fapi1-advanced-final-incorrect-pkce-code-verifier-rejected',
        'fapi1-advanced-final-par-plain-pkce-rejected',
      ],
      requirement: 'Pushed authorization requests use PKCE with S256',
      enforcedBy: oidcProvider('pkce.required'),
      fix: 'send code_challenge with code_challenge_method=S256 in the pushed request, and code_verifier at the token endpoint',
      violations: [
        {
          error: 'invalid_request',
          message: /^Authorization Server policy requires PKCE to be used for this request$/,
        },
        {
          error: 'invalid_request',
          message: /^not supported value of code_challenge_method$/,
          explain: 'code_challenge_method must be S256 (plain is not accepted)',
        },
        { error: 'invalid_request', message: /code_challenge/ },
        { error: 'invalid_grant', message: /code_verifier/ },
      ],
    },
    {
      id: 'redirect-uri-required-and-exact',
      clause: `${BASE} §5.2.2-8, §5.2.2-9, §5.2.2-10`,
      conformance: [
        'fapi1-advanced-final-ensure-registered-redirect-uri',
        'fapi1-advanced-final-ensure-request-object-without-redirect-uri-fails',
        'fapi1-advanced-final-ensure-redirect-uri-in-authorization-request',
        'fapi1-advanced-final-par-attempt-invalid-redirect_uri',
      ],
      requirement: 'redirect_uri is required and equals a pre-registered one exactly',
      enforcedBy: oidcProvider('allowOmittingSingleRegisteredRedirectUri: false'),
      fix: "send redirect_uri, byte for byte one of the client's registered redirect_uris",
      violations: [
        { error: 'invalid_request', message: /^missing required parameter.*redirect_uri/ },
        { error: 'invalid_request', message: /^redirect_uri did not match/ },
        { error: 'invalid_redirect_uri', message: /./ },
        { error: 'invalid_grant', message: /^authorization code redirect_uri mismatch$/ },
      ],
    },
    {
      id: 'https-redirect-uris',
      clause: `${BASE} §5.2.2-20`,
      requirement: 'Redirect URIs use https',
      enforcedBy: bankOp('registration/metadata-policy.ts'),
    },
    {
      id: 'nonce-or-state',
      clause: `${BASE} §5.2.2.2-1, §5.2.2.3-1`,
      conformance: ['fapi1-advanced-final-ensure-request-object-without-nonce-fails'],
      requirement: 'nonce is required when scope has openid; state when it does not',
      enforcedBy: oidcProvider("features.fapi.profile '1.0 Final'"),
      fix: 'put nonce (openid) or state in the request object',
      violations: [{ error: 'invalid_request', message: /^missing required parameter.*(nonce|state)/ }],
    },
    {
      id: 'scope-in-request-object',
      clause: `${ADV} §5.2.2-10`,
      conformance: ['fapi1-advanced-final-ensure-request-object-without-scope-fails'],
      requirement: 'scope is inside the signed request object',
      enforcedBy: bankOp('provider/jwt-checks.ts'),
      fix: 'put scope (and every other authorization parameter) in the request object',
    },
    {
      id: 'code-single-use',
      clause: `${BASE} §5.2.2-13, RFC 6749 §4.1.2`,
      conformance: ['fapi1-advanced-final-attempt-reuse-authorisation-code-after-one-second'],
      requirement: 'An authorization code is used once; reuse revokes every token it issued',
      enforcedBy: oidcProvider('AuthorizationCode.consume + revokeByGrantId (storage/sqlite-adapter.ts)'),
      fix: 'redeem each code once; the tokens from the first redemption are now revoked',
      violations: [{ error: 'invalid_grant', message: /^authorization code already consumed$/ }],
    },
    {
      id: 'code-lifetime',
      clause: 'RFC 6749 §4.1.2 (bank policy: 60 s, as FAPI 2.0 SP §5.3.2.1-11)',
      requirement: `Authorization codes live at most 60 seconds (here ${settings.authorizationCodeSeconds})`,
      enforcedBy: oidcProvider(
        `ttl.AuthorizationCode: ${settings.authorizationCodeSeconds} (provider.authorizationCodeSeconds)`,
      ),
      fix: 'redeem the code at once; start a new authorization if it expired',
      violations: [{ error: 'invalid_grant', message: /^authorization code is expired$/ }],
    },
    {
      id: 'code-bound-to-client',
      clause: 'RFC 6749 §4.1.3',
      conformance: [
        'fapi1-advanced-final-ensure-authorization-code-is-bound-to-client',
        'fapi1-advanced-final-ensure-client-id-in-token-endpoint',
      ],
      requirement: 'A code is redeemed only by the client it was issued to',
      enforcedBy: oidcProvider('authorization_code grant'),
      fix: 'redeem the code with the client that started the authorization',
      violations: [{ error: 'invalid_grant', message: /^client mismatch$/ }],
    },
    {
      id: 'request-uri-lifetime',
      clause: 'RFC 9126 §2.2',
      conformance: [
        'fapi1-advanced-final-par-attempt-to-use-expired-request_uri',
        'fapi1-advanced-final-par-attempt-reuse-request_uri',
        'fapi1-advanced-final-par-ensure-reused-request-uri-prior-to-auth-completion-succeeds',
      ],
      requirement: `request_uri values from PAR live ${settings.requestUriSeconds} seconds and are used once`,
      enforcedBy: oidcProvider(`PAR expires_in ${settings.requestUriSeconds} (provider.requestUriSeconds)`),
      fix: 'push a new authorization request and redirect the user at once',
      violations: [{ error: 'invalid_request_uri', message: /./ }],
    },
    {
      id: 'informed-consent',
      clause: `${BASE} §5.2.2-12, §5.2.2-17`,
      conformance: ['fapi1-advanced-final-user-rejects-authentication'],
      requirement: 'The customer explicitly approves what the client asks for',
      enforcedBy: bankOp('interactions/consent-page.ts'),
    },
    {
      id: 'signing-algorithms',
      clause: `${ADV} §8.6-1, §8.6-3`,
      conformance: [
        'fapi1-advanced-final-ensure-signed-client-assertion-with-RS256-fails',
        'fapi1-advanced-final-ensure-signed-request-object-with-RS256-fails',
      ],
      requirement: 'JWS with PS256 or ES256 only; never none, never RS256',
      enforcedBy: both('enabledJWA', 'provider/jwt-checks.ts'),
      fix: 'sign with PS256 or ES256',
      violations: [
        {
          error: 'invalid_client',
          message: /^alg mismatch$/,
          explain: 'The client assertion is signed with an algorithm this server does not accept',
        },
        { error: 'invalid_request_object', message: /^unsupported signed request alg$/ },
      ],
    },
    {
      id: 'key-sizes',
      clause: `${BASE} §5.2.2-5, §5.2.2-6`,
      requirement: 'RSA keys of at least 2048 bits, EC keys of at least 160 bits',
      enforcedBy: both('jose (refuses RSA keys under 2048 bits for PS256)', 'registration/software-jwks.ts'),
    },
    // Decoupled authentication, for the clients of this profile that register the CIBA grant.
    ...fapiCibaRules,
  ],
};
