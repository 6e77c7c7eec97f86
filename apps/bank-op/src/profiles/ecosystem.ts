// The open-banking ecosystem's rules, whatever FAPI profile a client registered for: who may register
// (the directory vouches for the software and its certificate), what it may register, and how the
// bank's consents (UK Open Banking "intents") bind an authorization. One line per rule, as in
// fapi2.ts and fapi1-advanced.ts.
import { bankOp, both, type Rule } from './rule.js';

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
    id: 'intent-required',
    clause: 'OB Read/Write API v3.1 §Consent, OIDC Core §5.5',
    requirement:
      'An accounts or payments authorization names a consent (openbanking_intent_id) that this client created and that awaits authorisation',
    enforcedBy: bankOp('provider/intent.ts'),
  },
  {
    id: 'intent-bound-grant',
    clause: 'OB Read/Write API v3.1 §Consent',
    requirement:
      'Authorising or rejecting writes the consent; tokens carry its id and are issued only while it stays authorised',
    enforcedBy: bankOp('interactions/routes.ts, provider/intent.ts'),
  },
  {
    id: 'access-tokens-for-bank-api',
    clause: 'RFC 8707 §2, RFC 9068 §3, OIDC Core §5.3',
    requirement:
      'Every access token is a JWT for bank-api (its aud); the userinfo endpoint refuses such tokens, and the ID token carries the claims',
    enforcedBy: both('features.resourceIndicators', 'provider/configuration.ts'),
    fix: 'read sub, acr and openbanking_intent_id from the ID token; use the access token at bank-api',
    violations: [
      { error: 'invalid_token', message: /token audience prevents accessing the userinfo endpoint/ },
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
      "Introspection and revocation take the client's own refresh token; a JWT access token is self-contained and is not introspected or revoked",
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
    id: 'strong-customer-authentication',
    clause: 'PSD2 RTS Art. 4, OB Security Profile (acr urn:openbanking:psd2:sca)',
    requirement: 'The customer signs in with a password and a one-time passcode (two factors)',
    enforcedBy: bankOp('interactions/routes.ts'),
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
];
