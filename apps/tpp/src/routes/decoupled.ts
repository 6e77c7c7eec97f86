// Decoupled authentication (FAPI-CIBA) for the React app, and the bank's ping. POST
// /api/connections/decoupled starts one (the customer's username, the binding message, poll or ping) and
// answers the waiting view; GET /api/connections/:id/decoupled is what the waiting page polls. POST
// /ciba/ping is the bank's, not a browser's: it comes before the same-origin rule (app.ts) and is
// authenticated by its Bearer token alone (connect/decoupled-ping.ts).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import express, { Router } from 'express';
import { z } from 'zod';
import type { Decoupled } from '../connect/decoupled.js';
import { PING_PATH, type Ping } from '../connect/decoupled-ping.js';
import { isClientAuthMethod } from '../connect/profiles.js';
import type { ConnectionStore } from '../store/connections.js';
import type { SessionStore } from '../store/sessions.js';
import { inPhase } from '../trace/phase.js';
import { invalidBody } from './api.js';
import { sessionMiddleware } from './session.js';

// The bank judges the binding message and the username (CIBA §7.1, §13): Moneywise only keeps out what
// could not be either, and relays the bank's refusal of the rest.
const startBody = z.object({
  mode: z.enum(['poll', 'ping'], { message: 'mode must be poll or ping' }),
  clientAuth: z
    .string()
    .refine(isClientAuthMethod, { message: 'clientAuth must be private_key_jwt or tls_client_auth' })
    .default('private_key_jwt'),
  loginHint: z.string().trim().min(1, "enter the customer's username at the bank").max(64),
  bindingMessage: z.string().trim().min(1, 'enter a binding message').max(64),
});

export function decoupledRoutes(deps: {
  sessions: SessionStore;
  decoupled: Decoupled;
  store: ConnectionStore;
}): Router {
  const router = Router();
  router.use('/connections', express.json({ limit: '8kb' }), sessionMiddleware(deps.sessions));

  router.post('/connections/decoupled', inPhase('connect'), async (req, res) => {
    const parsed = startBody.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidBody(parsed.error);
    const { mode, loginHint, bindingMessage } = parsed.data;
    const clientAuth = parsed.data.clientAuth;
    if (!isClientAuthMethod(clientAuth)) throw new Error('unreachable: validated above');
    res.set('Cache-Control', 'no-store');
    res.status(201).json(
      await deps.decoupled.start({
        customer: {
          sessionId: res.locals.session.id,
          authDate: new Date(res.locals.session.createdAt),
          ip: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
        },
        clientAuth,
        mode,
        loginHint,
        bindingMessage,
      }),
    );
  });

  router.get('/connections/:id/decoupled', async (req, res) => {
    const connection = await deps.store.get(String(req.params.id));
    const view =
      connection && connection.sessionId === res.locals.session.id
        ? await deps.decoupled.view(connection)
        : undefined;
    if (!view) {
      throw new OAuthError({
        status: 404,
        error: 'not_found',
        description: 'No decoupled connection with this id in your session',
        fix: 'start one from the Connect page',
      });
    }
    res.set('Cache-Control', 'no-store');
    res.json(view);
  });
  return router;
}

export function pingRoutes(deps: { receive: (ping: Ping) => Promise<void>; origin: string }): Router {
  const router = Router();
  router.post(PING_PATH, express.json({ limit: '4kb' }), async (req, res) => {
    await deps.receive({
      authorization: req.headers.authorization,
      body: req.body,
      url: `${deps.origin}${req.originalUrl}`,
      headers: Object.fromEntries(
        Object.entries(req.headers).flatMap(([name, value]) =>
          typeof value === 'string' ? [[name, value]] : [],
        ),
      ),
    });
    // CIBA §10.2: the client answers the ping with 204 No Content.
    res.status(204).end();
  });
  return router;
}
