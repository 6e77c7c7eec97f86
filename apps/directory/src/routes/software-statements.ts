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
  const view = async (orgId: string, softwareId: string) => {
    const { organisation, software } = await registry.software(orgId, softwareId);
    return softwareStatementView(config, organisation, software);
  };

  router.get('/organisations/:orgId/software-statements', async (req, res) => {
    const organisation = await registry.organisation(param(req, 'orgId'));
    const softwareStatements = (await store.softwareStatements.listFor(organisation.orgId)).map((software) =>
      softwareStatementView(config, organisation, software),
    );
    sendJson(res, 200, { softwareStatements });
  });

  router.post('/organisations/:orgId/software-statements', admin, ...jsonBody(), async (req, res) => {
    const orgId = param(req, 'orgId');
    const created = await registry.createSoftwareStatement(
      orgId,
      parseBody(newSoftwareStatementBody, req.body),
    );
    res.location(
      `/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(created.softwareId)}`,
    );
    sendJson(res, 201, await view(orgId, created.softwareId));
  });

  router.get(ONE, async (req, res) => {
    sendStatusJson(res, await view(param(req, 'orgId'), param(req, 'softwareId')));
  });

  router.patch(ONE, admin, ...jsonBody(), async (req, res) => {
    const { status } = parseBody(statusBody, req.body);
    const updated = await registry.setSoftwareStatus(param(req, 'orgId'), param(req, 'softwareId'), status);
    sendJson(res, 200, softwareStatementView(config, updated.organisation, updated.software));
  });

  router.get(`${ONE}/jwks`, async (req, res) => {
    res.type('application/jwk-set+json');
    const orgId = param(req, 'orgId');
    const softwareId = param(req, 'softwareId');
    const { keys } = await certificates.softwareJwks(orgId, softwareId);
    // Like its certificates, a suspended or revoked software's encryption keys are no longer published.
    const active = (await registry.software(orgId, softwareId)).status === 'active';
    // Which keys the software holds now is part of its status: reused by banks for the same moment.
    sendStatusJson(res, {
      keys: [...keys, ...(active ? await softwareEncryptionKeys(config, store, softwareId) : [])],
    });
  });

  return router;
}
