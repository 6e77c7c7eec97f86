// The flow trace: every party records what it sent, received and checked as TraceEvents, correlated by
// the FAPI interaction id (`x-fapi-interaction-id`, FAPI 1.0 Part 1 §6.2.1-11), so the TPP can show one
// timeline across directory, bank and TPP. Secrets are redacted before an event is stored (redact.ts);
// JWTs are decoded for display only (never verified here). Each event names the participant it concerns
// (the directory's software_id), and only that participant reads it back (traceReaderOf).
import { randomUUID, type X509Certificate } from 'node:crypto';
import { directoryParticipantOf } from './certificate-identity.js';
import { OAuthError } from './errors.js';
import { isUuid } from './fapi-headers.js';
import type { PeerCertificate } from './peer-certificate.js';
import { redactEvent } from './redact.js';

export { redactBody, redactHeaders, redactUrl } from './redact.js';

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
  /**
   * The directory participant (software_id) this event concerns, as the recording party identified it
   * (its token, client or transport certificate). Only that participant reads the event back; an event
   * without one (a request with no credentials) is readable by no participant.
   */
  participant?: string;
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
  /** Only the events of this participant (software_id). */
  participant?: string;
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

  /** Stores an event (redacted and bounded, with id and time filled in) and tells the listeners. */
  record(input: TraceEventInput): TraceEvent {
    const safe = redactEvent(input);
    const event: TraceEvent = {
      ...safe,
      id: randomUUID(),
      at: this.#now().toISOString(),
      jwts: safe.jwts ?? [],
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
      if (query.participant !== undefined && event.participant !== query.participant) continue;
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

/** The query parameters `GET /trace` understands; anything else is refused, so a typo is not ignored. */
const TRACE_PARAMETERS = ['interaction_id', 'connection_id', 'since', 'limit'] as const;
const CONNECTION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Answers a participant's trace query from URL search parameters (`interaction_id`, `connection_id`,
 * `since`, `limit`: snake case, like every OAuth and FAPI parameter on the wire): only the events that
 * concern `participant` (see traceReaderOf). Every party's `GET /trace` is this one function.
 * Throws OAuthError 400 invalid_request naming the parameter and the fix for anything malformed: an
 * unknown or repeated parameter (`interaction_id[]=1`), a value of the wrong form, a limit out of range.
 */
export function handleTraceQuery(
  recorder: TraceRecorder,
  searchParams: URLSearchParams,
  participant: string,
): TraceEvent[] {
  for (const name of new Set(searchParams.keys())) {
    if (!(TRACE_PARAMETERS as readonly string[]).includes(name)) {
      throw badParameter(
        `'${name.slice(0, 40)}'`,
        'is not one GET /trace understands',
        `send only ${TRACE_PARAMETERS.join(', ')}, each once, e.g. ?interaction_id=<uuid>&limit=50`,
      );
    }
    if (searchParams.getAll(name).length > 1) {
      throw badParameter(name, 'appears more than once', `send ${name} once`);
    }
  }
  const read = (name: (typeof TRACE_PARAMETERS)[number]): string | undefined => {
    const value = searchParams.get(name);
    return value === null || value === '' ? undefined : value;
  };
  const query: TraceQuery = { participant };
  const interactionId = read('interaction_id');
  if (interactionId !== undefined) {
    // FAPI 1.0 Part 1 §6.2.1-11: an interaction id is a UUID (RFC 4122).
    if (!isUuid(interactionId)) {
      throw badParameter(
        'interaction_id',
        `'${interactionId.slice(0, 40)}' is not a UUID`,
        'send the x-fapi-interaction-id of your request, e.g. interaction_id=3f0c2a5e-6b1d-4c1e-9a6f-2d7e8b9c0a1b',
      );
    }
    query.interactionId = interactionId;
  }
  const connectionId = read('connection_id');
  if (connectionId !== undefined) {
    if (!CONNECTION_ID.test(connectionId)) {
      throw badParameter(
        'connection_id',
        'is not a connection id',
        'send the id of a connection: up to 128 letters, digits, dots, colons, dashes or underscores',
      );
    }
    query.connectionId = connectionId;
  }
  const since = read('since');
  if (since !== undefined) {
    if (since.length > 40 || Number.isNaN(Date.parse(since))) {
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
    const value = /^[0-9]{1,9}$/.test(limit) ? Number(limit) : Number.NaN;
    if (!(value >= 1 && value <= recorder.capacity)) {
      throw badParameter(
        'limit',
        `'${limit.slice(0, 24)}' is not a whole number from 1 to ${recorder.capacity}`,
        `send limit=1 to limit=${recorder.capacity} (the trace keeps at most ${recorder.capacity} events)`,
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

/**
 * What a web listener (which never asks for a client certificate) answers at `/trace`: a 401 pointing to
 * the party's mTLS listener, where the reader's transport certificate can be read.
 */
export function traceOnlyOverMtls(mtlsTraceUrl: string): OAuthError {
  return new OAuthError({
    status: 401,
    error: 'invalid_client',
    description:
      "The trace is served on this party's mTLS listener only: a trace is readable only by the participant it concerns, identified by its transport certificate",
    clause: 'RFC 8705 §2',
    fix: `call ${mtlsTraceUrl} with your transport certificate, e.g. curl --cert transport.crt --key transport.key`,
  });
}

/**
 * Who reads a trace: the participant the directory issued the connection's transport certificate to
 * (its software_id), as the sandbox identifies participants everywhere (RFC 8705 §2.1, PKI method). A
 * caller without a certificate gets 401, one whose certificate is not a participant's gets 403.
 */
export function traceReaderOf(
  presented: PeerCertificate | undefined,
  directoryCa: X509Certificate,
  traceUrl: string,
): string {
  const fix = `call ${traceUrl} over mutual TLS with your transport certificate, e.g. curl --cert transport.crt --key transport.key`;
  if (!presented) {
    throw new OAuthError({
      status: 401,
      error: 'invalid_client',
      description:
        'No client certificate was presented: a trace is readable only by the participant it concerns, identified by its directory-issued transport certificate',
      clause: 'RFC 8705 §2',
      fix,
    });
  }
  const participant = presented.authorized ? directoryParticipantOf(presented.x509, directoryCa) : undefined;
  if (!participant) {
    throw new OAuthError({
      status: 403,
      error: 'access_denied',
      description: `The client certificate (${presented.identity.softwareId ?? 'no single CN'}) is not a transport certificate the directory issued to a participant${presented.authorizationError ? ` (${presented.authorizationError})` : ''}`,
      clause: 'RFC 8705 §2.1',
      fix,
    });
  }
  return participant;
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
