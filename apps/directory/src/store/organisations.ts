// Organisations and their authorisation servers.
import type { AuthorisationServer, Organisation, ParticipantStatus } from '../domain/model.js';
import type { Db } from './database.js';

interface OrganisationRow {
  org_id: string;
  org_name: string;
  status: ParticipantStatus;
  created_at: string;
  updated_at: string;
}

interface AuthorisationServerRow {
  authorisation_server_id: string;
  org_id: string;
  issuer: string;
  discovery_url: string;
  api_base_url: string;
  customer_friendly_name: string;
  logo_uri: string | null;
  created_at: string;
}

const toOrganisation = (row: OrganisationRow): Organisation => ({
  orgId: row.org_id,
  orgName: row.org_name,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toAuthorisationServer = (row: AuthorisationServerRow): AuthorisationServer => ({
  authorisationServerId: row.authorisation_server_id,
  orgId: row.org_id,
  issuer: row.issuer,
  discoveryUrl: row.discovery_url,
  apiBaseUrl: row.api_base_url,
  customerFriendlyName: row.customer_friendly_name,
  logoUri: row.logo_uri,
  createdAt: row.created_at,
});

export function organisationsRepository(db: Db) {
  const byId = db.prepare<[string], OrganisationRow>('SELECT * FROM organisations WHERE org_id = ?');
  const all = db.prepare<[], OrganisationRow>('SELECT * FROM organisations ORDER BY org_name, org_id');
  const insert = db.prepare(
    `INSERT INTO organisations (org_id, org_name, status, created_at, updated_at)
     VALUES (@orgId, @orgName, @status, @createdAt, @updatedAt)`,
  );
  const rename = db.prepare('UPDATE organisations SET org_name = ?, updated_at = ? WHERE org_id = ?');
  const setStatus = db.prepare('UPDATE organisations SET status = ?, updated_at = ? WHERE org_id = ?');

  const serverById = db.prepare<[string], AuthorisationServerRow>(
    'SELECT * FROM authorisation_servers WHERE authorisation_server_id = ?',
  );
  const serverByIssuer = db.prepare<[string], AuthorisationServerRow>(
    'SELECT * FROM authorisation_servers WHERE issuer = ?',
  );
  const serversOf = db.prepare<[string], AuthorisationServerRow>(
    'SELECT * FROM authorisation_servers WHERE org_id = ? ORDER BY created_at, authorisation_server_id',
  );
  const allServers = db.prepare<[], AuthorisationServerRow>(
    'SELECT * FROM authorisation_servers ORDER BY created_at, authorisation_server_id',
  );
  const insertServer = db.prepare(
    `INSERT INTO authorisation_servers
       (authorisation_server_id, org_id, issuer, discovery_url, api_base_url, customer_friendly_name, logo_uri, created_at)
     VALUES (@authorisationServerId, @orgId, @issuer, @discoveryUrl, @apiBaseUrl, @customerFriendlyName, @logoUri, @createdAt)`,
  );
  const updateServer = db.prepare(
    `UPDATE authorisation_servers
        SET issuer = @issuer, discovery_url = @discoveryUrl, api_base_url = @apiBaseUrl,
            customer_friendly_name = @customerFriendlyName, logo_uri = @logoUri
      WHERE authorisation_server_id = @authorisationServerId`,
  );

  return {
    get: (orgId: string): Organisation | undefined => {
      const row = byId.get(orgId);
      return row && toOrganisation(row);
    },
    list: (): Organisation[] => all.all().map(toOrganisation),
    insert: (organisation: Organisation): void => {
      insert.run(organisation);
    },
    rename: (orgId: string, orgName: string, at: string): void => {
      rename.run(orgName, at, orgId);
    },
    setStatus: (orgId: string, status: ParticipantStatus, at: string): void => {
      setStatus.run(status, at, orgId);
    },
    authorisationServers: {
      get: (id: string): AuthorisationServer | undefined => {
        const row = serverById.get(id);
        return row && toAuthorisationServer(row);
      },
      byIssuer: (issuer: string): AuthorisationServer | undefined => {
        const row = serverByIssuer.get(issuer);
        return row && toAuthorisationServer(row);
      },
      listFor: (orgId: string): AuthorisationServer[] => serversOf.all(orgId).map(toAuthorisationServer),
      list: (): AuthorisationServer[] => allServers.all().map(toAuthorisationServer),
      insert: (server: AuthorisationServer): void => {
        insertServer.run(server);
      },
      update: (server: AuthorisationServer): void => {
        updateServer.run(server);
      },
    },
  };
}

export type OrganisationsRepository = ReturnType<typeof organisationsRepository>;
