// Organisations and their authorisation servers.
import type { AuthorisationServer, Organisation, ParticipantStatus } from '../domain/model.js';
import type { AuthorisationServersTable, CurrentDb, OrganisationsTable } from './database.js';
import type { RowLocks } from './row-locks.js';

const toOrganisation = (row: OrganisationsTable): Organisation => ({
  orgId: row.org_id,
  orgName: row.org_name,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const toAuthorisationServer = (row: AuthorisationServersTable): AuthorisationServer => ({
  authorisationServerId: row.authorisation_server_id,
  orgId: row.org_id,
  issuer: row.issuer,
  discoveryUrl: row.discovery_url,
  apiBaseUrl: row.api_base_url,
  customerFriendlyName: row.customer_friendly_name,
  logoUri: row.logo_uri,
  createdAt: row.created_at,
});

const serverColumns = (server: AuthorisationServer) => ({
  issuer: server.issuer,
  discovery_url: server.discoveryUrl,
  api_base_url: server.apiBaseUrl,
  customer_friendly_name: server.customerFriendlyName,
  logo_uri: server.logoUri,
});

export function organisationsRepository(db: CurrentDb, locks: RowLocks) {
  const organisations = () => db().selectFrom('organisations').selectAll();
  const servers = () => db().selectFrom('authorisation_servers').selectAll();

  return {
    get: async (orgId: string): Promise<Organisation | undefined> => {
      const row = await organisations().where('org_id', '=', orgId).executeTakeFirst();
      return row && toOrganisation(row);
    },
    /** Reads the organisation and holds it until the transaction ends: see row-locks.ts. */
    getForUpdate: async (orgId: string): Promise<Organisation | undefined> => {
      const row = await locks.forUpdate(organisations().where('org_id', '=', orgId)).executeTakeFirst();
      return row && toOrganisation(row);
    },
    list: async (): Promise<Organisation[]> =>
      (await organisations().orderBy('org_name').orderBy('org_id').execute()).map(toOrganisation),
    insert: async (organisation: Organisation): Promise<void> => {
      await db()
        .insertInto('organisations')
        .values({
          org_id: organisation.orgId,
          org_name: organisation.orgName,
          status: organisation.status,
          created_at: organisation.createdAt,
          updated_at: organisation.updatedAt,
        })
        .execute();
    },
    rename: async (orgId: string, orgName: string, at: string): Promise<void> => {
      await db()
        .updateTable('organisations')
        .set({ org_name: orgName, updated_at: at })
        .where('org_id', '=', orgId)
        .execute();
    },
    setStatus: async (orgId: string, status: ParticipantStatus, at: string): Promise<void> => {
      await db()
        .updateTable('organisations')
        .set({ status, updated_at: at })
        .where('org_id', '=', orgId)
        .execute();
    },
    authorisationServers: {
      get: async (id: string): Promise<AuthorisationServer | undefined> => {
        const row = await servers().where('authorisation_server_id', '=', id).executeTakeFirst();
        return row && toAuthorisationServer(row);
      },
      byIssuer: async (issuer: string): Promise<AuthorisationServer | undefined> => {
        const row = await servers().where('issuer', '=', issuer).executeTakeFirst();
        return row && toAuthorisationServer(row);
      },
      listFor: async (orgId: string): Promise<AuthorisationServer[]> =>
        (
          await servers()
            .where('org_id', '=', orgId)
            .orderBy('created_at')
            .orderBy('authorisation_server_id')
            .execute()
        ).map(toAuthorisationServer),
      list: async (): Promise<AuthorisationServer[]> =>
        (await servers().orderBy('created_at').orderBy('authorisation_server_id').execute()).map(
          toAuthorisationServer,
        ),
      insert: async (server: AuthorisationServer): Promise<void> => {
        await db()
          .insertInto('authorisation_servers')
          .values({
            authorisation_server_id: server.authorisationServerId,
            org_id: server.orgId,
            created_at: server.createdAt,
            ...serverColumns(server),
          })
          .execute();
      },
      update: async (server: AuthorisationServer): Promise<void> => {
        await db()
          .updateTable('authorisation_servers')
          .set(serverColumns(server))
          .where('authorisation_server_id', '=', server.authorisationServerId)
          .execute();
      },
    },
  };
}

export type OrganisationsRepository = ReturnType<typeof organisationsRepository>;
