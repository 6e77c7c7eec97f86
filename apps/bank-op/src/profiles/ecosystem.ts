// The open-banking ecosystem's rules, whatever FAPI profile a client registered for: who may register
// (the directory vouches for the software and its certificate), what it may register, and how the
// bank's consents (UK Open Banking "intents") bind an authorization. One line per rule, as in
// fapi2.ts and fapi1-advanced.ts.
import { encryptionRules } from './encryption.js';
import { bankOp, both, oidcProvider, type Rule } from './rule.js';

export const ecosystemRules: readonly Rule[] = [
  {
    id: 'ssa-required',
    clause: 'RFC 7591 §2.3, OB DCR v3.3 §4.3',
    requirement:
      'Registration carries a software_statement signed by the directory (its JWKS), unexpired, for an active organisation and software',
    enforcedBy: bankOp('registration/software-statement.ts'),
  },
  {
    id: 'registration-over-mtls',
    clause: 'OB DCR v3.3 §4.2, RFC 8705 §2.1',
    requirement:
      "Registration arrives over mTLS with an active transport certificate issued by the directory CA to the SSA's organisation (OU) and software (CN)",
    enforcedBy: bankOp('registration/transport-certificate.ts'),
  },
  {
    id: 'token-bound-to-own-certificate',
    clause: 'RFC 8705 §3, OB DCR v3.3 §4.2',
    conformance: ['fapi2-security-profile-final-happy-flow', 'fapi1-advanced-final'],
    requirement:
      "A token is bound only to an active transport certificate the directory issued to the client's own software (bank-api checks it again)",
    enforcedBy: both('features.mTLS.getCertificate', 'mtls/certificate-binding.ts'),
    fix: 'present the transport certificate the directory issued to your software',
  },
  {
    id: 'metadata-within-ssa',
    clause: 'RFC 7591 §2.3, OB DCR v3.3 §4.3',
    requirement:
      "redirect_uris are a subset of the SSA's, jwks_uri is the SSA's software_jwks_uri, client_name and logo come from the SSA",
    enforcedBy: bankOp('registration/metadata-policy.ts'),
  },
  {
    id: 'client-management',
    clause: 'RFC 7592 §2',
    requirement: 'Read, update and delete a registration with its registration access token over mTLS',
    enforcedBy: both('features.registrationManagement', 'registration/gate.ts'),
  },
  {
    id: 'participant-status',
    clause: 'OB Directory: suspension and revocation take effect immediately',
    requirement:
      'Every back-channel request checks that the directory still lists the software as active and the presented certificate as not revoked',
    enforcedBy: bankOp('participants/status-gate.ts'),
  },
  {
    id: 'jwks-uri-fetch',
    clause: 'RFC 7591 §2, oidc-provider SSRF protection',
    requirement:
      "Client JWKS are fetched only from the directory's own hosts; other private addresses stay blocked",
    enforcedBy: bankOp('provider/outbound-fetch.ts'),
  },
  {
    id: 'client-assertion-key-at-directory',
    clause: 'RFC 7523 §3-9, RFC 7591 §2 (jwks_uri)',
    requirement:
      "A private_key_jwt client assertion verifies with the key the directory publishes under its kid at the software's jwks_uri",
    enforcedBy: oidcProvider("clientAuthMethods 'private_key_jwt', keys from the SSA's software_jwks_uri"),
    fix: 'sign with the private key of a signing certificate the directory issued to your software, under its kid (the RFC 7638 thumbprint your jwks_uri lists)',
    violations: [
      {
        error: 'invalid_client',
        message: /^signature verification failed$/,
        explain:
          "The client assertion's signature does not verify with the key the directory publishes for this software under its kid",
      },
    ],
  },
  {
    id: 'intent-required',
    clause: 'OB Read/Write API v3.1 §Consent, OIDC Core §5.5',
    requirement:
      'An accounts or payments authorization names a consent (openbanking_intent_id) that this client created and that awaits authorisation',
    enforcedBy: bankOp('provider/intent.ts'),
  },
  {
    id: 'intent-bound-grant',
    clause: 'OB Read/Write API v3.1 §Consent',
    conformance: [
      'fapi2-security-profile-final-ensure-server-handles-non-matching-intent-id',
      'fapi1-advanced-final-ensure-server-handles-non-matching-intent-id',
    ],
    requirement:
      'Authorising or rejecting writes the consent; tokens carry its id and are issued only while it stays authorised',
    enforcedBy: bankOp(
      'interactions/consent-decision.ts, interactions/requested-consent.ts, provider/intent.ts',
    ),
  },
  {
    id: 'connection-lasts-as-long-as-consent',
    clause: 'OB Read/Write API v3.1 §Consent, RFC 6749 §6',
    requirement:
      "An account-access grant is not bound to the customer's browser session at the bank: its refresh token works until the consent is revoked or expires (90 days at most)",
    enforcedBy: both(
      'expiresWithSession: false, ttl.RefreshToken',
      'provider/configuration.ts, provider/intent.ts',
    ),
  },
  {
    id: 'revocation-reaches-bank-api',
    clause: 'RFC 7009 §2.1, RFC 6749 §4.1.2, FAPI 2.0 SP §5.3.4-3',
    requirement:
      'A revoked refresh token is refused, and so at bank-api, from its next call, are the access tokens of a revoked grant (a refresh token revoked, a code redeemed twice) and a revoked JWT access token',
    enforcedBy: bankOp('provider/token-revocation.ts'),
    fix: 'the connection has ended: create a new consent and ask the customer to authorise it (connect again)',
    violations: [
      {
        error: 'invalid_grant',
        message: /^refresh token not found$/,
        explain:
          'The bank holds no such refresh token: it was revoked (RFC 7009), its grant was revoked (an authorization code redeemed twice, a disconnect), or this bank never issued it',
      },
      {
        error: 'invalid_grant',
        message: /^grant not found$/,
        explain: "The refresh token's grant has been revoked, so the connection it belonged to has ended",
      },
      {
        error: 'invalid_grant',
        message: /^refresh token is expired$/,
        explain: 'The refresh token has expired (it lives as long as the grant, 90 days at most)',
      },
    ],
  },
  {
    id: 'access-tokens-for-bank-api',
    clause: 'RFC 8707 §2, RFC 9068 §3, OIDC Core §5.3',
    requirement:
      'Every access token is for bank-api (its aud): a JWT (RFC 9068), or an opaque token bank-api introspects when the client registered access_token_format "opaque"; the userinfo endpoint refuses such tokens and takes only one meant for it (a refresh with scope=openid alone), and the ID token carries the claims',
    enforcedBy: both('features.resourceIndicators', 'provider/configuration.ts'),
    fix: 'read sub, acr and openbanking_intent_id from the ID token, or refresh with scope=openid for a userinfo token; use the access token at bank-api',
    // Not oidc-provider's 'token audience prevents accessing the userinfo endpoint': userinfo looks up only
    // opaque access tokens, so a JWT for bank-api is 'not found' before its audience is read.
    violations: [
      {
        error: 'invalid_token',
        message: /^access token not found$/,
        explain:
          'The userinfo endpoint knows no such access token: every access token this bank issues is a JWT for bank-api',
      },
    ],
  },
  {
    id: 'introspect-refresh-tokens-only',
    clause: 'RFC 9068 §4, RFC 7662 §2.1, RFC 7009 §2.1',
    requirement:
      'A TPP introspects only its own refresh tokens (its opaque access tokens are for bank-api alone); a JWT access token is self-contained and is not introspected',
    enforcedBy: both('features.introspection, features.revocation', 'provider/configuration.ts'),
    fix: "send the refresh token in the token parameter; check a JWT access token yourself (the bank's JWKS, iss, aud, exp) and let it expire",
    violations: [
      { error: 'unsupported_token_type', message: /Structured JWT Tokens cannot be (introspected|revoked)/ },
      {
        error: 'invalid_request',
        message: /missing required parameter 'token'/,
        explain: 'The request has no token parameter',
      },
    ],
  },
  {
    id: 'opaque-access-tokens-introspected',
    clause: 'RFC 7662 §2.1, RFC 9701 §5, RFC 8705 §2.1',
    requirement:
      'bank-api, a resource-server client authenticating with its own directory-issued certificate (tls_client_auth), introspects any access token addressed to it and takes the answer signed by bank-op; a revoked grant makes its tokens inactive at once',
    enforcedBy: both(
      'features.introspection.allowedPolicy, features.jwtIntrospection',
      'provider/resource-server-client.ts, provider/access-token-format.ts',
    ),
    fix: 'register with access_token_format "opaque" to get opaque access tokens; only bank-api can read them',
  },
  {
    id: 'par-carries-the-request',
    clause: 'RFC 9126 §2.1',
    requirement:
      'A pushed authorization request carries the authorization parameters (or a request object), never a request_uri',
    enforcedBy: oidcProvider('features.pushedAuthorizationRequests'),
    fix: 'send the authorization parameters, or a signed request object in the request parameter, in the PAR body; request_uri is what the bank answers with',
    // oidc-provider says only `request_uri_not_supported`, with no description at all.
    violations: [
      {
        error: 'request_uri_not_supported',
        message: /^$/,
        explain:
          'The pushed authorization request carried a request_uri: the PAR body must hold the request itself',
      },
    ],
  },
  {
    id: 'assertion-signed-by-the-client-it-names',
    clause: 'RFC 7523 §3, OIDC Core §10.1.1',
    requirement:
      "A client assertion authenticates the client named in its iss and sub only if it is signed with a key the directory publishes now for that client's software",
    enforcedBy: both("clientAuthMethods: ['private_key_jwt']", 'participants/signing-key-gate.ts'),
    fix: "set iss and sub to your own client_id and sign with a key published in your own software statement's JWKS; a client cannot authenticate as another",
    // No violations entry: the signing-key gate refuses first, with this clause, before oidc-provider's own
    // 'no applicable key found' can be reached.
  },
  {
    id: 'strong-customer-authentication',
    clause: 'PSD2 RTS Art. 4, OB Security Profile (acr urn:openbanking:psd2:sca)',
    conformance: [
      'fapi2-security-profile-final-test-essential-acr-sca-claim',
      'fapi1-advanced-final-test-essential-acr-sca-claim',
    ],
    requirement: 'The customer signs in with a password and a one-time passcode (two factors)',
    enforcedBy: bankOp('interactions/sign-in.ts'),
  },
  {
    id: 'payment-sca-dynamic-linking',
    clause: 'PSD2 RTS Art. 4 and Art. 5, OB: each payment consent is authorised with SCA',
    requirement:
      'Every payment authorization asks for a new sign-in, even within a session; its passcode names the amount and payee and is valid for that interaction and payment only',
    enforcedBy: both(
      'interactions.policy (login check payment_requires_sca)',
      'provider/interaction-policy.ts, interactions/passcode.ts',
    ),
  },
  ...encryptionRules,
];
