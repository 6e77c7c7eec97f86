// What every directory route shares: the admin bearer check, JSON bodies (type and size enforced before
// parsing), body validation with zod, and JSON answers.

import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { z } from 'zod';
import type { AdminCredential } from '../admin-credential.js';

/** Larger bodies are refused with 413 before they are read. */
export const JSON_BODY_LIMIT = '64kb';

const REALM = 'FAPI Sandbox Directory';

/** RFC 6750 §2.1: the b64token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerTokenOf(header: string): string | undefined {
  return /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header)?.[1];
}

/** RFC 6750 §2.1: the admin credential travels as `Authorization: Bearer <token>`. */
export function requireAdmin(credential: AdminCredential): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) {
      // RFC 6750 §3.1: a request without credentials gets the challenge and no error code in it.
      throw new OAuthError({
        status: 401,
        error: 'unauthorized',
        description: 'This directory operation needs the admin credential',
        clause: 'RFC 6750 §2.1',
        fix: `send Authorization: Bearer <admin credential>; it is printed by pnpm dev and stored in data/directory/admin-credential.txt`,
        headers: { 'WWW-Authenticate': `Bearer realm="${REALM}"` },
      });
    }
    const token = bearerTokenOf(header);
    if (token === undefined || !credential.matches(token)) {
      throw new OAuthError({
        status: 401,
        error: 'invalid_token',
        description: 'The admin credential is not valid',
        clause: 'RFC 6750 §3.1',
        fix: 'send the credential exactly as printed by pnpm dev (data/directory/admin-credential.txt)',
        headers: { 'WWW-Authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
      });
    }
    next();
  };
}

const parseJson = express.json({ limit: JSON_BODY_LIMIT, strict: true, type: 'application/json' });

/** A JSON body: 415 for any other content type, 413 above the limit, 400 for malformed JSON. */
export function jsonBody(): RequestHandler[] {
  return [
    (req: Request, _res: Response, next: NextFunction) => {
      // No body at all is fine for optional bodies (the schema decides); any body must be JSON.
      const empty = req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined;
      if (!empty && req.is('application/json') === false) {
        throw new OAuthError({
          status: 415,
          error: 'invalid_request',
          description: `The body is ${req.headers['content-type'] ?? 'of no declared type'}; this endpoint reads JSON only`,
          clause: 'RFC 9110 §15.5.16',
          fix: 'send the body as JSON with Content-Type: application/json',
        });
      }
      next();
    },
    parseJson,
  ];
}

/** Validates a parsed body; every problem is named with its field path in one 400 answer. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 8)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
  throw new OAuthError({
    status: 400,
    error: 'invalid_request',
    description: `The request body is invalid: ${problems}`,
    fix: "correct the fields named above (see the directory README for each endpoint's body)",
  });
}

/** JSON answer; directory data changes (revocations, suspensions) must not be served stale from a cache. */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).set('Cache-Control', 'no-cache').json(body);
}

/**
 * How long a bank may reuse the directory's word on a certificate, a software statement or its keys (RFC 9111
 * §5.2.2.1 max-age): one second, so a suspension or revocation bites at a bank's next call within a
 * second, while a bank serving hundreds of calls a second asks once a second per participant, not per call.
 */
export const STATUS_MAX_AGE_SECONDS = 1;

/** A status answer (certificate status, software statement, its JWKS) banks may reuse for STATUS_MAX_AGE_SECONDS. */
export function sendStatusJson(res: Response, body: unknown): void {
  res.status(200).set('Cache-Control', `max-age=${STATUS_MAX_AGE_SECONDS}`).json(body);
}

/** An express 5 path parameter (always a single string for `:name` segments). */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === 'string' ? value : '';
}
