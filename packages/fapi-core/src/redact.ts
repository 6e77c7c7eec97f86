// What a flow trace may keep of a message: the one redaction every party applies when it records an event
// (TraceRecorder.record calls redactForStore), so a credential never reaches a trace store or a `/trace`
// reader, wherever the sender put it: an Authorization header, a cookie, an `x-api-key`, a form field,
// a JSON member, or a query string (`?access_token=`, the RFC 6750 §2.3 method FAPI forbids, is still
// redacted when a client tries it). JWTs among the credentials are noted first (trace-jwts.ts keeps their
// header and payload, decoded when read), so a learner reads their header and claims but never holds a
// usable token. Bodies are kept bounded in size and depth, so nothing a caller sends can make a later
// read of the trace fail.
import type { TraceEventInput } from './trace.js';
import {
  type DecodedJwt,
  decodedJwts,
  type JwtForDisplay,
  MAX_BODY_DEPTH,
  storedJwt,
  type TraceJwt,
} from './trace-jwts.js';

export { MAX_BODY_DEPTH } from './trace-jwts.js';

/** Shown as "[redacted]": a value whose start would already help a guesser. */
const HIDDEN_FIELDS = new Set([
  'password',
  'passcode',
  'otp',
  'pin',
  'client_secret',
  'private_key',
  'privateKey',
]);

/** Shown by their first 8 characters, enough to tell two apart; JWTs among them are decoded first. */
const SHORTENED_FIELDS = new Set([
  'access_token',
  'refresh_token',
  'id_token',
  'client_assertion',
  'assertion',
  'subject_token',
  'actor_token',
  'code',
  'code_verifier',
  'registration_access_token',
  'token',
  'request',
  'response',
  'software_statement',
  'api_key',
  'apikey',
  'session',
]);

/** Header names (lower case) whose whole value is a credential. */
const COOKIE_HEADERS = new Set(['cookie', 'set-cookie']);
/** Authorization-style headers: the scheme stays, the credential is shortened. */
const SCHEME_HEADERS = new Set(['authorization', 'proxy-authorization']);
/** Any other header carrying a credential: known names, and names that say they do. */
const SECRET_HEADERS = new Set([
  'dpop',
  'x-jws-signature',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
  'x-csrf-token',
]);
const SECRET_HEADER_NAME = /token|secret|api-?key|password|session|credential/;

/**
 * The one list of names a credential travels under: fields, parameters and headers (lower case). The trace
 * redacts by it (above) and so do the parties' logs (log.ts turns it into pino redaction paths).
 */
export const CREDENTIAL_NAMES: readonly string[] = [
  ...HIDDEN_FIELDS,
  ...SHORTENED_FIELDS,
  ...COOKIE_HEADERS,
  ...SCHEME_HEADERS,
  ...SECRET_HEADERS,
];

/** Labels for the decoded list: what the JWT in a field or header is. */
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

/** JWK members that are private key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1): never kept. */
const PRIVATE_JWK_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']);

/** Longer bodies are kept as their first characters, as text. */
export const MAX_BODY_CHARS = 64 * 1024;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function looksLikeJwt(value: unknown): boolean {
  return typeof value === 'string' && COMPACT_JWS.test(value);
}

/** A credential's first 8 characters and an ellipsis ("eyJhbGci…"); applying it twice changes nothing. */
export function shorten(value: string): string {
  return value.length <= 8 ? '…' : `${value.slice(0, 8)}…`;
}

/** Where the redaction notes the JWTs it finds, to be decoded when the event is read. */
type JwtSink = JwtForDisplay[] | undefined;

function noteJwt(jwts: JwtSink, where: string, value: string): void {
  if (jwts && looksLikeJwt(value)) jwts.push({ where, jwt: value });
}

/** A credential found under `name`: noted in `jwts` when it is a JWT, then hidden or shortened. */
function redactSecret(name: string, value: string, jwts: JwtSink): string {
  if (HIDDEN_FIELDS.has(name)) return '[redacted]';
  noteJwt(jwts, JWT_LABELS[name] ?? name, value);
  return shorten(value);
}

function isSecretField(name: string): boolean {
  return HIDDEN_FIELDS.has(name) || SHORTENED_FIELDS.has(name);
}

type HeaderInput = Record<string, string | string[] | number | undefined> | Headers | undefined;

/**
 * Headers safe to keep, names in lower case: Authorization keeps its scheme ("DPoP eyJhbGci…"), cookies
 * become "[redacted]", DPoP proofs, API keys and other credentials keep their first 8 characters, and a
 * Location keeps its URL with the credentials in its query redacted. JWTs among them go to `jwts`.
 */
