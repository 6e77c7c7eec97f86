// Cross-site request forgery: another site's page can make a browser send a POST to a party (a text/plain
// form or fetch needs no CORS preflight), and the browser attaches that party's cookies. What it cannot
// forge is where the request comes from: Sec-Fetch-Site (W3C Fetch Metadata §2.4) and Origin (RFC 6454 §7).
// One rule for every party with state-changing browser endpoints (the TPP's JSON API, the directory's forms).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { OAuthError } from './errors.js';

/** RFC 9110 §9.2.1: safe methods change nothing, so they need no proof of origin. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Why a state-changing request must be refused as cross-site, or undefined when the browser shows it comes
 * from `ownOrigin` itself. A request passes when Sec-Fetch-Site is `same-origin` or Origin equals
 * `ownOrigin`, and neither says otherwise. `Origin: null` proves nothing either way: Chromium sends it on
 * same-origin posts from a page under `Referrer-Policy: no-referrer` (then Sec-Fetch-Site decides), and
 * sandboxed frames send it too. A request with neither header is refused: every browser this sandbox
 * supports sends at least one on a POST, so only a page that hides its origin arrives without both.
 */
export function crossSiteRefusal(
  headers: IncomingHttpHeaders,
  ownOrigin: string,
  fix: string,
): OAuthError | undefined {
  const site = single(headers['sec-fetch-site']);
  const origin = single(headers.origin);
  const siteSaysSame = site === 'same-origin';
  const originSaysSame = origin === ownOrigin;
  const siteSaysOther = site !== undefined && !siteSaysSame;
  const originSaysOther = origin !== undefined && origin !== 'null' && !originSaysSame;
  if ((siteSaysSame || originSaysSame) && !siteSaysOther && !originSaysOther) return undefined;
  const seen = `Origin was ${origin ?? 'absent'}, Sec-Fetch-Site was ${site ?? 'absent'}`;
  return new OAuthError({
    status: 403,
    error: 'access_denied',
    description: `Cross-site request refused: a state-changing request must come from a page of ${ownOrigin} itself (${seen})`,
    clause: 'W3C Fetch Metadata §2.4, RFC 6454 §7',
    fix,
  });
}

/** Middleware: every unsafe method must pass crossSiteRefusal; GET, HEAD and OPTIONS go through. */
export function sameOriginStateChanges(ownOrigin: string, fix: string) {
  return (req: IncomingMessage, _res: unknown, next: (err?: unknown) => void): void => {
    if (SAFE_METHODS.has(req.method ?? 'GET')) {
      next();
      return;
    }
    next(crossSiteRefusal(req.headers, ownOrigin, fix));
  };
}
