// The flow trace: every party records what it sent, received and checked as TraceEvents, correlated by
// the FAPI interaction id (`x-fapi-interaction-id`, FAPI 1.0 Part 1 §6.2.1-11), so the TPP can show one
// timeline across directory, bank and TPP. Secrets are redacted before an event is stored; JWTs are
// decoded for display only (never verified here).
import { randomUUID } from 'node:crypto';
import { OAuthError } from './errors.js';

export type TraceParty = 'directory' | 'bank-op' | 'bank-api' | 'tpp' | 'browser';
export type TraceDirection = 'inbound' | 'outbound' | 'internal';
/** Front channel: through the browser. Back channel: server to server. */
export type TraceChannel = 'front' | 'back';

export interface CheckResult {
  /** What was checked, e.g. "DPoP proof htu matches the request URI". */
  name: string;
  passed: boolean;
  /** The clause that requires it, e.g. "RFC 9449 §4.3 check 9". */
  clause: string;
  /** What was found, in one sentence. */
  detail: string;
}

export interface DecodedJwt {
  /** Where it was found: "DPoP header", "access_token", "request", … */
  where: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Whether the recording party verified the signature; undefined when it only decoded it. */
  verified?: boolean;
}

export interface TraceEvent {
  id: string;
  /** ISO 8601 time the event was recorded. */
  at: string;
  interactionId: string;
  /** The TPP's connection (one customer journey) this belongs to, when known. */
  connectionId?: string;
  party: TraceParty;
  direction: TraceDirection;
  channel: TraceChannel;
  /** Short title, e.g. "Pushed authorization request". */
  step?: string;
  method?: string;
  url?: string;
  status?: number;
  requestHeaders?: Record<string, string>;
  responseHeaders?: Record<string, string>;
  requestBody?: unknown;
  responseBody?: unknown;
  jwts: DecodedJwt[];
  /** The TLS client certificate presented, if any. */
  certificate?: { subject: string; x5tS256: string };
  checks: CheckResult[];
  /** One or two sentences on what this step proves. */
  explanation?: string;
  clause?: string;
}

/** What `record` takes: everything but the generated id and time; jwts and checks default to none. */
export type TraceEventInput = Omit<TraceEvent, 'id' | 'at' | 'jwts' | 'checks'> &
  Partial<Pick<TraceEvent, 'jwts' | 'checks'>>;

export interface TraceQuery {
  interactionId?: string;
  connectionId?: string;
  /** Only events recorded after this time. */
  since?: Date | string;
  /** At most this many events (the most recent ones). */
  limit?: number;
}

export type TraceListener = (event: TraceEvent) => void;

/**
 * A bounded in-memory ring buffer of trace events (default 5000): the oldest events drop out first, so a
 * long-running sandbox never grows without limit.
 */
export class TraceRecorder {
  readonly capacity: number;
  readonly #events: (TraceEvent | undefined)[];
  #next = 0;
  #count = 0;
  readonly #listeners = new Set<TraceListener>();
  readonly #now: () => Date;

