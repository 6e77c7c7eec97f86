// The directory's part of the flow trace: every API request it answers (with the checks it made and the
// SSA it signed, decoded) recorded under the caller's x-fapi-interaction-id, and GET /trace to read them.

import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import {
  type CheckResult,
  type DecodedJwt,
  handleTraceQuery,
  redactHeaders,
  type TraceRecorder,
} from '@fapi-sandbox/fapi-core/trace';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import { sendJson } from './http.js';

/** Pages, health polls and the trace itself are not part of any flow. */
const UNTRACED = /^\/(ui|health|trace|favicon\.ico)(\/|$)|^\/$/;

/** The check results a handler adds to this request's trace event. */
export function traceChecks(res: Response): CheckResult[] {
  res.locals.traceChecks ??= [];
  return res.locals.traceChecks as CheckResult[];
}

export function recordRequests(trace: TraceRecorder, listener: 'web' | 'mtls'): RequestHandler {
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
      trace.record({
        interactionId,
        party: 'directory',
        direction: 'inbound',
        channel: 'back',
        step: `${req.method} ${req.path}`,
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        requestHeaders: redactHeaders(req.headers),
        jwts: (res.locals.traceJwts as DecodedJwt[] | undefined) ?? [],
        checks: traceChecks(res),
        ...(peer
          ? { certificate: { subject: peer.subject.raw.replace(/\n/g, ', '), x5tS256: peer.x5tS256 } }
          : {}),
      });
    });
    next();
  };
}

export function traceRoutes(trace: TraceRecorder): Router {
  const router = Router();
  router.get('/trace', (req, res) => {
    const params = new URLSearchParams(req.url.split('?')[1] ?? '');
    sendJson(res, 200, { events: handleTraceQuery(trace, params) });
  });
  return router;
}
