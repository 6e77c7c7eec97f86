// The attack lab's JSON API (issue #12): the catalogue, and one attack run against a connection of the
// learner's session, whose messages land in that connection's inspector under "Attacks". The outcome
// says who refused the bent message and why; never a token or a key.
//
//   GET  /api/attacks                               the catalogue (data only) and the steps it attacks
//   POST /api/connections/:id/attacks/:attackId     runs it: 200 outcome (a hole is refused: false),
//                                                   404 no such connection in this session or no such
//                                                   attack, 400 not for this profile, 409 one running,
//                                                   502 the run broke before the attacked message

import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { Router } from 'express';
import { createAttackLab } from '../attacks/attack-lab.js';
import type { ConnectionStore } from '../store/connections.js';
import type { SessionStore } from '../store/sessions.js';
import { inPhase } from '../trace/phase.js';
import type { TraceLog } from '../trace/trace-log.js';
import { sessionMiddleware } from './session.js';

export function attackRoutes(deps: {
  config: SandboxConfig;
  trace: TraceLog;
  /** Moneywise, whose certificate and keys the attack's client uses. */
  participant: Participant;
  sessions: SessionStore;
  store: ConnectionStore;
}): Router {
  const lab = createAttackLab(deps);
  const router = Router();
  const noStore = Router().use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/attacks', noStore, (_req, res) => {
    res.json(lab.catalogue());
  });

  // The same-origin rule (app.ts) guards this POST; the session must own the connection.
  router.post(
    '/connections/:id/attacks/:attackId',
    noStore,
    sessionMiddleware(deps.sessions),
    inPhase('attacks'),
    async (req, res) => {
      const connection = await deps.store.get(String(req.params.id));
      if (!connection || connection.sessionId !== res.locals.session.id) {
        throw new OAuthError({
          status: 404,
          error: 'not_found',
          description: 'No connection with this id in your session',
          fix: 'open it from the Connections page',
        });
      }
      res.json(await lab.run(connection, String(req.params.attackId), res.locals.session.id));
    },
  );
  return router;
}