export function redactHeaders(headers: HeaderInput, jwts?: JwtForDisplay[]): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  const entries: [string, unknown][] =
    headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [rawName, value] of entries) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    if (COOKIE_HEADERS.has(name)) result[name] = '[redacted]';
    else if (SCHEME_HEADERS.has(name)) result[name] = redactAuthorization(text, jwts);
    else if (name === 'location' || name === 'content-location') result[name] = redactUrl(text, jwts);
    else if (SECRET_HEADERS.has(name) || SECRET_HEADER_NAME.test(name)) {
      noteJwt(jwts, JWT_LABELS[name] ?? `${name} header`, text);
      result[name] = shorten(text);
    } else result[name] = text;
  }
  return result;
}

function redactAuthorization(value: string, jwts: JwtSink): string {
  const match = /^(\S+)\s+(\S+)/.exec(value);
  if (!match) return shorten(value);
  noteJwt(jwts, `${JWT_LABELS.authorization} (${match[1]})`, match[2]!);
  return `${match[1]} ${shorten(match[2]!)}`;
}

const URL_WITH_CREDENTIAL_PARTS = /[?#@]/;

/**
 * A URL with the credentials in its query and fragment shortened (an authorization response's code or
 * JARM response, a misplaced `?access_token=`). Relative URLs stay relative; text that is no URL is kept.
 */
export function redactUrl(url: string, jwts?: JwtForDisplay[]): string {
  // No query, fragment or userinfo: no credential to redact, and the URL is kept as it was addressed.
  if (!URL_WITH_CREDENTIAL_PARTS.test(url)) return url;
  const relative = url.startsWith('/');
  const parsed = URL.parse(url, relative ? 'https://relative.invalid' : undefined);
  if (!parsed) return url;
  const search = redactParams(parsed.searchParams, jwts);
  const fragment = parsed.hash ? redactParams(new URLSearchParams(parsed.hash.slice(1)), jwts) : undefined;
  const start = relative ? parsed.pathname : `${parsed.origin}${parsed.pathname}`;
  return `${start}${search ? `?${search}` : ''}${fragment !== undefined ? `#${fragment}` : ''}`;
}

function redactParams(params: URLSearchParams, jwts: JwtSink): string {
  const copy = new URLSearchParams();
  for (const [name, value] of params) {
    copy.append(name, isSecretField(name) ? redactSecret(name, value, jwts) : value);
  }
  return copy.toString();
}

/**
 * A copy of a request or response body with its credentials redacted and its size bounded: objects
 * (deeply, to MAX_BODY_DEPTH), JSON text, form-encoded text and a bare JWT (an SSA, a JARM response).
 * Field names match exactly (`code`, not the OB error's `Code`). JWKs lose their private members.
 */
export function redactBody(body: unknown, jwts?: JwtForDisplay[]): unknown {
  if (typeof body === 'string') return bounded(redactText(body, jwts));
  const redacted = redactValue(body, 0, jwts);
  const text = JSON.stringify(redacted);
  return text !== undefined && text.length > MAX_BODY_CHARS ? bounded(text) : redacted;
}

function bounded(text: string): string {
  return text.length <= MAX_BODY_CHARS
    ? text
    : `${text.slice(0, MAX_BODY_CHARS)}…[${text.length - MAX_BODY_CHARS} more characters not kept]`;
}

function redactText(text: string, jwts: JwtSink): string {
  const trimmed = text.trim();
  if (looksLikeJwt(trimmed)) {
    noteJwt(jwts, 'JWT in the body', trimmed);
    return shorten(trimmed);
  }
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      return text;
    }
    return JSON.stringify(redactValue(parsed, 0, jwts));
  }
  // application/x-www-form-urlencoded: name=value pairs without spaces.
  if (/^[^\s=&]+=[^\s]*$/.test(trimmed)) return redactParams(new URLSearchParams(trimmed), jwts);
  return text;
}

function redactValue(value: unknown, depth: number, jwts: JwtSink): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_BODY_DEPTH) return `[nested deeper than ${MAX_BODY_DEPTH} levels: not kept]`;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, jwts));
  const isJwk = typeof (value as { kty?: unknown }).kty === 'string';
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (isJwk && PRIVATE_JWK_MEMBERS.has(name)) continue;
    if (HIDDEN_FIELDS.has(name)) copy[name] = '[redacted]';
    else if (SHORTENED_FIELDS.has(name) && typeof field === 'string')
      copy[name] = redactSecret(name, field, jwts);
    else copy[name] = redactValue(field, depth + 1, jwts);
  }
  return copy;
}

