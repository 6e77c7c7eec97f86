// A browser's cookies, as much of them as the bank's pages need: kept per host (name and port, as
// `*.localhost` parties differ only by port), sent back on every request to that host. Paths, domains and
// expiry dates are not modelled (the bank's cookies are host-only and last the session); a cookie the
// server clears (Max-Age=0 or an expiry in 1970, as oidc-provider does) is forgotten.

/** host → cookie name → value. A plain map, so another user agent playing the same browser can share it. */
export type CookieJar = Map<string, Map<string, string>>;

/** The Cookie header for a request to `url`, if the jar holds cookies for its host. */
export function cookieHeader(jar: CookieJar, url: URL): string | undefined {
  const cookies = jar.get(url.host);
  if (!cookies || cookies.size === 0) return undefined;
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

/** Keeps the cookies a response from `url` sets (its Set-Cookie lines). */
export function keepCookies(jar: CookieJar, url: URL, setCookies: readonly string[]): void {
  if (setCookies.length === 0) return;
  const cookies = jar.get(url.host) ?? new Map<string, string>();
  for (const line of setCookies) {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const cleared = attributes.some(
      (attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /^\s*expires=.*\b1970\b/i.test(attribute),
    );
    if (cleared || value === '') cookies.delete(name);
    else cookies.set(name, value);
  }
  jar.set(url.host, cookies);
}
