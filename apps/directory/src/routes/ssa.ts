// The SSA endpoint. On the mTLS listener it hands the signed SSA to the software's own transport
// certificate; on the web listener it explains where to go, since no client certificate is asked for there.

import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import { decodeJwtsIn } from '@fapi-sandbox/fapi-core/trace';
import { Router } from 'express';
import { ssaUrl } from '../domain/urls.js';
import type { DirectoryServices } from '../services.js';
import { param } from './http.js';
import { traceChecks } from './trace.js';

const SSA_PATH = '/organisations/:orgId/software-statements/:softwareId/ssa';

export function ssaRoutes({ ssa }: DirectoryServices): Router {
  const router = Router();
  router.get(SSA_PATH, async (req, res) => {
    const presented = peerCertificateOf(req.socket);
    const checks = traceChecks(res);
    try {
      const token = await ssa.issueOverMtls(presented, param(req, 'orgId'), param(req, 'softwareId'));
      checks.push({
        name: 'Transport certificate authorises the SSA request',
        passed: true,
        clause: 'RFC 8705 §2.1',
        detail: `Certificate ${presented?.serialNumber ?? ''} chains to the Directory CA, is not revoked and belongs to this active software statement`,
      });
      res.locals.traceJwts = decodeJwtsIn(token, 'SSA');
      res.status(200).set('Cache-Control', 'no-store').type('application/jwt').send(token);
    } catch (err) {
      if (err instanceof OAuthError) {
        checks.push({
          name: 'Transport certificate authorises the SSA request',
          passed: false,
          clause: err.clause ?? 'RFC 8705 §2.1',
          detail: err.description,
        });
      }
      throw err;
    }
  });
  return router;
}

export function ssaOnWebListenerRoutes({ config }: DirectoryServices): Router {
  const router = Router();
  router.get(SSA_PATH, (req) => {
    throw new OAuthError({
      status: 401,
      error: 'invalid_client',
      description:
        "The SSA is served on the directory's mTLS listener only; this listener never asks for a client certificate",
      clause: 'RFC 8705 §2',
      fix: `call ${ssaUrl(config, param(req, 'orgId'), param(req, 'softwareId'))} with the software's transport certificate`,
    });
  });
  return router;
}
