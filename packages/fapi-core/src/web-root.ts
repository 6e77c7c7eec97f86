// No listener of the sandbox serves anything outside its own web root. certs/ and data/ hold every private
// key, the directory's admin credential, bank-op's secrets and the SQLite stores; a dev server's /@fs/,
// /@id/ and /node_modules/ would reach any file of the checkout. This guard runs in front of every party's
// routes and file servers, so that no later option of a framework or of Vite can reopen them.
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { OAuthError } from './errors.js';

/** Path segments no party ever serves, whatever the route or the file server behind it. */
const NEVER_SERVED = new Set(['certs', 'data', 'node_modules', '.git', '.env', '.npmrc']);

/** A path is percent-decoded this many times at most; anything still encoded after that is refused. */
const MAX_DECODING_ROUNDS = 3;

export interface WebRootOptions {
  /**
   * Absolute folders a development server may serve under `/@fs/` (the TPP's Vite middleware: the web
   * source, its prebundled dependencies, Vite's client). Without it, `/@fs/` is never served; `/@id/` never is.
   */
  devServerFolders?: readonly string[];
}

function malformed(description: string, clause: string, fix: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_request', description, clause, fix });
}

function neverServed(segment: string): OAuthError {
  return new OAuthError({
    status: 404,
    error: 'not_found',
    description: `Nothing under ${segment}/ is served over HTTP: each party serves only its own web root, and certs/ and data/ hold the sandbox's private keys, credentials and stores`,
    fix: "read those files on disk; public keys are at each party's JWKS endpoint",
  });
}

/** Decodes until stable (an attacker may encode twice); undefined when the encoding is malformed. */
function fullyDecoded(rawPath: string): string | undefined {
  let decoded = rawPath;
  for (let round = 0; round < MAX_DECODING_ROUNDS && decoded.includes('%'); round += 1) {
    try {
      decoded = decodeURIComponent(decoded);
    } catch {
      return undefined;
    }
  }
  return /%[0-9a-f]{2}/i.test(decoded) ? undefined : decoded;
}

function isInside(folder: string, file: string): boolean {
  const relative = path.posix.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.posix.isAbsolute(relative);
}

/** A `/@fs/<absolute file>` request: allowed only inside a dev-server folder, and never into certs/ or data/. */
function devServerFileRefusal(file: string, folders: readonly string[]): OAuthError | undefined {
  const folder = folders.find((candidate) => isInside(candidate, file));
  if (!folder) return neverServed('/@fs');
  const inside = path.posix.relative(folder, file).split('/');
  const named = inside.find((segment) => NEVER_SERVED.has(segment.toLowerCase()));
  return named ? neverServed(named) : undefined;
}

/**
 * Why a request target must not be served, or undefined when it stays inside the web root. The path is
 * judged after percent-decoding (repeatedly) and with `\` read as `/`, the way file servers read it.
 */
export function webRootRefusal(target: string, options: WebRootOptions = {}): OAuthError | undefined {
  // RFC 9112 §3.2: a request-target has no fragment; a `#` in it only confuses path parsers.
  if (target.includes('#')) {
    return malformed(
      'The request target carries a fragment (#)',
      'RFC 9112 §3.2',
      'send the path and query only; browsers keep the fragment to themselves',
    );
  }
  const rawPath = target.split('?', 1)[0] ?? '';
  const decoded = fullyDecoded(rawPath);
  // RFC 3986 §2.1: a percent sign starts exactly one encoded octet; more rounds only serve to hide `..`.
  if (decoded === undefined) {
    return malformed(
      `The request path is malformed or encoded more than ${MAX_DECODING_ROUNDS} times`,
      'RFC 3986 §2.1',
      'percent-encode each reserved character once',
    );
  }
  const normalised = decoded.replace(/\\/g, '/');
  if (normalised.includes('\0')) {
    return malformed('The request path contains a NUL byte', 'RFC 3986 §2', 'remove it from the path');
  }
  const segments = normalised.split('/');
  // RFC 3986 §5.2.4: clients remove dot-segments before sending, so a path that still has one is climbing out.
  if (segments.some((segment) => segment === '..' || segment === '.')) {
    return malformed(
      'The request path climbs out of the web root with a dot-segment (.. or .) once decoded',
      'RFC 3986 §5.2.4',
      'request the resource by its own path, without dot-segments or encoded slashes',
    );
  }
  const first = segments[1]?.toLowerCase();
  const folders = options.devServerFolders;
  if (first === '@fs') {
    return folders ? devServerFileRefusal(normalised.slice('/@fs'.length), folders) : neverServed('/@fs');
  }
  // Vite resolves /@id/<id> through its plugins, and a file path is an id too: never served.
  if (first === '@id') return neverServed('/@id');
  const named = segments.find((segment) => NEVER_SERVED.has(segment.toLowerCase()));
  return named ? neverServed(named) : undefined;
}

/** Middleware (express or plain node): refuses, before any route or file server, what webRootRefusal refuses. */
export function refuseOutsideWebRoot(options: WebRootOptions = {}) {
  return (req: IncomingMessage, _res: unknown, next: (err?: unknown) => void): void => {
    const target = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    next(webRootRefusal(target, options));
  };
}
