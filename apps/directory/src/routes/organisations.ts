// Organisations and their authorisation servers: public reads, admin writes.
import { Router } from 'express';
import type { Organisation } from '../domain/model.js';
import type { DirectoryServices } from '../services.js';
import { jsonBody, param, parseBody, requireAdmin, sendJson } from './http.js';
import { newAuthorisationServerBody, newOrganisationBody, statusBody } from './schemas.js';
import { authorisationServerView, organisationView } from './views.js';

export function organisationRoutes({ store, registry, adminCredential }: DirectoryServices): Router {
  const router = Router();
  const admin = requireAdmin(adminCredential);
  const withServers = async (org: Organisation) =>
    organisationView(org, await store.organisations.authorisationServers.listFor(org.orgId));
  const view = async (orgId: string) => withServers(await registry.organisation(orgId));

  router.get('/organisations', async (_req, res) => {
    const organisations = await Promise.all((await store.organisations.list()).map(withServers));
    sendJson(res, 200, { organisations });
  });

  router.post('/organisations', admin, ...jsonBody(), async (req, res) => {
    const created = await registry.createOrganisation(parseBody(newOrganisationBody, req.body));
    res.location(`/organisations/${encodeURIComponent(created.orgId)}`);
    sendJson(res, 201, await view(created.orgId));
  });

  router.get('/organisations/:orgId', async (req, res) => {
    sendJson(res, 200, await view(param(req, 'orgId')));
  });

  router.patch('/organisations/:orgId', admin, ...jsonBody(), async (req, res) => {
    const { status } = parseBody(statusBody, req.body);
    const updated = await registry.setOrganisationStatus(param(req, 'orgId'), status);
    sendJson(res, 200, await view(updated.orgId));
  });

  router.get('/organisations/:orgId/authorisation-servers', async (req, res) => {
    const org = await registry.organisation(param(req, 'orgId'));
    const authorisationServers = (await store.organisations.authorisationServers.listFor(org.orgId)).map(
      authorisationServerView,
    );
    sendJson(res, 200, { authorisationServers });
  });

  router.post('/organisations/:orgId/authorisation-servers', admin, ...jsonBody(), async (req, res) => {
    const created = await registry.createAuthorisationServer(
      param(req, 'orgId'),
      parseBody(newAuthorisationServerBody, req.body),
    );
    sendJson(res, 201, authorisationServerView(created));
  });

  return router;
}
