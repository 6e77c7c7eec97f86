// The scripted customer's cookie jar: per host, sent back as one Cookie header, and forgetting what the
// server expires the way a browser does (RFC 6265 §5.3: Max-Age first, else Expires).
import { describe, expect, it } from 'vitest';
import { type CookieJar, cookieHeader, keepCookies } from '../../src/customer/cookie-jar.js';

const bank = new URL('https://bank.localhost:8443/interaction/1');

describe('cookie jar', () => {
  it('keeps cookies per host and forgets the ones the server clears', () => {
    const jar: CookieJar = new Map();
    const tppSite = new URL('https://tpp.localhost:3000/');
    keepCookies(jar, bank, ['_interaction=abc; path=/interaction/1; httponly', '_session=s1; path=/']);
    keepCookies(jar, tppSite, ['tpp=t1; Path=/']);
    expect(cookieHeader(jar, bank)).toBe('_interaction=abc; _session=s1');
    expect(cookieHeader(jar, new URL('https://bank.localhost:8443/other'))).toBe(
      '_interaction=abc; _session=s1',
    );
    expect(cookieHeader(jar, tppSite)).toBe('tpp=t1');
    expect(cookieHeader(jar, new URL('https://bank.localhost:9443/'))).toBeUndefined();

    keepCookies(jar, bank, [
      '_interaction=; path=/interaction/1; expires=Thu, 01 Jan 1970 00:00:00 GMT',
      '_session=s2; path=/',
    ]);
    expect(cookieHeader(jar, bank)).toBe('_session=s2');
    keepCookies(jar, bank, ['_session=gone; Max-Age=0']);
    expect(cookieHeader(jar, bank)).toBeUndefined();
  });

  it('forgets a cookie whose Expires date has passed, whatever the year, or whose Max-Age is negative', () => {
    const jar: CookieJar = new Map();
    keepCookies(jar, bank, ['a=1', 'b=2', 'c=3']);
    keepCookies(jar, bank, ['a=x; Expires=Wed, 21 Oct 2015 07:28:00 GMT', 'b=y; Max-Age=-1']);
    expect(cookieHeader(jar, bank)).toBe('c=3');
  });

  it('lets Max-Age win over Expires, and keeps a cookie that expires later', () => {
    const jar: CookieJar = new Map();
    const nextYear = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    keepCookies(jar, bank, [
      'fresh=1; Max-Age=3600; Expires=Thu, 01 Jan 1970 00:00:00 GMT',
      `later=2; Expires=${nextYear}`,
    ]);
    expect(cookieHeader(jar, bank)).toBe('fresh=1; later=2');
  });

  it('ignores a line that sets no cookie', () => {
    const jar: CookieJar = new Map();
    keepCookies(jar, bank, ['=nameless', '; Path=/', 'ok=1']);
    expect(cookieHeader(jar, bank)).toBe('ok=1');
  });
});
