// The web-root guard every party puts in front of its routes: what it refuses, with which error, and what
// it lets through (the parties' own routes, Vite's files inside its allowed folders only).
import { describe, expect, it } from 'vitest';
import { webRootRefusal } from '../src/web-root.js';

const VITE = { devServerFolders: ['/repo/apps/tpp/src/web', '/repo/apps/tpp/node_modules/.vite'] };

describe('webRootRefusal', () => {
  it.each([
    '/',
    '/health',
    '/.well-known/openid-configuration',
    '/open-banking/v3.1/aisp/accounts/22289/balances',
    '/organisations/0015800001041REAAY/software-statements/Mw3Tz7QkYp2Lr9DaX1bHcE/ssa',
    '/certificate-status?x5t%23S256=abc',
    '/callback?code=a&state=b&iss=https%3A%2F%2Fbank.localhost%3A9443',
    '/ui/login?next=/ui/certificates',
    '/interaction/Xq3-_z/login',
  ])('lets a party route through: %s', (target) => {
    expect(webRootRefusal(target)).toBeUndefined();
  });

  it.each([
    ['/../certs/ca/root-ca.key'],
    ['/%2e%2e/certs/ca/root-ca.key'],
    ['/%2E%2E%2Fcerts'],
    ['/..%2fcerts'],
    ['/%252e%252e%252fdata'],
    ['/..%5c..%5cpackage.json'],
    ['/..\\..\\package.json'],
    ['/assets/./x.js'],
    ['/.%2e/package.json'],
  ])('refuses a dot-segment, however encoded, as invalid_request citing RFC 3986: %s', (target) => {
    const refusal = webRootRefusal(target, VITE);
    expect(refusal?.status).toBe(400);
    expect(refusal?.error).toBe('invalid_request');
    expect(refusal?.errorDescription).toMatch(/RFC 3986 section 5\.2\.4\)\. Fix: /);
  });

  it('refuses a path still encoded after three rounds, a malformed escape, a NUL byte and a fragment', () => {
    expect(webRootRefusal('/%2525252e%2525252e/x')?.errorDescription).toMatch(/encoded more than 3 times/);
    expect(webRootRefusal('/%E0%A4%A/x')?.errorDescription).toMatch(/malformed.*RFC 3986 section 2\.1/);
    expect(webRootRefusal('/x%00.json')?.errorDescription).toMatch(/NUL byte/);
    expect(webRootRefusal('/@fs/repo/apps/tpp/src/web/x#/../../certs')?.errorDescription).toMatch(
      /fragment.*RFC 9112 section 3\.2/,
    );
  });

  it.each([
    '/certs/bank-op/signing.private.jwks.json',
    '/CERTS/ca/root-ca.key',
    '/data/directory/admin-credential.txt',
    '/static/%64ata/bank/bank.sqlite',
    '/node_modules/.vite/deps/react.js',
    '/.git/config',
    '/@id/work/certs/ca/root-ca.key',
    '/@id/__x00__virtual',
    '/@fs/repo/certs/ca/root-ca.key',
  ])('answers 404 for a folder no party serves: %s', (target) => {
    for (const options of [{}, VITE]) {
      const refusal = webRootRefusal(target, options);
      expect(refusal?.status).toBe(404);
      expect(refusal?.error).toBe('not_found');
      expect(refusal?.errorDescription).toMatch(/only its own web root.*Fix: /);
    }
  });

  it("serves Vite's /@fs/ only inside its folders, only while Vite runs, and never certs/ or data/ inside them", () => {
    expect(webRootRefusal('/@fs/repo/apps/tpp/node_modules/.vite/deps/react.js?v=1', VITE)).toBeUndefined();
    expect(webRootRefusal('/@fs/repo/apps/tpp/src/web/main.tsx', VITE)).toBeUndefined();
    expect(webRootRefusal('/@fs/repo/apps/tpp/node_modules/.vite/deps/react.js')?.status).toBe(404);
    expect(webRootRefusal('/@fs/repo/apps/tpp/src/webx/secret.ts', VITE)?.status).toBe(404);
    expect(webRootRefusal('/@fs/repo/apps/tpp/src/web/data/x.sqlite', VITE)?.status).toBe(404);
    expect(webRootRefusal('/@fs/repo/apps/tpp/src/web/../../../../certs/ca/root-ca.key', VITE)?.status).toBe(
      400,
    );
    expect(webRootRefusal('/@fs%2Frepo%2Fcerts%2Fca%2Froot-ca.key', VITE)?.status).toBe(404);
  });
});
