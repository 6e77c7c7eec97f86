// Software statements: a TPP's registered application (UK OB directory "software statement").
import type { ParticipantStatus, SoftwareRole, SoftwareStatement } from '../domain/model.js';
import type { CurrentDb, SoftwareStatementsTable } from './database.js';
import type { RowLocks } from './row-locks.js';

const toSoftwareStatement = (row: SoftwareStatementsTable): SoftwareStatement => ({
  softwareId: row.software_id,
  orgId: row.org_id,
  clientName: row.client_name,
  description: row.description,
  version: row.version,
  roles: JSON.parse(row.roles) as SoftwareRole[],
  redirectUris: JSON.parse(row.redirect_uris) as string[],
  logoUri: row.logo_uri,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The columns a software statement's details fill (not its id, owner, status or creation). */
const detailColumns = (software: SoftwareStatement) => ({
  client_name: software.clientName,
  description: software.description,
  version: software.version,
  roles: JSON.stringify(software.roles),
  redirect_uris: JSON.stringify(software.redirectUris),
  logo_uri: software.logoUri,
  updated_at: software.updatedAt,
});

export function softwareStatementsRepository(db: CurrentDb, locks: RowLocks) {
  const statements = () => db().selectFrom('software_statements').selectAll();
  const inOrder = <Q extends ReturnType<typeof statements>>(query: Q) =>
    query.orderBy('client_name').orderBy('software_id');

  return {
    get: async (softwareId: string): Promise<SoftwareStatement | undefined> => {
      const row = await statements().where('software_id', '=', softwareId).executeTakeFirst();
      return row && toSoftwareStatement(row);
    },
    /** Reads the software statement and holds it until the transaction ends: see row-locks.ts. */
    getForUpdate: async (softwareId: string): Promise<SoftwareStatement | undefined> => {
      const row = await locks
        .forUpdate(statements().where('software_id', '=', softwareId))
        .executeTakeFirst();
      return row && toSoftwareStatement(row);
    },
    listFor: async (orgId: string): Promise<SoftwareStatement[]> =>
      (await inOrder(statements().where('org_id', '=', orgId)).execute()).map(toSoftwareStatement),
    list: async (): Promise<SoftwareStatement[]> =>
      (await inOrder(statements()).execute()).map(toSoftwareStatement),
    insert: async (software: SoftwareStatement): Promise<void> => {
      await db()
        .insertInto('software_statements')
        .values({
          software_id: software.softwareId,
          org_id: software.orgId,
          status: software.status,
          created_at: software.createdAt,
          ...detailColumns(software),
        })
        .execute();
    },
    updateDetails: async (software: SoftwareStatement): Promise<void> => {
      await db()
        .updateTable('software_statements')
        .set(detailColumns(software))
        .where('software_id', '=', software.softwareId)
        .execute();
    },
    setStatus: async (softwareId: string, status: ParticipantStatus, at: string): Promise<void> => {
      await db()
        .updateTable('software_statements')
        .set({ status, updated_at: at })
        .where('software_id', '=', softwareId)
        .execute();
    },
  };
}

export type SoftwareStatementsRepository = ReturnType<typeof softwareStatementsRepository>;
