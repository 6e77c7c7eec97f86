// Organisations and their authorisation servers: public reads, admin writes.
import { Router } from 'express';
import type { DirectoryServices } from '../services.js';
import { jsonBody, param, parseBody, requireAdmin, sendJson } from './http.js';
import { newAuthorisationServerBody, newOrganisationBody, statusBody } from './schemas.js';
import { authorisationServerView, organisationView } from './views.js';

export function organisationRoutes({ store, registry, adminCredential }: DirectoryServices): Router {
  const router = Router();
  const admin = requireAdmin(adminCredential);
  const view = (orgId: string) =>
    organisationView(registry.organisation(orgId), store.organisations.authorisationServers.listFor(orgId));

  router.get('/organisations', (_req, res) => {
    const organisations = store.organisations
      .list()
      .map((org) => organisationView(org, store.organisations.authorisationServers.listFor(org.orgId)));
    sendJson(res, 200, { organisations });
  });

  router.post('/organisations', admin, ...jsonBody(), (req, res) => {
    const created = registry.createOrganisation(parseBody(newOrganisationBody, req.body));
    res.location(`/organisations/${encodeURIComponent(created.orgId)}`);
    sendJson(res, 201, view(created.orgId));
  });

  router.get('/organisations/:orgId', (req, res) => {
    sendJson(res, 200, view(param(req, 'orgId')));
  });

  router.patch('/organisations/:orgId', admin, ...jsonBody(), (req, res) => {
    const { status } = parseBody(statusBody, req.body);
    const updated = registry.setOrganisationStatus(param(req, 'orgId'), status);
    sendJson(res, 200, view(updated.orgId));
  });

  router.get('/organisations/:orgId/authorisation-servers', (req, res) => {
    const org = registry.organisation(param(req, 'orgId'));
    const authorisationServers = store.organisations.authorisationServers
      .listFor(org.orgId)
      .map(authorisationServerView);
    sendJson(res, 200, { authorisationServers });
  });

  router.post('/organisations/:orgId/authorisation-servers', admin, ...jsonBody(), (req, res) => {
    const created = registry.createAuthorisationServer(
      param(req, 'orgId'),
      parseBody(newAuthorisationServerBody, req.body),
    );
    sendJson(res, 201, authorisationServerView(created));
  });

  return router;
}
