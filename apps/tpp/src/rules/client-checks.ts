// The checks Moneywise's client engine (packages/fapi-client/src/authorization-response.ts) runs on the
// bank's authorization response before it reads the code, as the rule catalogue shows them: the rules a
// client enforces, because the bank cannot (the response travels through the customer's browser).
import type { RuleView } from '../shared/rules.js';

type ClientCheck = Omit<RuleView, 'ref' | 'attacks' | 'conformance'>;

const ENGINE = 'Moneywise’s client engine: fapi-client/src/authorization-response.ts';

/** By the name the engine reports each check under (the name attacks give as `tpp:<name>`). */
export const CLIENT_CHECKS: readonly ClientCheck[] = [
  {
    id: 'iss is the bank the request was sent to',
    clause: 'RFC 9207 §2.4, FAPI 2.0 SP §5.3.3.2',
    requirement:
      'The authorization response’s iss parameter names the issuer the request was sent to, before anything else in the response is read',
    enforcedBy: ENGINE,
    fix: 'discard a response whose iss differs: that is what a mix-up attack looks like',
  },
  {
    id: 'state matches the request',
    clause: 'RFC 6749 §10.12',
    requirement: 'The authorization response carries the state this client sent with its request',
    enforcedBy: ENGINE,
    fix: 'keep the state of each request and compare it with the response’s before reading the code',
  },
  {
    id: 'JARM response verifies',
    clause: 'JARM §4.4',
    requirement:
      'A JARM response is a JWT signed by the bank’s keys, issued by the bank, for this client, not expired',
    enforcedBy: ENGINE,
    fix: 'verify the JWT with the bank’s jwks_uri keys and check iss, aud and exp before reading code or state',
  },
  {
    id: 'JARM state matches the request',
    clause: 'JARM §4.4, RFC 6749 §4.1.2',
    requirement: 'The state inside the verified JARM JWT is the one this client sent',
    enforcedBy: ENGINE,
    fix: 'compare the JWT’s state claim with the request’s before reading the code',
  },
];
