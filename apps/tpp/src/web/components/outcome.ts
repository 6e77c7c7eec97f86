// How the inspector paints a message: failed, passed, expected refusal or plain information; and whether
// it carries a token, the only messages where a key or certificate beside the token's cnf means anything.
import type { TimelineEntry } from '../../shared/timeline.js';

export type Outcome = 'ok' | 'failed' | 'expected' | 'info';

export function refused(entry: TimelineEntry): boolean {
  return (entry.status !== undefined && entry.status >= 400) || entry.checks.some((c) => !c.passed);
}

export function outcomeOf(entry: TimelineEntry): Outcome {
  // A refusal the flow expects and answers (a DPoP nonce retry, the 401 after disconnecting) is not a failure.
  if (refused(entry)) return entry.expected === true ? 'expected' : 'failed';
  return entry.status !== undefined || entry.checks.length > 0 ? 'ok' : 'info';
}

function hasField(body: unknown, name: string): boolean {
  if (typeof body === 'string') return new RegExp(`(^|[?&"{,\\s])${name}["=]`).test(body);
  return typeof body === 'object' && body !== null && name in body;
}

/**
 * A response carrying an access token (token endpoint), or a request presenting one (Authorization
 * header, or a decoded access token among its JWTs): where cnf binding is checked (RFC 8705 §3, RFC 9449 §6).
 */
export function carriesToken(entry: TimelineEntry): boolean {
  const authorization = entry.requestHeaders?.authorization;
  if (authorization && /^(DPoP|Bearer)\s/i.test(authorization)) return true;
  if (hasField(entry.responseBody, 'access_token')) return true;
  return entry.jwts.some((jwt) => /^access token|\.access_token$/i.test(jwt.where));
}