/**
 * A body as the recorder keeps it: an object (or array) as its redacted JSON text, parsed again only when
 * the event is read (bodyOf), so recording copies no object; anything else as redactBody gives it.
 */
export type StoredBody = { json: string } | { value: unknown };

/**
 * JSON text naming none of these members needs no walk: no credential field (HIDDEN_FIELDS,
 * SHORTENED_FIELDS) and no JWK (`kty`), whose private members would go. JSON.stringify writes a member
 * name as `"name":` with nothing escaped in these names, so none can hide from this test.
 */
const MEMBERS_TO_REDACT = new RegExp(`"(?:${[...HIDDEN_FIELDS, ...SHORTENED_FIELDS, 'kty'].join('|')})":`);

/** Whether JSON text nests objects and arrays more than `limit` deep (brackets inside strings aside). */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the character after it.
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x7b || code === 0x5b) {
      if (++depth > limit) return true;
    } else if (code === 0x7d || code === 0x5d) depth--;
  }
  return false;
}

/**
 * A body redacted as redactBody redacts it, kept as the recorder keeps it. Most bodies (an API's answer)
 * hold no credential, no JWK and nothing too deep or too long: their JSON text, written once, is kept as it
 * is; any other goes through redactBody.
 */
export function storedBody(body: unknown, jwts?: JwtForDisplay[]): StoredBody {
  if (body !== null && typeof body === 'object') {
    let text: string | undefined;
    try {
      text = JSON.stringify(body);
    } catch {
      text = undefined; // a cycle or a BigInt: redactBody's walk bounds and reports it as before
    }
    if (
      text !== undefined &&
      text.length <= MAX_BODY_CHARS &&
      !MEMBERS_TO_REDACT.test(text) &&
      // A body nesting MAX_BODY_DEPTH objects is cut at that depth (redactValue): it is walked.
      !nestsDeeperThan(text, MAX_BODY_DEPTH)
    ) {
      return { json: text };
    }
  }
  const redacted = redactBody(body, jwts);
  return redacted !== null && typeof redacted === 'object'
    ? { json: JSON.stringify(redacted) }
    : { value: redacted };
}

/** A stored body as readers see it. */
export function bodyOf(stored: StoredBody): unknown {
  return 'json' in stored ? JSON.parse(stored.json) : stored.value;
}

/** An event as the recorder keeps it: redacted, with the JWTs it was given and those found in it. */
export type StoredEventInput<T extends TraceEventInput> = Omit<T, 'jwts' | 'requestBody' | 'responseBody'> & {
  jwts: TraceJwt[];
  /** JWTs the redaction found in the message, shown unless the recording party gave the same one. */
  foundJwts: TraceJwt[];
  requestBody?: StoredBody;
  responseBody?: StoredBody;
};

/**
 * An event as it may be stored: URL, headers and bodies redacted, the JWTs found in them noted beside
 * those the recording party gave, none decoded yet and none with its signature (trace-jwts.ts).
 */
export function redactForStore<T extends TraceEventInput>(input: T): StoredEventInput<T> {
  const found: JwtForDisplay[] = [];
  const { requestBody, responseBody, jwts: given = [], ...event } = input;
  const stored = event as unknown as StoredEventInput<T>;
  if (input.url !== undefined) stored.url = redactUrl(input.url, found);
  if (input.requestHeaders) stored.requestHeaders = redactHeaders(input.requestHeaders, found);
  if (input.responseHeaders) stored.responseHeaders = redactHeaders(input.responseHeaders, found);
  if (requestBody !== undefined) stored.requestBody = storedBody(requestBody, found);
  if (responseBody !== undefined) stored.responseBody = storedBody(responseBody, found);
  // The same text the party gave is shown once anyway: not kept twice.
  const known = new Set(given.map((jwt) => ('jwt' in jwt ? jwt.jwt : undefined)));
  stored.jwts = given.map(storedJwt);
  stored.foundJwts = found.filter((jwt) => !known.has(jwt.jwt)).map(storedJwt);
  return stored;
}

/** An event as it may be shown: redacted, the JWTs given and found decoded (each once) and bounded. */
export function redactEvent<T extends TraceEventInput>(input: T): Omit<T, 'jwts'> & { jwts: DecodedJwt[] } {
  const { jwts, foundJwts, requestBody, responseBody, ...stored } = redactForStore(input);
  return {
    ...(stored as unknown as Omit<T, 'jwts'>),
    ...(requestBody ? { requestBody: bodyOf(requestBody) } : {}),
    ...(responseBody ? { responseBody: bodyOf(responseBody) } : {}),
    jwts: decodedJwts(jwts, foundJwts),
  };
}
