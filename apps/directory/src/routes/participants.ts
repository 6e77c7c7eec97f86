// The ecosystem at a glance: every authorisation server (where a TPP finds a bank) and every software
// statement with the status a bank must act on. Public, as in real open-banking directories.
import { Router } from 'express';
import { effectiveStatus } from '../domain/model.js';
import { softwareJwksUri } from '../domain/urls.js';
import type { DirectoryServices } from '../services.js';
import { sendJson } from './http.js';

export function participantsRoutes({ config, store }: DirectoryServices): Router {
  const router = Router();
  router.get('/participants', async (_req, res) => {
    const organisations = new Map((await store.organisations.list()).map((org) => [org.orgId, org]));
    const authorisationServers = (await store.organisations.authorisationServers.list()).flatMap((server) => {
      const org = organisations.get(server.orgId);
      if (!org) return [];
      return [
        {
          orgId: org.orgId,
          orgName: org.orgName,
          status: org.status,
          issuer: server.issuer,
          discoveryUrl: server.discoveryUrl,
          apiBaseUrl: server.apiBaseUrl,
          customerFriendlyName: server.customerFriendlyName,
          logoUri: server.logoUri,
        },
      ];
    });
    const softwareStatements = (await store.softwareStatements.list()).flatMap((software) => {
      const org = organisations.get(software.orgId);
      if (!org) return [];
      return [
        {
          orgId: org.orgId,
          orgName: org.orgName,
          softwareId: software.softwareId,
          clientName: software.clientName,
          status: effectiveStatus(org.status, software.status),
          roles: software.roles,
          redirectUris: software.redirectUris,
          jwksUri: softwareJwksUri(config, org.orgId, software.softwareId),
          logoUri: software.logoUri,
        },
      ];
    });
    sendJson(res, 200, { authorisationServers, softwareStatements });
  });
  return router;
}
