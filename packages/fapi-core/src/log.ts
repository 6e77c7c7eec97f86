// The parties' logs: one JSON line per event (pino), each carrying the `party` and, when the event belongs
// to a request, its x-fapi-interaction-id as `interactionId`, so a flow's lines are found beside its trace.
// No credential reaches a line (RFC 6750 §5.3): pino redacts every name on redact.ts's one list, and a
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

const PLAIN_KEY = /^[A-Za-z_$][\w$]*$/;

/** pino redaction paths: each credential name at the top of a line's object and two levels down. */
export const LOG_REDACT_PATHS: string[] = CREDENTIAL_NAMES.flatMap((name) => {
  const key = PLAIN_KEY.test(name) ? name : `["${name}"]`;
  const nested = PLAIN_KEY.test(name) ? `.${name}` : key;
  return [key, `*${nested}`, `*.*${nested}`];
});

/** The logger of one party: JSON lines with the party bound, credentials redacted, level from LOG_LEVEL. */
export function createLogger(party: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(level)) {
    throw new Error(`LOG_LEVEL=${level} is not a level: use one of ${LEVELS.join(', ')}`);
  }
  return pino(
    {
      level,
      base: { party },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
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
