// The resource server's pipeline: every protected call runs the same named checks, in this order, and
// each one's pass or fail goes into the flow trace. A learner reads `defaultChecks` and knows what a
// FAPI resource server must do before it answers:
//   1. FAPI headers and token location   (FAPI 1.0 Part 1 §6.2.1, §6.2.2; FAPI 2.0 SP §5.3.4-1/-2)
//   2. Transport: DPoP proof or mTLS cert (RFC 9449 §4.3, §7.1; RFC 8705 §3)
//   3. Token: bank-op's signature, iss, aud, exp (RFC 9068 §4), or, for an opaque token, bank-op's
//      answer to an introspection request (RFC 7662 §2, RFC 9701)
//   4. Binding: cnf matches the proof key or the certificate (RFC 9449 §6.1; RFC 8705 §3)
//   5. Revocation: neither the token nor its grant was revoked (FAPI 2.0 SP §5.3.4-3, RFC 7009 §2)
//   6. Participant: the directory still vouches for the token's software (FAPI 2.0 SP §5.3.4-3)
//   7. Message signature: the client's RFC 9421 signature, when sent or required (FAPI 2.0 HTTP Signatures
//      §5.3.1.2)
//   8. Authorisation: scope, grant, consent, permissions, account (FAPI 2.0 SP §5.3.4-4)
// The FAPI headers run first so the interaction id is settled before anything can fail, and the token
// location is known before the transport check decides between DPoP and mTLS. The directory is asked
// about the participant only once the caller has proved it holds the token (binding), and before the
// token's consent is looked at: a withdrawn participant gets nothing, whatever it was granted.

