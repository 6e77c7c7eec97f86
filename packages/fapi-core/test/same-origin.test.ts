// The one same-origin rule for state-changing browser requests (the TPP's JSON API, the directory's forms).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { OAuthError } from '../src/errors.js';
import { crossSiteRefusal, sameOriginStateChanges } from '../src/same-origin.js';

const OWN = 'https://tpp.localhost:7443';
const FIX = "use Moneywise's own pages";

describe('crossSiteRefusal', () => {
  it.each([
    ['the same Origin and Sec-Fetch-Site same-origin', { origin: OWN, 'sec-fetch-site': 'same-origin' }],
    ['the same Origin from a browser without Fetch Metadata', { origin: OWN }],
    [
      "Chromium's Origin null under no-referrer, with Sec-Fetch-Site same-origin",
      { origin: 'null', 'sec-fetch-site': 'same-origin' },
    ],
    ['Sec-Fetch-Site same-origin alone', { 'sec-fetch-site': 'same-origin' }],
  ])('lets a request from the party itself through: %s', (_case, headers) => {
    expect(crossSiteRefusal(headers, OWN, FIX)).toBeUndefined();
  });

  it.each([
    [
      'another site, as a modern browser says it',
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ],
    ['another site, as an older browser says it', { origin: 'https://evil.example' }],
    [
      'a sibling host (same-site is not same-origin)',
      { origin: 'https://bank.localhost:7443', 'sec-fetch-site': 'same-site' },
    ],
    ['another port of the same host', { origin: 'https://tpp.localhost:7444' }],
    ['http instead of https', { origin: 'http://tpp.localhost:7443' }],
    ['our Origin, but the browser says cross-site', { origin: OWN, 'sec-fetch-site': 'cross-site' }],
    [
      'Sec-Fetch-Site same-origin, but another Origin',
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
    ],
    ['a user-typed request (Sec-Fetch-Site none)', { 'sec-fetch-site': 'none' }],
    ['Origin null alone', { origin: 'null' }],
    ['neither header', {}],
  ])('refuses %s with 403 access_denied, the clauses and the fix', (_case, headers) => {
    const refusal = crossSiteRefusal(headers, OWN, FIX);
    expect(refusal?.status).toBe(403);
    expect(refusal?.error).toBe('access_denied');
    expect(refusal?.errorDescription).toMatch(
      /^Cross-site request refused: a state-changing request must come from a page of https:\/\/tpp\.localhost:7443 itself \(Origin was .*, Sec-Fetch-Site was .*\) \(W3C Fetch Metadata section 2\.4, RFC 6454 section 7\)\. Fix: use Moneywise's own pages\.$/,
    );
  });
});

describe('sameOriginStateChanges', () => {
  const run = (method: string, headers: Record<string, string>) => {
    let passed: unknown = 'not called';
    sameOriginStateChanges(OWN, FIX)({ method, headers } as unknown as IncomingMessage, {}, (err) => {
      passed = err;
    });
    return passed as OAuthError | undefined;
  };

  it('lets safe methods through from anywhere: they change nothing (RFC 9110 section 9.2.1)', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS'])
      expect(run(method, { origin: 'https://evil.example' })).toBeUndefined();
  });

  it('judges every other method', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(run(method, { origin: 'https://evil.example' })?.status).toBe(403);
      expect(run(method, { origin: OWN })).toBeUndefined();
    }
  });
});
