// FAPI 2.0 Security Profile (final), as bank-op enforces it: one line per rule, top to bottom in the
// order of the spec (§5.3.2.1 general, §5.3.2.2 authorization endpoint flows, §5.4 cryptography).
// Each rule names who enforces it: an oidc-provider setting (see provider/configuration.ts) or a
// bank-op module. `violations` recognise oidc-provider's own error texts so provider/explain-errors.ts
// can add the clause and the fix to the error_description a client receives.
import { type ClientPolicy, fapi2ClientPolicy } from './client-policy.js';
import { fapi2ProviderSettings, type ProviderSettings } from './provider-settings.js';
import { bankOp, both, oidcProvider, type Rule } from './rule.js';

export interface ProfileDefinition {
  id: ClientPolicy['profile'];
  title: string;
  client: ClientPolicy;
  /** The values oidc-provider is configured with for this profile's clients. */
  provider: ProviderSettings;
  rules: readonly Rule[];
}

const SP = 'FAPI 2.0 SP';
const settings = fapi2ProviderSettings;

export const fapi2: ProfileDefinition = {
  id: 'fapi2',
  title: 'FAPI 2.0 Security Profile (final)',
  client: fapi2ClientPolicy,
  provider: settings,
  rules: [
    {
      id: 'discovery',
      clause: `${SP} §5.3.2.1-1, RFC 8414, RFC 8705 §5`,
      conformance: ['fapi2-security-profile-final-discovery-end-point-verification'],
      requirement:
        'Publish discovery metadata advertising exactly what is enforced, mTLS endpoints through mtls_endpoint_aliases',
      enforcedBy: both('discovery', 'provider/discovery.ts'),
    },
    {
      id: 'no-password-grant',
      clause: `${SP} §5.3.2.1-2`,
      requirement: 'Reject the resource owner password credentials grant',
      enforcedBy: oidcProvider('grant types: authorization_code, refresh_token, client_credentials only'),
      fix: 'use the authorization code flow with PAR',
      violations: [{ error: 'unsupported_grant_type', message: /unsupported grant_type requested/ }],
    },
    {
      id: 'confidential-clients-only',
      clause: `${SP} §5.3.2.1-3`,
      conformance: ['fapi2-security-profile-final-ensure-client-assertion-in-token-endpoint'],
      requirement: 'Only confidential clients (no token_endpoint_auth_method "none")',
      enforcedBy: both('clientAuthMethods', 'registration/metadata-policy.ts'),
    },
    {
      id: 'sender-constrained-tokens',
      clause: `${SP} §5.3.2.1-4, §5.3.2.1-5`,
      conformance: [
        'fapi2-security-profile-final-ensure-holder-of-key-required',
        'fapi2-security-profile-final-refresh-token',
      ],
      requirement:
        'Issue only sender-constrained access tokens, bound to the client certificate (RFC 8705) or a DPoP key (RFC 9449)',
      enforcedBy: both(
        'client metadata tls_client_certificate_bound_access_tokens | dpop_bound_access_tokens',
        'registration/metadata-policy.ts',
      ),
      fix: 'present the certificate the token is bound to on the mTLS endpoint (mtls_endpoint_aliases), or send a DPoP proof signed with the registered DPoP key',
      violations: [
        {
          error: 'invalid_grant',
          message: /^mutual TLS client certificate not provided$/,
          explain:
            "This client's access tokens are bound to its TLS client certificate, and the token request presented none",
        },
        {
          error: 'invalid_grant',
          message: /^DPoP proof JWT not provided$/,
          explain: "This client's access tokens are DPoP-bound, and the token request carried no DPoP header",
        },
      ],
      // No 'failed x5t#S256/jkt verification': refresh tokens of confidential clients are not bound
      // (RFC 9449 §5, RFC 8705 §4), and this bank has no public clients.
    },
    {
      id: 'client-authentication',
      clause: `${SP} §5.3.2.1-6, RFC 8705 §2`,
      conformance: [
        'fapi2-security-profile-final-ensure-client-assertion-in-token-endpoint',
        'fapi2-security-profile-final-ensure-client-assertion-with-wrong-aud-fails',
        'fapi2-security-profile-final-ensure-client-assertion-with-no-sub-fails',
        'fapi2-security-profile-final-ensure-client-id-in-token-endpoint',
      ],
      requirement:
        'Authenticate clients with private_key_jwt or tls_client_auth (self_signed_tls_client_auth is not offered: tokens are bound only to directory transport certificates)',
      enforcedBy: oidcProvider("clientAuthMethods: ['private_key_jwt', 'tls_client_auth']"),
      fix: 'authenticate with the method the client registered: a client_assertion (private_key_jwt) or the registered certificate on the mTLS endpoint',
      violations: [
        { error: 'invalid_request', message: /^no client authentication mechanism provided$/ },
        {
          error: 'invalid_client',
          message:
            /^the provided authentication mechanism does not match the registered client authentication method$/,
        },
        { error: 'invalid_client', message: /^client certificate was not provided$/ },
        {
          error: 'invalid_client',
          message: /^client certificate was not verified$/,
          explain: 'The client certificate does not chain to the Directory CA',
        },
        { error: 'invalid_client', message: /^certificate subject value does not match the registered one$/ },
        {
          error: 'invalid_client',
          message: /client_assertion|JWT (issuer|subject|ID)/,
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
      id: 'assertion-audience-is-issuer',
      clause: `${SP} §5.3.2.1-8`,
      conformance: [
        'fapi2-security-profile-final-par-test-array-as-audience-fails',
        'fapi2-security-profile-final-par-test-par-endpoint-url-as-audience-fails',
        'fapi2-security-profile-final-par-test-token-endpoint-url-as-audience-fails',
        'fapi2-security-profile-final-ensure-client-assertion-with-wrong-aud-fails',
      ],
      requirement: 'Accept only the issuer identifier, as a string, as the aud of a client assertion',
      enforcedBy: oidcProvider("features.fapi.profile '2.0' (assertJwtClientAuthClaimsAndHeader)"),
      fix: 'set aud to the issuer identifier exactly, as a string (not an array, not the endpoint URL)',
      violations: [{ error: 'invalid_client', message: /audience \(aud\)/ }],
    },
    {
      id: 'no-refresh-token-rotation',
      clause: `${SP} §5.3.2.1-9`,
      conformance: ['fapi2-security-profile-final-refresh-token'],
      requirement: 'Do not rotate refresh tokens',
      enforcedBy: oidcProvider('rotateRefreshToken: false'),
    },
    {
      id: 'dpop-nonce',
      clause: `${SP} §5.3.2.1-10, RFC 9449 §8`,
      conformance: ['fapi2-security-profile-final-ensure-dpopproof-at-par-endpoint-binding-success'],
      requirement: 'DPoP proofs at the authorization server carry a server-provided nonce',
      enforcedBy: oidcProvider(
        `features.dPoP { nonceSecret, requireNonce: ${settings.dpopNonceRequired} } (provider.dpopNonceRequired)`,
      ),
      fix: 'retry once with the DPoP-Nonce response header value as the proof nonce',
      violations: [{ error: 'use_dpop_nonce', message: /nonce/ }],
    },
    {
      id: 'dpop-proof',
      clause: 'RFC 9449 §4.3',
      conformance: [
        'fapi2-security-profile-final-check-dpop-proof-nbf-exp',
        'fapi2-security-profile-final-ensure-dpopproof-with-iat-10seconds-before-succeeds',
        'fapi2-security-profile-final-ensure-dpopproof-with-iat-10seconds-after-succeeds',
        'fapi2-security-profile-final-dpop-negative-tests',
      ],
      requirement: 'A DPoP proof is a fresh, well-formed JWS over this request (htm, htu, iat, jti, ath)',
      enforcedBy: oidcProvider('features.dPoP'),
      fix: 'sign a new proof for this exact method and URL with typ dpop+jwt, a public jwk, a unique jti and the current iat',
      violations: [
        { error: 'invalid_dpop_proof', message: /./ },
        {
          error: 'invalid_grant',
          message: /^DPoP proof JWT Replay detected$/,
          explain: 'This DPoP proof (jti) was already used',
        },
      ],
    },
    {
      id: 'code-lifetime',
      clause: `${SP} §5.3.2.1-11`,
      conformance: ['fapi2-security-profile-final-ensure-token-endpoint-fails-with-expired-auth-code'],
      requirement: `Authorization codes live at most 60 seconds (here ${settings.authorizationCodeSeconds})`,
      enforcedBy: oidcProvider(
        `ttl.AuthorizationCode: ${settings.authorizationCodeSeconds} (provider.authorizationCodeSeconds)`,
      ),
      fix: 'redeem the code at once; start a new authorization if it expired',
      violations: [{ error: 'invalid_grant', message: /^authorization code is expired$/ }],
    },
    {
      id: 'dpop-code-binding',
      clause: `${SP} §5.3.2.1-12, RFC 9449 §10`,
      conformance: [
        'fapi2-security-profile-final-ensure-mismatched-dpop-jkt-fails',
        'fapi2-security-profile-final-ensure-token-endpoint-fails-with-mismatched-dpop-proof-jkt',
        'fapi2-security-profile-final-ensure-token-endpoint-fails-with-mismatched-dpop-jkt',
        'fapi2-security-profile-final-ensure-dpopproof-at-par-endpoint-binding-success',
        'fapi2-security-profile-final-ensure-dpop-auth-code-binding-success',
      ],
      requirement:
        'Bind the authorization code to the DPoP key named at PAR (dpop_jkt or the PAR DPoP proof)',
      enforcedBy: oidcProvider('features.dPoP + PAR (dpop_jkt)'),
      fix: 'sign the DPoP proofs at PAR and at the token endpoint with the same key, whose thumbprint is dpop_jkt',
      violations: [
        { error: 'invalid_request', message: /^DPoP proof key thumbprint does not match dpop_jkt$/ },
        { error: 'invalid_grant', message: /^DPoP proof key thumbprint does not match dpop_jkt$/ },
        {
          error: 'invalid_grant',
          message: /^missing DPoP proof JWT$/,
          explain:
            'The authorization code is bound to a DPoP key (dpop_jkt) and the token request carried no DPoP proof',
        },
      ],
    },
    {
      id: 'clock-tolerance',
      clause: `${SP} §5.3.2.1-13`,
      conformance: [
        'fapi2-security-profile-final-par-ensure-jwt-client-assertions-nbf-8-seconds-in-the-future-is-accepted',
        'fapi2-security-profile-final-par-ensure-jwt-client-assertions-nbf-over-60-seconds-in-the-future-fails',
        'fapi2-security-profile-final-ensure-client-assertion-with-exp-is-5-minutes-in-past-fails',
        'fapi2-security-profile-final-ensure-dpopproof-with-iat-10seconds-before-succeeds',
        'fapi2-security-profile-final-ensure-dpopproof-with-iat-10seconds-after-succeeds',
      ],
      requirement: 'Accept iat/nbf up to 10 s in the future, reject more than 60 s',
      enforcedBy: oidcProvider(
        `clockTolerance: ${settings.clockToleranceSeconds} (provider.clockToleranceSeconds)`,
      ),
      fix: "synchronise the client's clock (the Date response header gives the server's time) and sign a fresh, short-lived JWT",
      violations: [
        { error: 'invalid_client', message: /^jwt (expired|not active yet|issued in the future)$/ },
      ],
    },
    {
      id: 'response-type-code',
      clause: `${SP} §5.3.2.2-1`,
      conformance: [
        'fapi2-security-profile-final-ensure-response-type-code-idtoken-fails',
        'fapi2-security-profile-final-ensure-response-type-token-fails',
      ],
      requirement: 'response_type is code, and only code',
      enforcedBy: both("client metadata response_types: ['code']", 'registration/metadata-policy.ts'),
      fix: 'send response_type=code',
      violations: [
        { error: 'invalid_request', message: /^requested response_type is not allowed for this client$/ },
        { error: 'unsupported_response_type', message: /./ },
      ],
    },
    {
      id: 'par-required',
      clause: `${SP} §5.3.2.2-3, RFC 9126 §5`,
      conformance: [
        'fapi2-security-profile-final-ensure-unsigned-authorization-request-without-using-par-fails',
        'fapi2-security-profile-final-par-without-duplicate-parameters',
        'fapi2-security-profile-final-ensure-different-state-inside-and-outside-request-object',
        'fapi2-security-profile-final-ensure-different-nonce-inside-and-outside-request-object',
        'fapi2-security-profile-final-state-only-outside-request-object-not-used',
        'fapi2-security-profile-final-par-authorization-request-containing-request_uri-form-param',
      ],
      requirement:
        'Authorization requests arrive only through PAR: the authorization endpoint takes client_id and request_uri',
      enforcedBy: both(
        'client metadata require_pushed_authorization_requests: true',
        'registration/metadata-policy.ts',
      ),
      fix: 'POST the parameters to pushed_authorization_request_endpoint and send only client_id and request_uri to the authorization endpoint',
      violations: [{ error: 'invalid_request', message: /^Pushed Authorization Request must be used$/ }],
    },
    {
      id: 'par-client-authentication',
      clause: `${SP} §5.3.2.2-4`,
      conformance: ['fapi2-security-profile-final-par-attempt-to-use-request_uri-for-different-client'],
      requirement: 'Pushed authorization requests are client-authenticated',
      enforcedBy: oidcProvider('features.pushedAuthorizationRequests'),
    },
    {
      id: 'pkce-s256',
      clause: `${SP} §5.3.2.2-5, RFC 7636`,
      conformance: [
        'fapi2-security-profile-final-par-ensure-pkce-required',
        'fapi2-security-profile-final-ensure-pkce-code-verifier-required',
        'fapi2-security-profile-final-incorrect-pkce-code-verifier-rejected',
        'fapi2-security-profile-final-par-plain-pkce-rejected',
      ],
      requirement: 'PKCE with S256 on every authorization request',
      enforcedBy: oidcProvider('pkce.required'),
      fix: 'send code_challenge=BASE64URL(SHA256(code_verifier)) with code_challenge_method=S256, and the code_verifier at the token endpoint',
      violations: [
        {
          error: 'invalid_request',
          message: /^Authorization Server policy requires PKCE to be used for this request$/,
          explain: 'The authorization request has no code_challenge',
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
      clause: `${SP} §5.3.2.2-6, RFC 9126 §2.4`,
      conformance: [
        'fapi2-security-profile-final-ensure-registered-redirect-uri',
        'fapi2-security-profile-final-ensure-request-object-without-redirect-uri-fails',
        'fapi2-security-profile-final-ensure-redirect-uri-in-authorization-request',
      ],
      requirement: 'redirect_uri is required in the pushed request and must equal a registered one exactly',
      enforcedBy: oidcProvider(
        'allowOmittingSingleRegisteredRedirectUri: false, PAR allowUnregisteredRedirectUris: false',
      ),
      fix: "send redirect_uri, byte for byte one of the client's registered redirect_uris",
      violations: [
        { error: 'invalid_request', message: /^missing required parameter.*redirect_uri/ },
        { error: 'invalid_request', message: /^redirect_uri did not match/ },
        { error: 'invalid_redirect_uri', message: /./ },
        { error: 'invalid_grant', message: /^authorization code redirect_uri mismatch$/ },
      ],
    },
    {
      id: 'iss-in-authorization-response',
      clause: `${SP} §5.3.2.2-7, RFC 9207`,
      conformance: [
        'fapi2-security-profile-final-happy-flow',
        'fapi2-security-profile-final-user-rejects-authentication',
      ],
      requirement: 'Every authorization response carries iss',
      enforcedBy: oidcProvider('always on (authorization_response_iss_parameter_supported)'),
    },
    {
      id: 'https-redirect-uris',
      clause: `${SP} §5.3.2.2-8`,
      requirement: 'Redirect URIs use https',
      enforcedBy: bankOp('registration/metadata-policy.ts'),
    },
    {
      id: 'code-single-use',
      clause: `${SP} §5.3.2.2-9, RFC 6749 §4.1.2`,
      conformance: ['fapi2-security-profile-final-attempt-reuse-authorization-code-after-one-second'],
      requirement: 'An authorization code is used once; reuse revokes every token it issued',
      enforcedBy: oidcProvider('AuthorizationCode.consume + revokeByGrantId (storage/sqlite-adapter.ts)'),
      fix: 'redeem each code once; the tokens from the first redemption are now revoked',
      violations: [{ error: 'invalid_grant', message: /^authorization code already consumed$/ }],
    },
    {
      id: 'code-bound-to-client',
      clause: 'RFC 6749 §4.1.3',
      conformance: [
        'fapi2-security-profile-final-ensure-authorization-code-is-bound-to-client',
        'fapi2-security-profile-final-ensure-client-id-in-token-endpoint',
      ],
      requirement: 'A code is redeemed only by the client it was issued to',
      enforcedBy: oidcProvider('authorization_code grant'),
      fix: 'redeem the code with the client that started the authorization',
      violations: [{ error: 'invalid_grant', message: /^client mismatch$/ }],
    },
    {
      id: 'redirect-with-303',
      clause: `${SP} §5.3.2.2-10, §5.3.2.2-11`,
      requirement:
        'Redirects use 303 See Other, never 307 (which would replay the sign-in form to the client)',
      enforcedBy: oidcProvider('response modes query/fragment and interactionFinished answer 303'),
    },
    {
      id: 'request-uri-lifetime',
      clause: `${SP} §5.3.2.2-12, RFC 9126 §2.2`,
      conformance: [
        'fapi2-security-profile-final-par-attempt-to-use-expired-request_uri',
        'fapi2-security-profile-final-par-attempt-reuse-request_uri',
        'fapi2-security-profile-final-par-ensure-reused-request-uri-prior-to-auth-completion-succeeds',
      ],
      requirement: `request_uri values live ${settings.requestUriSeconds} seconds (less than 600) and are used once`,
      enforcedBy: oidcProvider(`PAR expires_in ${settings.requestUriSeconds} (provider.requestUriSeconds)`),
      fix: 'push a new authorization request and redirect the user at once',
      violations: [{ error: 'invalid_request_uri', message: /./ }],
    },
    {
      id: 'nonce-length',
      clause: `${SP} §5.3.2.2-14`,
      conformance: [
        'fapi2-security-profile-final-ensure-authorization-request-with-64-char-nonce-success',
        'fapi2-security-profile-final-ensure-authorization-request-with-long-nonce',
      ],
      requirement: 'nonce values of up to 64 characters are accepted and returned unchanged',
      enforcedBy: oidcProvider('no nonce length limit'),
    },
    {
      id: 'informed-consent',
      clause: `${SP} §5.3.2.2-13`,
      conformance: ['fapi2-security-profile-final-user-rejects-authentication'],
      requirement: 'Show the customer who the client is and what it asks for',
      enforcedBy: bankOp('interactions/consent-page.ts'),
    },
    {
      id: 'request-object-exp-nbf',
      clause: 'RFC 9101 §10.2 (bank policy for FAPI 2.0, as FAPI 1.0 Adv §5.2.2-13/17)',
      requirement: `A signed request object (JAR, optional with PAR) has exp and nbf, at most ${settings.requestObjectWindowSeconds} s apart and nbf at most ${settings.requestObjectWindowSeconds} s old`,
      enforcedBy: both("features.fapi.profile '2.0' (requestObjects)", 'provider/jwt-checks.ts'),
      fix: 'set nbf to now and exp to at most now + 3600 in the request object',
      // provider/jwt-checks.ts replaces oidc-provider's exp/nbf/aud presence checks with its own explained errors.
      violations: [{ error: 'invalid_request_object', message: /^jwt (expired|not active yet)$/ }],
    },
    {
      id: 'request-object-aud',
      clause: 'RFC 9101 §4, §6.3',
      requirement:
        "A signed request object's aud is, or contains, the issuer identifier, and its iss is the client",
      enforcedBy: oidcProvider('requestObjects'),
      fix: 'set aud to the issuer identifier and iss to the client_id, and sign with a key from the client JWKS',
      violations: [
        { error: 'invalid_request_object', message: /^jwt (audience missing|issuer invalid)/ },
        { error: 'invalid_request_object', message: /^could not validate Request Object$/ },
      ],
    },
    {
      id: 'request-object-contents',
      clause: 'RFC 9101 §4, FAPI 2.0 Message Signing §5.3',
      requirement:
        'A signed request object carries the authorization parameters themselves, never a request or request_uri',
      enforcedBy: oidcProvider('requestObjects'),
      fix: 'put the authorization parameters in the request object and leave out request and request_uri',
      violations: [{ error: 'invalid_request_object', message: /request or request_uri properties/ }],
    },
    {
      id: 'signing-algorithms',
      clause: `${SP} §5.4.1-1`,
      conformance: ['fapi2-security-profile-final-ensure-signed-client-assertion-with-RS256-fails'],
      requirement:
        'JWS with PS256, ES256 or EdDSA (also named Ed25519, RFC 9864) only; never none, never RS256',
      enforcedBy: both('enabledJWA', 'provider/jwt-checks.ts'),
      fix: `sign with one of ${fapi2ClientPolicy.signingAlgs.join(', ')}`,
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
      id: 'credential-entropy',
      clause: `${SP} §5.4.1-4, RFC 6749 §10.10`,
      conformance: ['fapi2-security-profile-final-happy-flow'],
      requirement: 'Codes, refresh tokens and request_uri values carry at least 128 bits of entropy',
      enforcedBy: oidcProvider('formats.bitsOfOpaqueRandomness: 256 (default)'),
    },
    {
      id: 'key-sizes',
      clause: `${SP} §5.4.1-2, §5.4.1-3`,
      requirement: 'RSA keys of at least 2048 bits, EC keys of at least 224 bits',
      enforcedBy: both('jose (refuses RSA keys under 2048 bits for PS256)', 'registration/software-jwks.ts'),
    },
    // Beyond the profile: Rich Authorization Requests, offered to FAPI 2.0 clients (RFC 9396).
    {
      id: 'authorization-details-types',
      clause: 'RFC 9396 §5',
      requirement:
        'authorization_details carry only the types the bank supports (payment_initiation, account_information), each as its schema defines it',
      enforcedBy: both('features.richAuthorizationRequests.types', 'provider/rich-authorization.ts'),
      fix: 'send one payment_initiation or account_information detail, as authorization_details_types_supported in discovery lists',
      violations: [
        {
          error: 'invalid_authorization_details',
          message: /^unsupported authorization details type/,
          explain:
            'The authorization details type is not one this bank supports (payment_initiation, account_information)',
        },
      ],
    },
    {
      id: 'authorization-details-unchanged',
      clause: 'RFC 9396 §6.1, §7',
      requirement:
        'The access token carries exactly the details the customer granted; a token request naming other details is refused',
      enforcedBy: both(
        'features.richAuthorizationRequests.authorizationDetailsForAccessToken',
        'provider/rich-authorization.ts',
      ),
      fix: 'send no authorization_details at the token endpoint, or exactly those of the pushed request',
    },
  ],
};