import type { X509Certificate } from 'node:crypto';
import { directoryParticipantOf } from '@fapi-sandbox/fapi-core/certificate-identity';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { DpopNonceSource } from '@fapi-sandbox/fapi-core/jose/dpop';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import type { CheckResult, TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { type AuthorisationCheckOptions, authorisationCheck } from './checks/authorisation.js';
import { bindingCheck } from './checks/binding.js';
import type { AccessRequirement, Check, PipelineContext } from './checks/context.js';
import { fapiHeadersCheck } from './checks/fapi-headers.js';
import { type MessageSignatureCheckOptions, messageSignatureCheck } from './checks/message-signature.js';
import { type ParticipantCheckOptions, participantCheck } from './checks/participant.js';
import { type RevocationCheckOptions, revocationCheck } from './checks/revocation.js';
import { type TokenCheckOptions, tokenCheck } from './checks/token.js';
import { type TransportCheckOptions, transportCheck } from './checks/transport.js';

export type { AccessRequirement, PipelineContext } from './checks/context.js';

export type PipelineDependencies = TransportCheckOptions &
  TokenCheckOptions &
  RevocationCheckOptions &
  ParticipantCheckOptions &
  MessageSignatureCheckOptions &
  AuthorisationCheckOptions;

/** The checks every protected call runs, in order. */
export function defaultChecks(deps: PipelineDependencies): Check[] {
  return [
    fapiHeadersCheck(),
    transportCheck(deps),
    tokenCheck(deps),
    bindingCheck(),
    revocationCheck(deps),
    participantCheck(deps),
    messageSignatureCheck(deps),
    authorisationCheck(deps),
  ];
}

export interface PipelineOptions {
  checks: Check[];
  /** The public origin the API is addressed by (config.bankApi.web.origin), for the DPoP htu. */
  origin: string;
  /** When DPoP nonces are required, each DPoP response carries the current one (RFC 9449 §8.2, §9). */
  nonces?: DpopNonceSource;
}

/** What a protected handler reads after the pipeline: the verified context. */
export function pipelineContext(res: Response): PipelineContext {
  const ctx = res.locals.pipeline as PipelineContext | undefined;
  if (!ctx?.token) throw new Error('pipelineContext() called on a route the pipeline did not protect');
  return ctx;
}

/** The body bytes as received (kept by the JSON parser in app.ts), for the Content-Digest check. */
export function rawBodyOf(req: Request): Buffer | undefined {
  return (req as Request & { rawBody?: Buffer }).rawBody;
}

export function interactionIdOf(res: Response): string {
  return res.locals.interactionId as string;
}

export function createPipeline(options: PipelineOptions) {
  /** Middleware running every check for a route with this requirement. */
  function protect(requirement: AccessRequirement): RequestHandler {
    return async (req: Request, res: Response, next: NextFunction) => {
      const url = new URL(req.originalUrl, options.origin);
      const ctx: PipelineContext = {
        method: req.method,
        url: url.href,
        headers: req.headers,
        query: url.searchParams,
        socket: req.socket,
        interactionId: interactionIdOf(res),
        requirement,
        params: req.params as Record<string, string>,
        ...(rawBodyOf(req) ? { body: rawBodyOf(req) } : {}),
        jwts: [],
      };
      const results: CheckResult[] = [];
      res.locals.pipeline = ctx;
      res.locals.checks = results;
      if (
        options.nonces &&
        (req.headers.dpop !== undefined || /^dpop\s/i.test(req.headers.authorization ?? ''))
      ) {
        res.setHeader('DPoP-Nonce', options.nonces.current());
      }
      for (const check of options.checks) {
        try {
          // Most checks answer at once: only a pending answer is awaited (no queued turn per check).
          const ran = check.run(ctx);
          const detail = typeof ran === 'string' ? ran : await ran;
          results.push({
            name: check.nameFor?.(ctx) ?? check.name,
            passed: true,
            clause: check.clause,
            detail,
          });
        } catch (err) {
          const known = err instanceof OAuthError;
          results.push({
            name: check.nameFor?.(ctx) ?? check.name,
            passed: false,
            clause: known && err.clause ? err.clause : check.clause,
            detail: known ? err.errorDescription : 'the check itself failed; see the bank-api log',
          });
          next(err);
          return;
        }
      }
      next();
    };
  }

  /**
   * Records every API call into the flow trace when its response is sent: the request, the checks the
   * pipeline ran (pass/fail, clause, what was found), the decoded JWTs and the response (the recorder
   * redacts them). Filed under the participant the call concerns: the software_id of the verified token,
   * else of the directory-issued certificate presented, else nobody's.
   */
  function traceCalls(
    trace: TraceRecorder,
    step: (req: Request) => string,
    directoryCa: X509Certificate,
  ): RequestHandler {
    return (req, res, next) => {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        res.locals.responseBody = body;
        return json(body);
      };
      res.on('finish', () => {
        const ctx = res.locals.pipeline as PipelineContext | undefined;
        const certificate = ctx?.certificate ?? peerCertificateOf(req.socket);
        const participant =
          ctx?.token?.software_id ??
          (certificate?.authorized ? directoryParticipantOf(certificate.x509, directoryCa) : undefined);
        trace.record({
          interactionId: interactionIdOf(res),
          ...(participant ? { participant } : {}),
          party: 'bank-api',
          direction: 'inbound',
          channel: 'back',
          step: step(req),
          method: req.method,
          // The URL the pipeline read (a call it did not protect has none yet).
          url: ctx?.url ?? new URL(req.originalUrl, options.origin).href,
          status: res.statusCode,
          requestHeaders: req.headers as Record<string, string>,
          responseHeaders: res.getHeaders() as Record<string, string>,
          ...(req.body !== undefined ? { requestBody: req.body } : {}),
          ...(res.locals.responseBody !== undefined ? { responseBody: res.locals.responseBody } : {}),
          jwts: ctx?.jwts ?? [],
          checks: (res.locals.checks as CheckResult[] | undefined) ?? [],
          ...(certificate
            ? { certificate: { subject: certificate.identity.subjectDn, x5tS256: certificate.x5tS256 } }
            : {}),
        });
      });
      next();
    };
  }

  return { protect, traceCalls };
}
