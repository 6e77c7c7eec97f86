// FAPI 1.0 Part 1: Baseline (final), as bank-op enforces it: the first rung of the ladder Baseline →
// Advanced → 2.0. The rules Advanced builds on are Advanced's own rules (fapi1-advanced.ts), with the
// Part 1 clause; the rest say what Baseline allows that Advanced forbids: a plain authorization request in
// the browser (no signed request object, PAR optional), response_type code answered in the query (no
// JARM), and bearer access tokens (not sender-constrained). oidc-provider has no Baseline mode, so these
// clients run with its FAPI mode off and the settings and bank-op modules named here enforce every rule.
import { fapi1BaselineClientPolicy } from './client-policy.js';
import { fapi1Advanced } from './fapi1-advanced.js';
import type { ProfileDefinition } from './fapi2.js';
import { fapi1BaselineProviderSettings } from './provider-settings.js';
import { bankOp, both, oidcProvider, type Rule } from './rule.js';

const BASE = 'FAPI 1.0 Part 1';

/** An Advanced rule that Baseline demands as well, under the Part 1 clause. */
function asInAdvanced(id: string, change: Partial<Rule> = {}): Rule {
  const rule = fapi1Advanced.rules.find((candidate) => candidate.id === id);
  if (!rule) throw new Error(`fapi1-advanced has no rule '${id}'`);
  // Advanced's conformance modules test Advanced, not Baseline (the suite has no Baseline plan).
  const { conformance: _advancedModules, ...shared } = rule;
  return { ...shared, ...change };
}

export const fapi1Baseline: ProfileDefinition = {
  id: 'fapi1-baseline',
  title: 'FAPI 1.0 Part 1: Baseline (final)',
  client: fapi1BaselineClientPolicy,
  provider: fapi1BaselineProviderSettings,
  rules: [
    asInAdvanced('discovery', { clause: `${BASE} §5.2.2-22, RFC 8705 §5` }),
    {
      id: 'plain-authorization-request',
      clause: `${BASE} §5.2.2, RFC 6749 §4.1.1`,
      requirement:
        'The authorization request may travel as plain query parameters in the browser: a signed request object and PAR are optional (Advanced requires one of them, FAPI 2.0 requires PAR)',
      enforcedBy: both(
        'client metadata require_signed_request_object: false, require_pushed_authorization_requests: false',
        'registration/metadata-checks/profile-demands.ts',
      ),
    },
    {
      id: 'response-type',
      clause: `${BASE} §5.2.2, RFC 6749 §4.1.2`,
      requirement:
        'response_type is "code"; the code comes back as a plain query parameter (no JARM, so nothing signs the response: Advanced §5.2.2-2 adds that)',
      enforcedBy: oidcProvider("responseTypes (client metadata response_types: ['code'])"),
      fix: 'use response_type=code',
      violations: [
        { error: 'invalid_request', message: /^requested response_type is not allowed for this client$/ },
        { error: 'unsupported_response_type', message: /./ },
      ],
    },
    {
      id: 'bearer-tokens',
      clause: `${BASE} §6.2.1-2, §5.2.2-21, RFC 6750 §2.1`,
      requirement:
        'Access tokens are bearer tokens (not sender-constrained): whoever holds one may use it, so they live under 10 minutes. Advanced §5.2.2-5 and FAPI 2.0 §5.3.2.1-4 bind them to the client',
      enforcedBy: both(
        'client metadata tls_client_certificate_bound_access_tokens and dpop_bound_access_tokens false; ttl.AccessToken',
        'registration/metadata-checks/sender-constraint.ts',
      ),
      fix: 'register with fapi_profile "fapi1-advanced" or "fapi2" for sender-constrained tokens',
    },
    asInAdvanced('client-authentication', { clause: `${BASE} §5.2.2-4, RFC 8705 §2` }),
    asInAdvanced('assertion-lifetime'),
    {
      // Baseline §5.2.2-2 says the server should support public clients too. This bank does not: every
      // client is a directory-registered TPP whose software statement, keys and transport certificate are
      // what bank-api asks the directory about at each call; a client that cannot authenticate could not
      // show that a token was issued to that software. PKCE (below) still guards every code.
      id: 'confidential-clients-only',
      clause: `${BASE} §5.2.2-1, §5.2.2-2 (public clients: should, not offered)`,
      requirement:
        'Confidential clients only (no token_endpoint_auth_method "none"): the directory vouches for software that authenticates',
      enforcedBy: both('clientAuthMethods', 'registration/metadata-policy.ts'),
    },
    asInAdvanced('pkce-with-par', {
      id: 'pkce',
      clause: `${BASE} §5.2.2-7, RFC 7636`,
      requirement: 'Every authorization request uses PKCE with S256',
      enforcedBy: oidcProvider("pkce.required (client policy pkce: 'always')"),
      fix: 'send code_challenge with code_challenge_method=S256, and code_verifier at the token endpoint',
    }),
    asInAdvanced('redirect-uri-required-and-exact'),
    asInAdvanced('https-redirect-uris'),
    asInAdvanced('nonce-or-state', {
      requirement: 'nonce is required when scope has openid; state when it does not',
      enforcedBy: bankOp('provider/nonce-or-state.ts'),
    }),
    asInAdvanced('code-single-use'),
    asInAdvanced('code-lifetime'),
    asInAdvanced('code-bound-to-client'),
    asInAdvanced('request-uri-lifetime'),
    asInAdvanced('informed-consent'),
    asInAdvanced('signing-algorithms', { clause: 'FAPI 1.0 Adv §8.6-1 (bank policy for Baseline)' }),
    asInAdvanced('key-sizes'),
  ],
};
