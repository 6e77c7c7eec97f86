// What the inspector may show of a message. Credentials (tokens, assertions, codes, verifiers) are
// replaced by a short prefix before anything is stored or sent to the browser; the JWTs among them are
// decoded first, so a learner still reads their header and claims, but never holds a usable token.

import type { DecodedJwt } from '@fapi-sandbox/fapi-core/trace';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/** Body fields and headers whose value is a credential. */
const SECRET_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'client_assertion',
  'code',
  'code_verifier',
  'registration_access_token',
  'token',
  'request',
  'response',
  'software_statement',
  'password',
  'otp',
  'client_secret',
]);
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'dpop', 'x-jws-signature']);

/** Names of the JWTs a field or header carries, for the decoded list. */
const JWT_LABELS: Record<string, string> = {
  access_token: 'access token',
  refresh_token: 'refresh token',
  id_token: 'ID token',
  client_assertion: 'client assertion (private_key_jwt)',
  request: 'request object (JAR)',
  response: 'authorization response (JARM)',
  software_statement: 'software statement assertion (SSA)',
  dpop: 'DPoP proof',
  authorization: 'access token',
  token: 'token being revoked',
};

const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(value: unknown): value is string {
  return typeof value === 'string' && JWS.test(value);
}

/** Header and claims of a compact JWS, or undefined when it is not one. Nothing is verified here. */
export function decodeJwtParts(
  value: string,
): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  try {
    return {
      header: decodeProtectedHeader(value) as Record<string, unknown>,
      claims: decodeJwt(value) as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}

export function mask(value: string): string {
  if (value.length <= 12) return '[redacted]';
  return `${value.slice(0, 10)}…[redacted, ${value.length} chars]`;
}

export interface RedactedMessage {
  headers: Record<string, string>;
  body: unknown;
  jwts: DecodedJwt[];
}

function decodeInto(jwts: DecodedJwt[], where: string, value: string): void {
  const parts = decodeJwtParts(value);
  if (parts) jwts.push({ where, ...parts });
}

/** Splits an Authorization header into scheme and credential. */
function credentialOf(header: string): { scheme: string; credential: string } {
  const space = header.indexOf(' ');
  return space < 0
    ? { scheme: '', credential: header }
    : { scheme: header.slice(0, space), credential: header.slice(space + 1).trim() };
}

export function redactHeaders(headers: Record<string, string>, jwts: DecodedJwt[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (name === 'location') {
      // A front-channel redirect carries the code or the JARM response in its query.
      out[name] = redactUrl(value, jwts);
      continue;
    }
    if (!SECRET_HEADERS.has(name)) {
      out[name] = value;
      continue;
    }
    if (name === 'authorization') {
      const { scheme, credential } = credentialOf(value);
      if (looksLikeJwt(credential)) decodeInto(jwts, `${JWT_LABELS.authorization} (${scheme})`, credential);
      out[name] = `${scheme} ${mask(credential)}`.trim();
      continue;
    }
    if (name === 'dpop') {
      // A DPoP proof is bound to one method, URL and moment (RFC 9449 §4.2): shown whole, it is still
      // decoded so that htm, htu, ath and the public key read at a glance.
      decodeInto(jwts, 'DPoP proof', value);
      out[name] = value;
      continue;
    }
    out[name] = mask(value);
  }
  return out;
}

export function redactBody(body: unknown, jwts: DecodedJwt[]): unknown {
  if (typeof body === 'string') {
    if (looksLikeJwt(body)) {
      decodeInto(jwts, 'JWT in the body', body);
      return mask(body);
    }
    return body;
  }
  if (Array.isArray(body)) return body.map((item) => redactBody(item, jwts));
  if (body === null || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (SECRET_FIELDS.has(key) && typeof value === 'string') {
      if (looksLikeJwt(value)) decodeInto(jwts, JWT_LABELS[key] ?? key, value);
      out[key] = mask(value);
    } else if (key === 'jwks' || key === 'keys') {
      out[key] = withoutPrivateMembers(value);
    } else {
      out[key] = redactBody(value, jwts);
    }
  }
  return out;
}

/** Belt and braces: a JWK's private members never reach the inspector, even if a party sent one. */
function withoutPrivateMembers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrivateMembers);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'].includes(key)) continue;
    copy[key] = typeof member === 'object' ? withoutPrivateMembers(member) : member;
  }
  return copy;
}

export function redactMessage(headers: Record<string, string>, body: unknown): RedactedMessage {
  const jwts: DecodedJwt[] = [];
  return { headers: redactHeaders(headers, jwts), body: redactBody(body, jwts), jwts };
}

/** Redacts the query of a URL (the callback carries code, response, state…). */
export function redactUrl(url: string, jwts: DecodedJwt[]): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  for (const [key, value] of [...parsed.searchParams.entries()]) {
    if (!SECRET_FIELDS.has(key)) continue;
    if (looksLikeJwt(value)) decodeInto(jwts, JWT_LABELS[key] ?? key, value);
    parsed.searchParams.set(key, mask(value));
  }
  return parsed.toString();
}
