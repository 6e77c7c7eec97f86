// The parties' logs: one JSON line per event (pino), each carrying the `party` and, when the event belongs
// to a request, its x-fapi-interaction-id as `interactionId`, so a flow's lines are found beside its trace.
// No credential reaches a line (RFC 6750 §5.3): log-redaction.ts censors every name on redact.ts's one list, and a
// request's path is logged without its query, which can carry a code or a token (RFC 6749 §4.1.2).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type DestinationStream, type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';
import { INTERACTION_ID_HEADER, isUuid } from './fapi-headers.js';
import { CENSOR, CREDENTIAL_PATHS, censorCredentials } from './log-redaction.js';

export type { Logger } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface LoggerOptions {
  /** The lowest level written; default LOG_LEVEL from the environment, else `info`. */
  level?: string;
  /** Where the lines go; default stdout. */
  destination?: DestinationStream;
}

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
      // A line's object: every credential member to two levels down (log-redaction.ts). A child logger's
      // bindings, which pino passes through no formatter, by name at their top level (pino-http's child
      // binds only its serialized request: method and path).
      formatters: { log: censorCredentials },
      redact: { paths: CREDENTIAL_PATHS, censor: CENSOR },
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
 * Express middleware (pino-http): one line per request when its response ends, with method, path (no
 * query), status, duration and interactionId. Mount it first, so the duration covers every handler.
 */
export function requestLogger(log: Logger, options: RequestLoggerOptions = {}) {
  const resolve = options.interactionIdOf;
  const http = pinoHttp({
    logger: log,
    quietResLogger: true,
    // pino-http binds the request to req.log: method and path only, never its query or headers.
    serializers: {
      req: (req: { method?: string; url?: string }) => ({ method: req.method, path: pathOf(req) }),
    },
    autoLogging: options.ignore ? { ignore: options.ignore } : true,
    customProps: (req, res) => ({ interactionId: interactionIdOf(req, res) }),
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (req, res, value) => requestFields(req, res, value.responseTime as number),
    customSuccessMessage: (req, res, responseTime) => requestMessage(req, res, responseTime),
    customErrorObject: (req, res, _err, value) => requestFields(req, res, value.responseTime as number),
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
  });
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (resolve) interactionIdResolvers.set(req, resolve);
    http(req, res, next);
  };
}
