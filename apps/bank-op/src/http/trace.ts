// The flow trace of bank-op: every inbound request, with its FAPI interaction id, status and the client
// certificate it presented, so the TPP can show one timeline across the parties. Served on the web
// listener at GET /trace?interaction_id=<uuid>.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { INTERACTION_ID_HEADER, isUuid } from '@fapi-sandbox/fapi-core/fapi-headers';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import {
  type CheckResult,
  handleTraceQuery,
  redactHeaders,
  type TraceRecorder,
} from '@fapi-sandbox/fapi-core/trace';
import type { NextFunction, Request, Response } from 'express';
import type { CertificateSource } from '../mtls/client-certificate.js';

/** What each bank-op endpoint is, for the trace's step titles. */
const STEPS: [RegExp, string][] = [
  [/^\/\.well-known\//, 'Discovery'],
  [/^\/jwks$/, 'Bank signing keys (JWKS)'],
  [/^\/par$/, 'Pushed authorization request'],
  [/^\/authorize(\/|$)/, 'Authorization request'],
  [/^\/interaction\//, 'Customer sign-in and consent'],
  [/^\/token$/, 'Token request'],
  [/^\/token\/introspect$/, 'Token introspection'],
  [/^\/token\/revoke$/, 'Token revocation'],
  [/^\/register(\/|$)/, 'Dynamic client registration'],
];

function stepOf(path: string): string | undefined {
  return STEPS.find(([pattern]) => pattern.test(path))?.[1];
}

/** Where the checks a request went through wait until its trace event is recorded. */
interface WithChecks {
  locals?: { traceChecks?: CheckResult[] };
}

/** Records the result of one check on this request (gates, oidc-provider refusals) in its trace event. */
export function noteCheck(res: unknown, check: CheckResult): void {
  const target = res as WithChecks;
  if (!target.locals) return;
  target.locals.traceChecks ??= [];
  target.locals.traceChecks.push(check);
}

export function traceRequests(options: {
  recorder: TraceRecorder;
  channel: 'front' | 'back';
  certificates: CertificateSource;
}) {
  return (req: Request, res: Response, next: NextFunction) => {
    const sent = req.headers[INTERACTION_ID_HEADER];
    const interactionId = typeof sent === 'string' && isUuid(sent) ? sent : randomUUID();
    const presented = options.certificates.certificateOf(req as IncomingMessage);
    res.on('finish', () => {
      options.recorder.record({
        interactionId,
        party: 'bank-op',
        direction: 'inbound',
        channel: options.channel,
        ...(stepOf(req.path) ? { step: stepOf(req.path) } : {}),
        method: req.method,
        url: `${req.protocol}://${req.get('host')}${req.path}`,
        status: res.statusCode,
        requestHeaders: redactHeaders(req.headers),
        checks: (res as WithChecks).locals?.traceChecks ?? [],
        ...(presented
          ? {
              certificate: {
                subject: presented.x509.subject.replace(/\n/g, ', '),
                x5tS256: certificateThumbprint(presented.x509),
              },
            }
          : {}),
      });
    });
    next();
  };
}

export function traceQueryRoute(recorder: TraceRecorder) {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      const params = new URLSearchParams(req.url.split('?')[1] ?? '');
      res.set('Cache-Control', 'no-store').json({ events: handleTraceQuery(recorder, params) });
    } catch (err) {
      next(err);
    }
  };
}
