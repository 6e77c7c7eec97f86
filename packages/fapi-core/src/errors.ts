// One error type for every party: an OAuth 2.0 error (RFC 6749 §5.2 shape, `{error, error_description}`)
// whose description tells a learner what went wrong, which clause says so, and how to fix it.
import { type LoggedRequest, type LoggedResponse, type Logger, logFailure, logRefusal } from './log.js';

export interface OAuthErrorInit {
  /** HTTP status to answer with. */
  status: number;
  /** The registered OAuth error code (`invalid_request`, `invalid_client`, `invalid_dpop_proof`, …). */
  error: string;
  /** What is wrong with this request, in plain words. */
  description: string;
  /** The spec clause that requires it, e.g. "FAPI 2.0 SP §5.3.2.2-2". */
  clause?: string;
  /** What the caller should do instead. */
  fix?: string;
  /** Extra response headers (e.g. `WWW-Authenticate`, `DPoP-Nonce`). */
  headers?: Record<string, string>;
}

export class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly description: string;
  readonly clause: string | undefined;
  readonly fix: string | undefined;
  readonly headers: Record<string, string>;

  constructor(init: OAuthErrorInit) {
    super(composeDescription(init));
    this.name = 'OAuthError';
    this.status = init.status;
    this.error = init.error;
    this.description = init.description;
    this.clause = init.clause;
    this.fix = init.fix;
    this.headers = init.headers ?? {};
  }

  /**
   * The `error_description` a learner reads: "<problem> (<clause>). Fix: <fix>", in the character set
   * RFC 6749 §5.2 allows (`message` keeps the clause signs for logs and traces).
   */
  get errorDescription(): string {
    return oauthSafeText(this.message);
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.errorDescription };
  }
}

export function composeDescription(init: Pick<OAuthErrorInit, 'description' | 'clause' | 'fix'>): string {
  const problem = init.description.replace(/\.\s*$/, '');
  const withClause = init.clause ? `${problem} (${init.clause}).` : `${problem}.`;
  return init.fix ? `${withClause} Fix: ${init.fix.replace(/\.\s*$/, '')}.` : withClause;
}

/**
 * RFC 6749 §5.2 (and RFC 6750 §3 inside WWW-Authenticate): error_description is printable ASCII without
 * `"` and `\`, and the conformance suite checks it. Clause signs, quotes and dashes are spelled out.
 */
export function oauthSafeText(text: string): string {
  return text
    .replace(/§\s*/g, 'section ')
    .replace(/…/g, '...')
    .replace(/[‘’“”"]/g, "'")
    .replace(/\\/g, '/')
    .replace(/[–—]/g, '-')
    .replace(/≈/g, '~')
    .replace(/→/g, '->')
    .replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '');
}

function oauthSafeTextOf(init: Pick<OAuthErrorInit, 'description' | 'clause' | 'fix'>): string {
  return oauthSafeText(composeDescription(init));
}

export function isOAuthError(value: unknown): value is OAuthError {
  return value instanceof OAuthError;
}

/** Shorthands for the errors every party answers most. */
export const oauthErrors = {
  invalidRequest: (description: string, clause?: string, fix?: string) =>
    new OAuthError({ status: 400, error: 'invalid_request', description, clause, fix }),
  invalidClient: (description: string, clause?: string, fix?: string) =>
    new OAuthError({ status: 401, error: 'invalid_client', description, clause, fix }),
  unauthorized: (description: string, clause?: string, fix?: string) =>
    new OAuthError({ status: 401, error: 'unauthorized', description, clause, fix }),
  forbidden: (description: string, clause?: string, fix?: string) =>
    new OAuthError({ status: 403, error: 'access_denied', description, clause, fix }),
  notFound: (description: string, fix?: string) =>
    new OAuthError({ status: 404, error: 'not_found', description, fix }),
};

/**
 * Maps anything thrown in a request handler to a status and an OAuth-style JSON body, so a bad input
 * never becomes a 500 with a stack trace. Framework-agnostic: express apps use `expressErrorHandler`.
 */
export function toErrorResponse(err: unknown): {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
} {
  if (isOAuthError(err)) return { status: err.status, headers: err.headers, body: err.toJSON() };

  // body-parser and raw-body errors carry `type` and `status` (express.json, express.urlencoded).
  const e = err as {
    type?: string;
    status?: number;
    statusCode?: number;
    expose?: boolean;
    message?: string;
  };
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const described = bodyParserError(e.type, status, e.expose ? e.message : undefined);
    return { status, headers: {}, body: described };
  }
  return {
    status: 500,
    headers: {},
    body: {
      error: 'server_error',
      error_description:
        'The server failed to handle this request; nothing was changed. Check the party log.',
    },
  };
}

function bodyParserError(
  type: string | undefined,
  status: number,
  message: string | undefined,
): { error: string; error_description: string } {
  switch (type) {
    case 'entity.too.large':
      return {
        error: 'invalid_request',
        error_description: oauthSafeTextOf({
          description: 'The request body is larger than this endpoint accepts',
          fix: 'send a smaller body',
        }),
      };
    case 'entity.parse.failed':
      return {
        error: 'invalid_request',
        error_description: oauthSafeTextOf({
          description: 'The request body is not valid JSON',
          clause: 'RFC 8259',
          fix: 'send a well-formed JSON document with Content-Type: application/json',
        }),
      };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return {
        error: 'invalid_request',
        error_description: oauthSafeTextOf({
          description: 'The request body uses an unsupported charset or encoding',
          fix: 'send UTF-8 without a content encoding',
        }),
      };
    default:
      return {
        error: status === 401 ? 'unauthorized' : status === 403 ? 'access_denied' : 'invalid_request',
        error_description: message ?? `The request was refused (HTTP ${status}).`,
      };
  }
}

interface MinimalResponse extends LoggedResponse {
  headersSent: boolean;
  status(code: number): MinimalResponse;
  set(headers: Record<string, string>): MinimalResponse;
  json(body: unknown): unknown;
}

/** A deliberate refusal (any OAuthError, even a 502 that relays another party's, or any 4xx), not a failure. */
export function isExpectedRefusal(err: unknown, status: number): boolean {
  return isOAuthError(err) || status < 500;
}

/**
 * Express error middleware (four arguments) answering every error in the OAuth shape. Each expected
 * refusal is one `warn` line (logRefusal: error, status, clause); an unexpected error (a 500) is an
 * `error` line with its stack (logFailure).
 */
export function expressErrorHandler(log: Logger) {
  return (err: unknown, req: LoggedRequest, res: MinimalResponse, next: (err?: unknown) => void): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const response = toErrorResponse(err);
    if (!isExpectedRefusal(err, response.status)) logFailure(log, req, res, err);
    else logRefusal(log, req, res, { status: response.status, ...response.body, clause: clauseOf(err) });
    res
      .status(response.status)
      .set({ 'Cache-Control': 'no-store', ...response.headers })
      .json(response.body);
  };
}

/** The clause an error names (OAuthError, bank-api's ObRequestError), for the log line's `clause` field. */
export function clauseOf(err: unknown): string | undefined {
  const clause = (err as { clause?: unknown } | null)?.clause;
  return typeof clause === 'string' ? clause : undefined;
}
