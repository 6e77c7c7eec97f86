// Participant certificates: issue from a CSR and revoke (admin); list, read, the status relying parties
// consult by thumbprint, and the Directory CA's CRL (public, as revocation information must be).

import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { Router } from 'express';
import { CERTIFICATE_TYPES, type CertificateType } from '../domain/model.js';
import type { DirectoryServices } from '../services.js';
import { jsonBody, param, parseBody, requireAdmin, sendJson, sendStatusJson } from './http.js';
import { issueCertificateBody, reissueCertificateBody, revokeCertificateBody } from './schemas.js';
import { certificateView } from './views.js';

const X5T_S256 = /^[A-Za-z0-9_-]{43}$/;

function queryValue(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new OAuthError({
      status: 400,
      error: 'invalid_request',
      description: `Query parameter ${name} appears more than once`,
      fix: `send ${name} once`,
    });
  }
  return value;
}

export function certificateRoutes({
  registry,
  certificates,
  store,
  adminCredential,
  reissue,
}: DirectoryServices): Router {
  const router = Router();
  const admin = requireAdmin(adminCredential);
  const ofSoftware = '/organisations/:orgId/software-statements/:softwareId/certificates';

  router.get('/certificates', async (req, res) => {
    const orgId = queryValue(req.query.orgId, 'orgId');
    const softwareId = queryValue(req.query.softwareId, 'softwareId');
    const type = queryValue(req.query.type, 'type');
    if (type !== undefined && !CERTIFICATE_TYPES.includes(type as CertificateType)) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: `type '${type.slice(0, 20)}' is not a certificate type`,
        fix: `send type=${CERTIFICATE_TYPES.join(' or type=')}`,
      });
    }
    const list = await store.certificates.list({
      orgId,
      softwareId,
      type: type as CertificateType | undefined,
    });
    sendJson(res, 200, { certificates: list.map((certificate) => certificateView(certificate)) });
  });

  router.get('/certificates/:serialNumber', async (req, res) => {
    const certificate = await certificates.get(param(req, 'serialNumber'));
    sendJson(res, 200, certificateView(certificate, { withPem: true }));
  });

  router.post('/certificates/:serialNumber/revoke', admin, ...jsonBody(), async (req, res) => {
    const { reason } = parseBody(revokeCertificateBody, req.body);
    const revoked = await certificates.revoke(param(req, 'serialNumber'), reason ?? 'unspecified');
    sendJson(res, 200, certificateView(revoked));
  });

  // A fixture participant's transport certificate: revoked as superseded, replaced by a new key and certificate.
  router.post('/certificates/:serialNumber/reissue', admin, ...jsonBody(), async (req, res) => {
    const { confirm } = parseBody(reissueCertificateBody, req.body);
    const reissued = await reissue(param(req, 'serialNumber'), confirm);
    res.location(`/certificates/${reissued.certificate.serialNumber}`);
    sendJson(res, 201, {
      revoked: certificateView(reissued.revoked),
      certificate: certificateView(reissued.certificate),
      files: reissued.files,
    });
  });

  router.get(ofSoftware, async (req, res) => {
    const { software } = await registry.software(param(req, 'orgId'), param(req, 'softwareId'));
    const list = await store.certificates.list({ softwareId: software.softwareId });
    sendJson(res, 200, { certificates: list.map((certificate) => certificateView(certificate)) });
  });

  router.post(ofSoftware, admin, ...jsonBody(), async (req, res) => {
    const body = parseBody(issueCertificateBody, req.body);
    const issued = await certificates.issue(param(req, 'orgId'), param(req, 'softwareId'), body);
    res.location(`/certificates/${issued.certificate.serialNumber}`);
    sendJson(res, 201, { certificate: certificateView(issued.certificate), chainPem: issued.chainPem });
  });

  // What bank-op and bank-api ask before trusting a client certificate (RFC 5280 §3.3 revocation).
  router.get('/certificate-status', async (req, res) => {
    const x5t = queryValue(req.query['x5t#S256'], 'x5t#S256');
    if (x5t === undefined || !X5T_S256.test(x5t)) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: 'x5t#S256 must be the base64url SHA-256 thumbprint of a DER certificate (43 characters)',
        clause: 'RFC 8705 §3.1',
        fix: 'send GET /certificate-status?x5t%23S256=<base64url(sha256(DER))>',
      });
    }
    sendStatusJson(res, await certificates.status(x5t));
  });

  // RFC 5280 §5: the Directory CA's CRL, DER, re-signed whenever a certificate is revoked.
  router.get('/crl', async (_req, res) => {
    const der = await certificates.crl();
    res.status(200).set('Cache-Control', 'no-cache').type('application/pkix-crl').send(Buffer.from(der));
  });

  return router;
}
