// What the inspector may show of another party's front-channel records: no usable code, response or
// passcode, while the JWTs stay readable.

import type { DecodedJwt } from '@fapi-sandbox/fapi-core/trace';
import { describe, expect, it } from 'vitest';
import { redactBody, redactHeaders } from '../../src/trace/redact.js';

const jwt = (claims: Record<string, unknown>) =>
  [
    Buffer.from(JSON.stringify({ alg: 'PS256', kid: 'k1' })).toString('base64url'),
    Buffer.from(JSON.stringify(claims)).toString('base64url'),
    'c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU',
  ].join('.');

describe('redaction of front-channel records', () => {
  it('masks the code and the JARM response in a redirect’s Location, and decodes the JWT', () => {
    const jwts: DecodedJwt[] = [];
    const response = jwt({ iss: 'https://bank.localhost:9443', code: 'a-code-long-enough-to-use' });
    const headers = redactHeaders(
      {
        Location: `https://tpp.localhost:8543/callback?code=a-code-long-enough-to-use&state=s1&response=${response}`,
      },
      jwts,
    );
    const location = new URL(headers.location!);
    expect(location.searchParams.get('code')).toMatch(/redacted/);
    expect(location.searchParams.get('response')).toMatch(/redacted/);
    expect(location.searchParams.get('state')).toBe('s1');
    expect(headers.location).not.toContain('a-code-long-enough-to-use');
    expect(jwts).toEqual([expect.objectContaining({ where: 'authorization response (JARM)' })]);
  });

  it('masks a password and a one-time passcode in a sign-in form', () => {
    expect(redactBody({ username: 'alice', password: 'wonderland', otp: '123456' }, [])).toEqual({
      username: 'alice',
      password: '[redacted]',
      otp: '[redacted]',
    });
  });
});
