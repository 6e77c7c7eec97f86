// Refusals the flow expects and answers are part of the protocol, not failures: the bank asking for a
// DPoP nonce it issued (answered by a retry), an expired access token (answered by a refresh), and the
// bank API refusing the old token after disconnecting (which proves the revocation worked). Each is
// marked with why, naming the profile in use, so the inspector does not paint it red.
import type { TimelineEntry } from '../shared/timeline.js';
import { CIBA_STEPS, CIBA_WAITING_TITLES } from './ciba-steps.js';
import { DPOP_NONCE_RETRY, STEPS } from './steps.js';

/** The OAuth error of a refusal: the JSON body's `error`, or the WWW-Authenticate challenge's. */
function errorOf(entry: TimelineEntry): string | undefined {
  const body = entry.responseBody as { error?: unknown } | undefined;
  if (body && typeof body === 'object' && typeof body.error === 'string') return body.error;
  const challenge = entry.responseHeaders?.['www-authenticate'];
  return challenge ? /error="([^"]+)"/.exec(challenge)?.[1] : undefined;
}

/** The message Moneywise sent next, after the one at `index`. */
function nextMessage(entries: TimelineEntry[], index: number): TimelineEntry | undefined {
  return entries.slice(index + 1).find((later) => later.channel !== 'internal');
}

function succeeded(entry: TimelineEntry | undefined): boolean {
  return entry?.status !== undefined && entry.status < 400;
}

function whyExpected(entries: TimelineEntry[], index: number, profile: string): string | undefined {
  const entry = entries[index]!;
  if (entry.status === undefined || entry.status < 400) return undefined;
  const error = errorOf(entry);
  const next = nextMessage(entries, index);
  // RFC 9449 §8 (authorization server) and §9 (resource server): a nonce the server issued.
  if (error === 'use_dpop_nonce' && next?.title.startsWith(DPOP_NONCE_RETRY.title)) {
    const where =
      entry.to === 'bank-api'
        ? 'the bank API asks for a DPoP nonce it issued (RFC 9449 §9)'
        : 'the bank’s authorization server asks for a DPoP nonce it issued (FAPI 2.0 SP §5.3.2.1-10, RFC 9449 §8)';
    return `Expected under ${profile}: ${where}. The first proof had none, so the bank answered use_dpop_nonce with a fresh DPoP-Nonce header, and Moneywise signed a new proof with it and retried (the next message). The nonce proves each proof was made just now.`;
  }
  // RFC 6750 §3.1, RFC 6749 §6: an expired access token is answered by a refresh, then the call again.
  // Only when the refresh and the call after it succeed: a token refused for another reason (the
  // software suspended, the grant revoked) is not answered by a refresh, and is a real refusal.
  if (
    entry.status === 401 &&
    error === 'invalid_token' &&
    next?.title === STEPS.refresh.title &&
    succeeded(next) &&
    succeeded(nextMessage(entries, entries.indexOf(next)))
  ) {
    return `Expected under ${profile}: the access token had expired at the bank API (RFC 6750 §3.1), so Moneywise refreshed it with its refresh token and client authentication (RFC 6749 §6) and called again.`;
  }
  // CIBA §11: "not yet" while the customer has not answered on the bank app, and "slower" (slow_down).
  if (entry.status === 400 && CIBA_WAITING_TITLES.has(entry.title)) {
    return entry.title === CIBA_STEPS.slowDown.title
      ? `Expected under ${profile} with decoupled authentication: Moneywise polled sooner than the interval, so the bank answered slow_down (CIBA §11); Moneywise now waits 5 seconds longer between polls.`
      : `Expected under ${profile} with decoupled authentication: the customer has not answered on the bank app yet, so the bank answers authorization_pending (CIBA §11) and Moneywise polls again after the interval.`;
  }
  // RFC 7009 §2: after disconnecting, the old token must be refused at once.
  if (entry.status === 401 && entry.title === STEPS['api-after-disconnect'].title) {
    return `Expected under ${profile}: Moneywise disconnected, so the bank revoked the grant and deleted the consent, and its API must refuse the old access token at once (RFC 7009 §2, FAPI 2.0 SP §5.3.4). This 401 is the proof that the revocation took effect, even though the token has not expired and its ${/DPoP/.test(profile) ? 'DPoP proof' : 'certificate'} is still valid.`;
  }
  return undefined;
}

export function markExpectedRefusals(entries: TimelineEntry[], profile = 'this profile'): void {
  entries.forEach((entry, index) => {
    const because = whyExpected(entries, index, profile);
    if (because) {
      entry.expected = true;
      entry.expectedBecause = because;
    }
  });
}
