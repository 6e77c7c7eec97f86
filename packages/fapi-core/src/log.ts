// The parties' logs: one JSON line per event (pino), each carrying the `party` and, when the event belongs
// to a request, its x-fapi-interaction-id as `interactionId`, so a flow's lines are found beside its trace.
// No credential reaches a line (RFC 6750 §5.3): every name on redact.ts's one list is censored, and a
// request's path is logged without its query, which can carry a code or a token (RFC 6749 §4.1.2).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DestinationStream, type Logger, pino } from 'pino';
import { INTERACTION_ID_HEADER, isUuid } from './fapi-headers.js';
import { CREDENTIAL_NAMES } from './redact.js';

export type { Logger } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** The lowest level written; default LOG_LEVEL from the environment, else `info`. */
  level?: string;
  /** Where the lines go; default stdout. */
  destination?: DestinationStream;
}

const CREDENTIALS = new Set(CREDENTIAL_NAMES);
const CENSOR = '[redacted]';
/** Levels below the line's object where a credential name is still looked for (the object, and two down). */
const REDACTED_DEPTH = 2;

/**
 * A line's object with every credential name on redact.ts's list censored, at its top and two levels down
 * (what pino's paths `name`, `*.name`, `*.*.name` cover), in one walk. The caller's object is never
 * changed: only the objects on the way to a credential are copied. (pino's own redaction re-parses each of
 * its hundred paths for every line: most of a request line's cost.)
 */
export function redactLogObject(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > REDACTED_DEPTH) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    const redacted = CREDENTIALS.has(key) ? CENSOR : redactLogObject(field, depth + 1);
    if (redacted === field) continue;
    copy ??= copyOf(value);
    copy[key] = redacted;
  }
  return copy ?? value;
}

/** A shallow copy that keeps what a serializer reads: an array stays one, an Error keeps its message and stack. */
function copyOf(value: object): Record<string, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<string, unknown>;
  return Object.defineProperties(
    Object.create(Object.getPrototypeOf(value) as object | null),
    Object.getOwnPropertyDescriptors(value),
  ) as Record<string, unknown>;
}

/** The logger of one party: JSON lines with the party bound, credentials redacted, level from LOG_LEVEL. */
export function createLogger(party: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(level)) {
    throw new Error(`LOG_LEVEL=${level} is not a level: use one of ${LEVELS.join(', ')}`);
  }
  const logger = pino(
    {
      level,
      base: { party },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => redactLogObject(object) as Record<string, unknown> },
    },
    options.destination,
  );
  // A child's bindings are written on each of its lines, so they are censored too (children inherit this).
  const child = logger.child;
  logger.child = function redactedChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactLogObject(bindings) as typeof bindings, childOptions);
  } as typeof logger.child;
  return logger;
}

/** What the log functions read of a request: express's, koa's `ctx.req` and node's all fit. */
export interface LoggedRequest {
  method?: string;
  originalUrl?: string;
  url?: string;
  headers?: IncomingMessage['headers'];
}

/** What they read of its response, when there is one. */
export interface LoggedResponse {
  getHeader?(name: string): unknown;
  locals?: Record<string, unknown>;
}

/** Parties that know a request's flow better than its headers (bank-op's front channel) say so here. */
const interactionIdResolvers = new WeakMap<object, (req: IncomingMessage) => string | undefined>();

/**
 * The x-fapi-interaction-id a request belongs to (FAPI 1.0 Part 1 §6.2.1-11): the party's own resolver,
 * else what the party answered with (`res.locals.interactionId`, the response header), else what the
 * client sent when it is a UUID. Undefined when the request belongs to no flow.
 */
