// Software statements: public reads (including each one's JWKS, the client's jwks_uri), admin writes.
import { Router } from 'express';
import { softwareEncryptionKeys } from '../domain/encryption-keys.js';
import type { DirectoryServices } from '../services.js';
import { jsonBody, param, parseBody, requireAdmin, sendJson, sendStatusJson } from './http.js';
import { newSoftwareStatementBody, statusBody } from './schemas.js';
import { softwareStatementView } from './views.js';

const ONE = '/organisations/:orgId/software-statements/:softwareId';

export function softwareStatementRoutes({
  config,
  store,
  registry,
  certificates,
  adminCredential,
}: DirectoryServices): Router {
  const router = Router();
  const admin = requireAdmin(adminCredential);
  const view = (orgId: string, softwareId: string) => {
    const { organisation, software } = registry.software(orgId, softwareId);
    return softwareStatementView(config, organisation, software);
  };

  router.get('/organisations/:orgId/software-statements', (req, res) => {
    const organisation = registry.organisation(param(req, 'orgId'));
    const softwareStatements = store.softwareStatements
      .listFor(organisation.orgId)
      .map((software) => softwareStatementView(config, organisation, software));
    sendJson(res, 200, { softwareStatements });
  });

  router.post('/organisations/:orgId/software-statements', admin, ...jsonBody(), (req, res) => {
    const orgId = param(req, 'orgId');
    const created = registry.createSoftwareStatement(orgId, parseBody(newSoftwareStatementBody, req.body));
    res.location(
      `/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(created.softwareId)}`,
    );
    sendJson(res, 201, view(orgId, created.softwareId));
  });

  router.get(ONE, (req, res) => {
    sendStatusJson(res, view(param(req, 'orgId'), param(req, 'softwareId')));
  });

  router.patch(ONE, admin, ...jsonBody(), (req, res) => {
    const { status } = parseBody(statusBody, req.body);
    const updated = registry.setSoftwareStatus(param(req, 'orgId'), param(req, 'softwareId'), status);
    sendJson(res, 200, softwareStatementView(config, updated.organisation, updated.software));
  });

  router.get(`${ONE}/jwks`, (req, res) => {
    res.type('application/jwk-set+json');
    const orgId = param(req, 'orgId');
    const softwareId = param(req, 'softwareId');
    const { keys } = certificates.softwareJwks(orgId, softwareId);
    // Like its certificates, a suspended or revoked software's encryption keys are no longer published.
    const active = registry.software(orgId, softwareId).status === 'active';
    // Which keys the software holds now is part of its status: reused by banks for the same moment.
    sendStatusJson(res, {
      keys: [...keys, ...(active ? softwareEncryptionKeys(config, store, softwareId) : [])],
    });
  });

  return router;
}
