// The values oidc-provider is configured with for a profile's clients: the profile holds each value,
// provider/configuration.ts reads it (per client where oidc-provider asks per client, as one value where
// it takes one for every client), and the rules in fapi2.ts and fapi1-advanced.ts quote it.
// test/posture-settings.test.ts fails when the configuration and these values disagree.
import type { ProfileId } from './rule.js';

const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;

export interface ProviderSettings {
  profile: ProfileId;
  /** ttl.AuthorizationCode, seconds. */
  authorizationCodeSeconds: number;
  /**
   * expires_in of a PAR request_uri, seconds. oidc-provider 9 fixes it at 60 (MAX_TTL in
   * actions/authorization/pushed_authorization_requests.js, not configurable): the value states it, and
   * the settings test checks the running provider answers with it.
   */
  requestUriSeconds: number;
  /** A request object's exp is at most this after its nbf, and its nbf at most this old (provider/jwt-checks.ts). */
  requestObjectWindowSeconds: number;
  /** clockTolerance, seconds. oidc-provider takes one value for every client, so every profile names the same. */
  clockToleranceSeconds: number;
  /** DPoP proofs at the authorization server carry a server nonce (RFC 9449 §8). */
  dpopNonceRequired: boolean;
  /** Authorization responses may be JWTs (JARM, response_mode=jwt). */
  jarm: boolean;
  /** Lifetimes, seconds, of what the bank issues to the client. */
  tokens: {
    accessToken: number;
    clientCredentials: number;
    idToken: number;
    /** The refresh token and its grant (the connection) live as long as the consent may. */
    refreshToken: number;
  };
}

export const fapi2ProviderSettings: ProviderSettings = {
  profile: 'fapi2',
  // FAPI 2.0 SP §5.3.2.1-11: at most 60 seconds.
  authorizationCodeSeconds: 60,
  // FAPI 2.0 SP §5.3.2.2-12: less than 600 seconds.
  requestUriSeconds: 60,
  // RFC 9101 §10.2, bank policy as FAPI 1.0 Adv §5.2.2-13/17.
  requestObjectWindowSeconds: 60 * MINUTE,
  // FAPI 2.0 SP §5.3.2.1-13: accept up to 10 s in the future, refuse more than 60 s.
  clockToleranceSeconds: 15,
  // FAPI 2.0 SP §5.3.2.1-10.
  dpopNonceRequired: true,
  jarm: true,
  // FAPI 1.0 Part 1 §5.2.2-21 (short-lived access tokens); OB consents last at most 90 days.
  tokens: {
    accessToken: 10 * MINUTE,
    clientCredentials: 10 * MINUTE,
    idToken: 10 * MINUTE,
    refreshToken: 90 * DAY,
  },
};

export const fapi1AdvancedProviderSettings: ProviderSettings = {
  profile: 'fapi1-advanced',
  // RFC 6749 §4.1.2 (bank policy: as FAPI 2.0 SP §5.3.2.1-11).
  authorizationCodeSeconds: 60,
  // RFC 9126 §2.2.
  requestUriSeconds: 60,
  // FAPI 1.0 Adv §5.2.2-13, §5.2.2-17: 60 minutes.
  requestObjectWindowSeconds: 60 * MINUTE,
  clockToleranceSeconds: 15,
  // DPoP is not a FAPI 1.0 Advanced sender constraint (client-policy.ts); the nonce setting is shared.
  dpopNonceRequired: true,
  // FAPI 1.0 Adv §5.2.2-2: response_type=code needs response_mode=jwt.
  jarm: true,
  // FAPI 1.0 Part 1 §5.2.2-21.
  tokens: {
    accessToken: 10 * MINUTE,
    clientCredentials: 10 * MINUTE,
    idToken: 10 * MINUTE,
    refreshToken: 90 * DAY,
  },
};

export const fapi1BaselineProviderSettings: ProviderSettings = {
  profile: 'fapi1-baseline',
  authorizationCodeSeconds: 60,
  requestUriSeconds: 60,
  requestObjectWindowSeconds: 60 * MINUTE,
  clockToleranceSeconds: 15,
  dpopNonceRequired: true,
  // Baseline has no JARM: the code comes back in the plain query response.
  jarm: false,
  // FAPI 1.0 Part 1 §5.2.2-21: under 10 minutes, as these bearer tokens are not sender-constrained.
  tokens: {
    accessToken: 5 * MINUTE,
    clientCredentials: 5 * MINUTE,
    idToken: 10 * MINUTE,
    refreshToken: 90 * DAY,
  },
};
