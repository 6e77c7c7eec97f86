// The directory's own public material: the SSA-signing JWKS and the Directory CA certificate.
import { Router } from 'express';
import type { DirectoryServices } from '../services.js';
import { sendJson } from './http.js';

export function directoryKeyRoutes({ signer, ca }: DirectoryServices): Router {
  const router = Router();
  // Banks verify SSAs with these keys (RFC 7591 §2.3); the private halves never leave the directory.
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.type('application/jwk-set+json');
    sendJson(res, 200, signer.publicJwks());
  });
  router.get('/certificate-authority', (_req, res) => {
    res.status(200).set('Cache-Control', 'no-cache').type('application/x-pem-file').send(ca.certificatePem);
  });
  return router;
}