  constructor(options: { capacity?: number; now?: () => Date } = {}) {
    this.capacity = options.capacity ?? 5000;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${options.capacity}`);
    }
    this.#events = new Array(this.capacity);
    this.#now = options.now ?? (() => new Date());
  }

  /** Stores an event (filling in id and time) and tells the listeners. */
  record(input: TraceEventInput): TraceEvent {
    const event: TraceEvent = {
      ...input,
      id: randomUUID(),
      at: this.#now().toISOString(),
      jwts: input.jwts ?? [],
      checks: input.checks ?? [],
    };
    this.#events[this.#next] = event;
    this.#next = (this.#next + 1) % this.capacity;
    this.#count = Math.min(this.#count + 1, this.capacity);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener (e.g. a closed event stream) must not stop recording or the request.
      }
    }
    return event;
  }

  /** Events in the order they were recorded, filtered by the query. */
  list(query: TraceQuery = {}): TraceEvent[] {
    const since = query.since === undefined ? undefined : new Date(query.since).getTime();
    const matches: TraceEvent[] = [];
    const start = (this.#next - this.#count + this.capacity) % this.capacity;
    for (let i = 0; i < this.#count; i++) {
      const event = this.#events[(start + i) % this.capacity]!;
      if (query.interactionId !== undefined && event.interactionId !== query.interactionId) continue;
      if (query.connectionId !== undefined && event.connectionId !== query.connectionId) continue;
      if (since !== undefined && Date.parse(event.at) <= since) continue;
      matches.push(event);
    }
    return query.limit === undefined ? matches : matches.slice(Math.max(0, matches.length - query.limit));
  }

  /** Calls `listener` for every event recorded from now on; returns a function that stops it. */
  onEvent(listener: TraceListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get size(): number {
    return this.#count;
  }

  clear(): void {
    this.#events.fill(undefined);
    this.#next = 0;
    this.#count = 0;
  }
}

/**
 * Answers a trace query from URL search parameters (`interaction_id`, `connection_id`, `since`, `limit`:
 * snake case, like every OAuth and FAPI parameter on the wire), so
 * an app mounts it in one line: `res.json({ events: handleTraceQuery(recorder, new URL(req.url, base).searchParams) })`.
 * Throws OAuthError 400 invalid_request for a malformed parameter.
 */
export function handleTraceQuery(
  recorder: TraceRecorder,
  searchParams: URLSearchParams | Record<string, unknown>,
): TraceEvent[] {
  const read = (name: string): string | undefined => {
    const value = searchParams instanceof URLSearchParams ? searchParams.get(name) : searchParams[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string')
      throw badParameter(name, 'appears more than once or is not text', `send ${name} once`);
    return value;
  };
  const query: TraceQuery = {};
  const interactionId = read('interaction_id');
  if (interactionId !== undefined) query.interactionId = interactionId;
  const connectionId = read('connection_id');
  if (connectionId !== undefined) query.connectionId = connectionId;
  const since = read('since');
  if (since !== undefined) {
    if (Number.isNaN(Date.parse(since))) {
      throw badParameter(
        'since',
        `'${since.slice(0, 40)}' is not a date`,
        'send an ISO 8601 time, e.g. 2025-01-31T12:00:00Z',
      );
    }
    query.since = since;
  }
  const limit = read('limit');
  if (limit !== undefined) {
    const value = Number(limit);
    if (!Number.isInteger(value) || value < 1) {
      throw badParameter(
        'limit',
        `'${limit.slice(0, 20)}' is not a positive integer`,
        'send limit=1 or more',
      );
    }
    query.limit = value;
  }
  return recorder.list(query);
}

function badParameter(name: string, problem: string, fix: string): OAuthError {
  return new OAuthError({
    status: 400,
    error: 'invalid_request',
    description: `Trace query parameter ${name} ${problem}`,
    fix,
  });
}

const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization']);
const COOKIE_HEADERS = new Set(['cookie', 'set-cookie']);

/**
 * Headers safe to show: `Authorization` keeps its scheme and the first 8 characters of the credential
 * ("DPoP eyJhbGci…"); cookies become "[redacted]". Names are kept as given; values become strings.
 */
export function redactHeaders(
  headers: Record<string, string | string[] | number | undefined> | Headers | undefined,
): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  const entries: [string, unknown][] =
    headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    if (COOKIE_HEADERS.has(lower)) result[name] = '[redacted]';
    else if (CREDENTIAL_HEADERS.has(lower)) result[name] = redactCredential(text);
    else result[name] = text;
  }
  return result;
}

function redactCredential(value: string): string {
  const match = /^(\S+)\s+(\S+)/.exec(value);
  if (!match) return shorten(value);
  return `${match[1]} ${shorten(match[2]!)}`;
}

function shorten(value: string): string {
  return value.length <= 8 ? '…' : `${value.slice(0, 8)}…`;
}

/** Never shown at all. */
const HIDDEN_FIELDS = new Set(['password', 'client_secret', 'registration_access_token']);
/** Shown as their first 8 characters, enough to tell two apart. */
const SHORTENED_FIELDS = new Set(['access_token', 'refresh_token', 'code_verifier']);

/**
 * A copy of a request or response body with secrets removed: password, client_secret and
 * registration_access_token become "[redacted]"; access_token, refresh_token and code_verifier keep their
 * first 8 characters. Works on objects (deeply), JSON text and form-encoded text.
 */
export function redactBody(body: unknown): unknown {
  if (typeof body === 'string') return redactText(body);
  return redactValue(body, 0);
}

function redactText(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(redactValue(JSON.parse(trimmed), 0));
    } catch {
      return text;
    }
  }
  // application/x-www-form-urlencoded: name=value pairs without spaces.
  if (/^[^\s=&]+=[^\s]*$/.test(trimmed)) {
    const params = new URLSearchParams(trimmed);
    for (const [name, value] of [...params.entries()]) {
      const redacted = redactField(name, value);
      if (redacted !== value) params.set(name, String(redacted));
    }
    return params.toString();
  }
  return text;
}

function redactValue(value: unknown, depth: number): unknown {
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    copy[name] =
      typeof field === 'object' && field !== null ? redactValue(field, depth + 1) : redactField(name, field);
  }
  return copy;
}

function redactField(name: string, value: unknown): unknown {
  const lower = name.toLowerCase();
  if (HIDDEN_FIELDS.has(lower)) return '[redacted]';
  if (SHORTENED_FIELDS.has(lower)) return typeof value === 'string' ? shorten(value) : '[redacted]';
  return value;
}

// A compact JWS: base64url JSON header (always starts "eyJ"), payload and signature (empty for alg none),
// not part of a longer dotted run (which would be a JWE).
const COMPACT_JWS = /(?<![A-Za-z0-9_.-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(?![A-Za-z0-9_.-])/g;

/**
 * Finds compact JWTs in a string or (deeply) in an object and decodes their header and claims for display.
 * Nothing is verified (`verified` stays undefined). Nested finds are named by their path, e.g.
 * `decodeJwtsIn(body, 'token response')` → where "token response.access_token".
 */
export function decodeJwtsIn(value: unknown, where: string): DecodedJwt[] {
  const found: DecodedJwt[] = [];
  const seen = new Set<string>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (typeof node === 'string') {
      for (const match of node.matchAll(COMPACT_JWS)) {
        if (seen.has(match[0])) continue;
        const decoded = decodeForDisplay(match[0]);
        if (!decoded) continue;
        seen.add(match[0]);
        found.push({ where: path, ...decoded });
      }
      return;
    }
    if (depth > 32 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, `${path}[${index}]`, depth + 1);
      return;
    }
    for (const [name, child] of Object.entries(node))
      visit(child, path ? `${path}.${name}` : name, depth + 1);
  };
  visit(value, where, 0);
  return found;
}

function decodeForDisplay(token: string): Pick<DecodedJwt, 'header' | 'claims'> | undefined {
  const [header, claims] = token.split('.').slice(0, 2).map(parseSegment);
  return header && claims ? { header, claims } : undefined;
}

function parseSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
