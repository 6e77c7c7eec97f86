// The flow trace: every party records what it sent, received and checked as TraceEvents, correlated by
// the FAPI interaction id (`x-fapi-interaction-id`, FAPI 1.0 Part 1 §6.2.1-11), so the TPP can show one
// timeline across directory, bank and TPP. Secrets are redacted before an event is stored (redact.ts);
// bodies are kept as JSON text and JWTs undecoded, both made into what a reader sees when an event is read
// (JWTs for display only, never verified here: trace-jwts.ts), so recording a call stays cheap. Each
// event names the participant it concerns (the directory's software_id), and only that participant reads
// it back (traceReaderOf).
import { randomUUID, type X509Certificate } from 'node:crypto';
import { directoryParticipantOf } from './certificate-identity.js';
import { OAuthError } from './errors.js';
import { isUuid } from './fapi-headers.js';
import type { PeerCertificate } from './peer-certificate.js';
import { bodyOf, redactForStore, type StoredBody } from './redact.js';
import { type DecodedJwt, decodedJwts, type TraceJwt } from './trace-jwts.js';

export { redactBody, redactHeaders, redactUrl } from './redact.js';
export {
  type DecodedJwt,
  decodeJwtsIn,
  type JwtForDisplay,
  jwtsForDisplay,
  type TraceJwt,
} from './trace-jwts.js';

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

/**
 * What `record` takes: everything but the generated id and time; checks default to none, and jwts (none by
 * default) may be decoded already or noted to decode when read (jwtsForDisplay).
 */
export type TraceEventInput = Omit<TraceEvent, 'id' | 'at' | 'jwts' | 'checks'> &
  Partial<Pick<TraceEvent, 'checks'>> & { jwts?: TraceJwt[] };

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
 * What one party keeps by default: its latest 5000 events, and no more than 16 MiB of them as JSON. An API
 * call's event is a few KiB (headers, checks, the answer), so a busy sandbox keeps its last few thousand
 * calls, minutes of traffic, while a party's heap stays far below the sandbox's idle-memory target.
 */
export const TRACE_CAPACITY = 5000;
export const TRACE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * An event as kept: redacted, its bodies as JSON text and its JWTs still to decode (both made into what a
 * reader sees only when it is read), and its size as JSON.
 */
interface StoredEvent {
  event: Omit<TraceEvent, 'jwts' | 'requestBody' | 'responseBody'>;
  requestBody: StoredBody | undefined;
  responseBody: StoredBody | undefined;
  jwts: TraceJwt[];
  foundJwts: TraceJwt[];
  bytes: number;
}

/**
 * What one replica of a party hands the others (trace-stream.ts carries it through Redis): an event as it
 * was stored, already redacted (its bodies JSON text, its JWTs without signatures, none decoded), or a
 * re-filing (see refile). Never the input a party recorded: nothing shared is more than `/trace` serves.
 */
export type SharedTraceEntry =
  | ({ kind: 'event' } & Omit<StoredEvent, 'bytes'>)
  | { kind: 'refile'; from: string; to: string; participant: string };

/** Where a recorder hands what it records and re-files, to be shared with the party's other replicas. */
export type TraceOutlet = (entry: SharedTraceEntry) => void;

/**
 * A bounded in-memory ring of trace events: the oldest drop out first once there are more than `capacity`
 * of them or their JSON passes `maxBytes` (the newest event is always kept), so a long-running sandbox
 * never grows without limit. Events are redacted when recorded and their JWTs decoded when read.
 */
export class TraceRecorder {
  readonly capacity: number;
  readonly maxBytes: number;
  /** Oldest first; entries before #head are dropped ones, cut off now and then. */
  #events: StoredEvent[] = [];
  #head = 0;
  #bytes = 0;
  readonly #listeners = new Set<TraceListener>();
  readonly #now: () => Date;
  #outlet: TraceOutlet | undefined;

