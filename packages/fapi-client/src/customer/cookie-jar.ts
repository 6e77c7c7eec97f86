// A browser's cookies, as much of them as the bank's pages need: kept per host (name and port, as
// parties on one host may differ only by port), sent back on every request to that host. Each Set-Cookie line
// is read by the `cookie` package (express's own parser, RFC 6265 §5.2). Paths and domains are not
// modelled (the bank's cookies are host-only and last the session); a cookie the server expires (Max-Age=0,
// or an Expires date in the past, as oidc-provider clears its cookies) is evicted (RFC 6265 §5.3).
import { parseSetCookie, type SetCookie } from 'cookie';

/** host → cookie name → value. A plain map, so another user agent playing the same browser can share it. */
export type CookieJar = Map<string, Map<string, string>>;

/** The Cookie header for a request to `url`, if the jar holds cookies for its host. */
export function cookieHeader(jar: CookieJar, url: URL): string | undefined {
  const cookies = jar.get(url.host);
  if (!cookies || cookies.size === 0) return undefined;
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Max-Age wins over Expires (RFC 6265 §5.3 step 3): a cookie is expired when either says "now or before". */
function expired(cookie: SetCookie, now = Date.now()): boolean {
  if (cookie.maxAge !== undefined) return cookie.maxAge <= 0;
  return cookie.expires !== undefined && cookie.expires.getTime() <= now;
}

/** Keeps the cookies a response from `url` sets (its Set-Cookie lines); a line that is no cookie is ignored. */
export function keepCookies(jar: CookieJar, url: URL, setCookies: readonly string[]): void {
  if (setCookies.length === 0) return;
  const cookies = jar.get(url.host) ?? new Map<string, string>();
  for (const line of setCookies) {
    // The value is kept as sent (not URI-decoded): a browser returns the bytes it was given.
    const cookie = parseSetCookie(line, { decode: (value) => value });
    if (!cookie.name) continue;
    if (expired(cookie)) cookies.delete(cookie.name);
    else cookies.set(cookie.name, cookie.value ?? '');
  }
  jar.set(url.host, cookies);
}
