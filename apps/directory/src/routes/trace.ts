// The directory's part of the flow trace: every API request it answers (with the checks it made and the
// SSA it signed, decoded) recorded under the caller's x-fapi-interaction-id and, on the mTLS listener,
// under the participant its transport certificate names; GET /trace on the mTLS listener to read them.

import type { X509Certificate } from 'node:crypto';
import { directoryParticipantOf } from '@fapi-sandbox/fapi-core/certificate-identity';
import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import {
  type CheckResult,
  type DecodedJwt,
  handleTraceQuery,
  type TraceRecorder,
  traceOnlyOverMtls,
  traceReaderOf,
} from '@fapi-sandbox/fapi-core/trace';
import { type Request, type RequestHandler, type Response, Router } from 'express';

/** Pages, health polls and the trace itself are not part of any flow. */
const UNTRACED = /^\/(ui|health|trace|favicon\.ico)(\/|$)|^\/$/;

/** The check results a handler adds to this request's trace event. */
export function traceChecks(res: Response): CheckResult[] {
  res.locals.traceChecks ??= [];
  return res.locals.traceChecks as CheckResult[];
}

/** Records each request; on the mTLS listener, filed under the participant its certificate names. */
export function recordRequests(
  trace: TraceRecorder,
  listener: 'web' | 'mtls',
  directoryCa: X509Certificate,
): RequestHandler {
  return (req: Request, res: Response, next) => {
    if (UNTRACED.test(req.path)) {
      next();
      return;
    }
    res.on('finish', () => {
      const interactionId =
        (res.locals.fapi as { interactionId?: string } | undefined)?.interactionId ??
        String(res.getHeader(INTERACTION_ID_HEADER) ?? '');
      const peer = listener === 'mtls' ? peerCertificateOf(req.socket) : undefined;
      const participant = peer?.authorized ? directoryParticipantOf(peer.x509, directoryCa) : undefined;
      trace.record({
        interactionId,
        ...(participant ? { participant } : {}),
        party: 'directory',
        direction: 'inbound',
        channel: 'back',
        step: `${req.method} ${req.path}`,
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        requestHeaders: req.headers as Record<string, string>,
        jwts: (res.locals.traceJwts as DecodedJwt[] | undefined) ?? [],
        checks: traceChecks(res),
        ...(peer ? { certificate: { subject: peer.identity.subjectDn, x5tS256: peer.x5tS256 } } : {}),
      });
    });
    next();
  };
}

/** GET /trace on the mTLS listener: the events of the participant whose transport certificate asks. */
export function traceRoutes(trace: TraceRecorder, directoryCa: X509Certificate, mtlsOrigin: string): Router {
  const router = Router();
  router.get('/trace', (req, res) => {
    const reader = traceReaderOf(peerCertificateOf(req.socket), directoryCa, `${mtlsOrigin}/trace`);
    const params = new URLSearchParams(req.url.split('?')[1] ?? '');
    res.set('Cache-Control', 'no-store').json({ events: handleTraceQuery(trace, params, reader) });
  });
  return router;
}

/** GET /trace on the web listener, which asks for no certificate: where to go instead. */
export function traceOnWebListenerRoutes(mtlsOrigin: string): Router {
  const router = Router();
  router.get('/trace', () => {
    throw traceOnlyOverMtls(`${mtlsOrigin}/trace`);
  });
  return router;
}