  constructor(options: { capacity?: number; maxBytes?: number; now?: () => Date } = {}) {
    this.capacity = options.capacity ?? TRACE_CAPACITY;
    this.maxBytes = options.maxBytes ?? TRACE_MAX_BYTES;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${options.capacity}`);
    }
    if (!Number.isInteger(this.maxBytes) || this.maxBytes < 1) {
      throw new RangeError(`maxBytes must be a positive integer, got ${options.maxBytes}`);
    }
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Stores an event (redacted and bounded, with id and time filled in) and tells the listeners. Recording
   * only redacts and keeps the pieces: bodies stay JSON text and JWTs undecoded until the event is read.
   */
  record(input: TraceEventInput): TraceEvent {
    const { jwts, foundJwts, requestBody, responseBody, ...safe } = redactForStore(input);
    // redactForStore made `safe` afresh: completed in place rather than copied again.
    const event: StoredEvent['event'] = Object.assign(safe, {
      id: randomUUID(),
      at: this.#now().toISOString(),
      checks: input.checks ?? [],
    });
    const stored = storedEvent(event, requestBody, responseBody, jwts, foundJwts);
    this.#events.push(stored);
    this.#bytes += stored.bytes;
    this.#evict();
    // Shared as stored, redacted; an event naming no participant is readable by no one and stays here.
    if (this.#outlet && event.participant !== undefined) {
      this.#outlet({ kind: 'event', event, requestBody, responseBody, jwts, foundJwts });
    }
    return this.#tell(stored);
  }

  /**
   * Takes what another replica of this party recorded or re-filed (trace-stream.ts): an event is kept in
   * the order of its time, bounded like any other, and told to the listeners; a re-filing is applied here
   * and not shared again.
   */
  receive(entry: SharedTraceEntry): void {
    if (entry.kind === 'refile') {
      this.#refile(entry.from, entry.to, entry.participant);
      return;
    }
    const { event, requestBody, responseBody, jwts, foundJwts } = entry;
    const stored = storedEvent(event, requestBody, responseBody, jwts, foundJwts);
    // Another replica's event arrives a little after it was recorded: placed by its time, usually last.
    let at = this.#events.length;
    while (at > this.#head && this.#events[at - 1]!.event.at > event.at) at--;
    this.#events.splice(at, 0, stored);
    this.#bytes += stored.bytes;
    this.#evict();
    this.#tell(stored);
  }

  /** Hands every event recorded and every re-filing from now on to `outlet`; returns a function that stops it. */
  shareThrough(outlet: TraceOutlet): () => void {
    this.#outlet = outlet;
    return () => {
      if (this.#outlet === outlet) this.#outlet = undefined;
    };
  }

  #tell(stored: StoredEvent): TraceEvent {
    const view = eventView(stored);
    for (const listener of this.#listeners) {
      try {
        listener(view);
      } catch {
        // A failing listener (e.g. a closed event stream) must not stop recording or the request.
      }
    }
    return view;
  }

  /** Events in the order they were recorded, filtered by the query. */
  list(query: TraceQuery = {}): TraceEvent[] {
    const since = query.since === undefined ? undefined : new Date(query.since).getTime();
    const matches: StoredEvent[] = [];
    for (let i = this.#head; i < this.#events.length; i++) {
      const stored = this.#events[i]!;
      const { event } = stored;
      if (query.participant !== undefined && event.participant !== query.participant) continue;
      if (query.interactionId !== undefined && event.interactionId !== query.interactionId) continue;
      if (query.connectionId !== undefined && event.connectionId !== query.connectionId) continue;
      if (since !== undefined && Date.parse(event.at) <= since) continue;
      matches.push(stored);
    }
    const kept =
      query.limit === undefined ? matches : matches.slice(Math.max(0, matches.length - query.limit));
    return kept.map(eventView);
  }

  /**
   * Files `participant`'s events of flow `from` under `to` instead, for a party that learns only later
   * which flow they belonged to (bank-op, when a client redeems a code whose authorization came through
   * the browser with no interaction id). Returns how many events moved. Listeners are not told again:
   * they saw each event once, as recorded; a reader of a flow asks `list`, which sees the new filing.
   * The other replicas of the party re-file too (shareThrough).
   */
  refile(from: string, to: string, participant: string): number {
    const moved = this.#refile(from, to, participant);
    this.#outlet?.({ kind: 'refile', from, to, participant });
    return moved;
  }

  #refile(from: string, to: string, participant: string): number {
    let moved = 0;
    for (let i = this.#head; i < this.#events.length; i++) {
      const stored = this.#events[i]!;
      if (stored.event.interactionId !== from || stored.event.participant !== participant) continue;
      stored.event = { ...stored.event, interactionId: to };
      moved += 1;
    }
    return moved;
  }

  /** Calls `listener` for every event recorded from now on; returns a function that stops it. */
  onEvent(listener: TraceListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get size(): number {
    return this.#events.length - this.#head;
  }

  /** The JSON size of the events kept, as the byte bound counts it. */
  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#events = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  #evict(): void {
    while (this.size > this.capacity || (this.#bytes > this.maxBytes && this.size > 1)) {
      this.#bytes -= this.#events[this.#head]!.bytes;
      this.#events[this.#head++] = undefined as unknown as StoredEvent;
    }
    // Drop the evicted slots once they are half the array, so eviction stays cheap and memory is freed.
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }
}

function storedEvent(
  event: StoredEvent['event'],
  requestBody: StoredBody | undefined,
  responseBody: StoredBody | undefined,
  jwts: TraceJwt[],
  foundJwts: TraceJwt[],
): StoredEvent {
  const bytes =
    jsonLength(event) +
    storedBodyLength(requestBody) +
    storedBodyLength(responseBody) +
    jsonLength(jwts) +
    jsonLength(foundJwts);
  return { event, requestBody, responseBody, jwts, foundJwts, bytes };
}

/**
 * The length of `value` as JSON (escapes aside), without writing the JSON: what the byte bound counts of
 * an event's own fields and JWTs, which are flat or bounded in depth (bodies are counted by their text).
 */
function jsonLength(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === null || typeof value !== 'object') return String(value).length;
  let length = 2;
  if (Array.isArray(value)) {
    for (const item of value) length += jsonLength(item) + 1;
    return length;
  }
  for (const name of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[name];
    if (member !== undefined) length += name.length + 4 + jsonLength(member);
  }
  return length;
}

function storedBodyLength(body: StoredBody | undefined): number {
  if (body === undefined) return 0;
  return 'json' in body ? body.json.length : jsonLength(body.value);
}

/** A member of `view` made on first read by `make` (then kept); enumerable, so JSON and equality see it. */
function lazyMember(view: object, name: string, make: () => unknown): void {
  let made: { value: unknown } | undefined;
  Object.defineProperty(view, name, {
    enumerable: true,
    configurable: true,
    get: () => {
      made ??= { value: make() };
      return made.value;
    },
  });
}

/**
 * An event as readers see it: its bodies parsed and its JWTs decoded on first access (a listener that only
 * counts events, or an event no one reads, costs neither).
 */
function eventView(stored: StoredEvent): TraceEvent {
  const view = { ...stored.event } as TraceEvent;
  const { requestBody, responseBody } = stored;
  if (requestBody) lazyMember(view, 'requestBody', () => bodyOf(requestBody));
  if (responseBody) lazyMember(view, 'responseBody', () => bodyOf(responseBody));
  lazyMember(view, 'jwts', () => decodedJwts(stored.jwts, stored.foundJwts));
  return view;
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
