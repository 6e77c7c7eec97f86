// The redirect URI (RFC 6749 §3.1.2): the bank sends the browser here with the authorization response.
// The back end checks and redeems it, then sends the browser on to the page that shows the outcome; the
// code never reaches the React app.
import { type Request, Router } from 'express';
import type { ConnectionService } from '../connect/connections.js';
import type { SessionStore } from '../store/sessions.js';
import { existingSessionId } from './session.js';

function queryParams(req: Request): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URL(req.originalUrl, 'https://tpp.invalid').searchParams) {
    // RFC 6749 §3.1: a parameter sent twice makes the response ambiguous; the first is kept only to report it.
    params[name] ??= value;
  }
  return params;
}

export function callbackRoutes(deps: {
  connections: ConnectionService;
  sessions: SessionStore;
  origin: string;
}): Router {
  const router = Router();
  router.get('/callback', async (req, res) => {
    const outcome = await deps.connections.complete({
      sessionId: await existingSessionId(req, deps.sessions),
      params: queryParams(req),
      url: `${deps.origin}${req.originalUrl}`,
    });
    res.set('Cache-Control', 'no-store');
    // RFC 9700 §4.2.4: no Referer with the code leaves this page.
    res.set('Referrer-Policy', 'no-referrer');
    if (!outcome.connectionId) {
      const query = new URLSearchParams({
        error: outcome.error?.error ?? 'invalid_request',
        error_description: outcome.error?.error_description ?? '',
      });
      res.redirect(303, `/?${query}`);
      return;
    }
    const page = outcome.paymentId
      ? `/connections/${outcome.connectionId}/pay?payment=${outcome.paymentId}`
      : `/connections/${outcome.connectionId}`;
    res.redirect(303, page);
  });
  return router;
}