export function interactionIdOf(req: LoggedRequest, res?: LoggedResponse): string | undefined {
  const resolved = interactionIdResolvers.get(req)?.(req as IncomingMessage);
  if (resolved) return resolved;
  const kept = res?.locals?.interactionId;
  if (typeof kept === 'string') return kept;
  const answered = res?.getHeader?.(INTERACTION_ID_HEADER);
  if (typeof answered === 'string') return answered;
  const sent = req.headers?.[INTERACTION_ID_HEADER];
  return typeof sent === 'string' && isUuid(sent) ? sent : undefined;
}

/** A request's path without its query: authorization responses carry codes there. */
export function pathOf(req: LoggedRequest): string {
  return (req.originalUrl ?? req.url ?? '').split('?')[0] ?? '';
}

export interface Refusal {
  status: number;
  error: string;
  error_description: string;
  /** The clause that requires the refusal, when the refusing code knows it. */
  clause?: string | undefined;
}

/** A learner's one-line account of a refusal: "refused <METHOD> <path>: <status> <error>: <description>". */
export function refusalMessage(req: LoggedRequest, refusal: Refusal): string {
  return `refused ${req.method ?? '?'} ${pathOf(req)}: ${refusal.status} ${refusal.error}: ${refusal.error_description}`;
}

/**
 * The one log line for a request a party refused on purpose, at `warn`: no stack trace, since the refusal
 * is the party doing its job and the description already says why; error, status and clause as fields.
 */
export function logRefusal(
  log: Logger,
  req: LoggedRequest,
  res: LoggedResponse | undefined,
  refusal: Refusal,
): void {
  log.warn(
    {
      interactionId: interactionIdOf(req, res),
      method: req.method,
      path: pathOf(req),
      status: refusal.status,
      error: refusal.error,
      ...(refusal.clause ? { clause: refusal.clause } : {}),
    },
    refusalMessage(req, refusal),
  );
}

/** The log line for a request that failed unexpectedly (a 500), at `error` with the stack under `err`. */
export function logFailure(
  log: Logger,
  req: LoggedRequest,
  res: LoggedResponse | undefined,
  err: unknown,
): void {
  const message = err instanceof Error ? err.message : String(err);
  log.error(
    { interactionId: interactionIdOf(req, res), method: req.method, path: pathOf(req), status: 500, err },
    `failed ${req.method ?? '?'} ${pathOf(req)}: ${message}`,
  );
}

export interface RequestLoggerOptions {
  /** The request's interaction id when the party knows better than its headers (see interactionIdOf). */
  interactionIdOf?: (req: IncomingMessage) => string | undefined;
  /** Requests not worth a line (a dev server's static modules). */
  ignore?: (req: IncomingMessage) => boolean;
}

function requestFields(req: IncomingMessage, res: ServerResponse, durationMs: number) {
  return { method: req.method, path: pathOf(req), status: res.statusCode, durationMs };
}

function requestMessage(req: IncomingMessage, res: ServerResponse, durationMs: number): string {
  const outcome = res.writableEnded ? String(res.statusCode) : 'aborted';
  return `${req.method} ${pathOf(req)} ${outcome} ${durationMs} ms`;
}

/**
 * Express middleware: one line per request when its response ends (or the client goes away), with method,
 * path (no query), status, duration and interactionId; at `error` for a 500 or an aborted response. Mount
 * it first, so the duration covers every handler. One call to the party's logger per request, which
 * redacts it like every other line: no per-request child logger (pino-http's), which cost more than the line.
 */
export function requestLogger(log: Logger, options: RequestLoggerOptions = {}) {
  const resolve = options.interactionIdOf;
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (resolve) interactionIdResolvers.set(req, resolve);
    if (options.ignore?.(req)) {
      next();
      return;
    }
    const began = performance.now();
    res.once('close', () => {
      const durationMs = Math.round(performance.now() - began);
      const failed = !res.writableEnded || res.statusCode >= 500;
      const line = { interactionId: interactionIdOf(req, res), ...requestFields(req, res, durationMs) };
      if (failed) log.error(line, requestMessage(req, res, durationMs));
      else log.info(line, requestMessage(req, res, durationMs));
    });
    next();
  };
}
