// Software statements: a TPP's registered application (UK OB directory "software statement").
import type { ParticipantStatus, SoftwareRole, SoftwareStatement } from '../domain/model.js';
import type { Db } from './database.js';

interface SoftwareStatementRow {
  software_id: string;
  org_id: string;
  client_name: string;
  description: string;
  version: string;
  roles: string;
  redirect_uris: string;
  logo_uri: string | null;
  status: ParticipantStatus;
  created_at: string;
  updated_at: string;
}

const toSoftwareStatement = (row: SoftwareStatementRow): SoftwareStatement => ({
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

const toParameters = (software: SoftwareStatement) => ({
  ...software,
  roles: JSON.stringify(software.roles),
  redirectUris: JSON.stringify(software.redirectUris),
});

export function softwareStatementsRepository(db: Db) {
  const byId = db.prepare<[string], SoftwareStatementRow>(
    'SELECT * FROM software_statements WHERE software_id = ?',
  );
  const ofOrg = db.prepare<[string], SoftwareStatementRow>(
    'SELECT * FROM software_statements WHERE org_id = ? ORDER BY client_name, software_id',
  );
  const all = db.prepare<[], SoftwareStatementRow>(
    'SELECT * FROM software_statements ORDER BY client_name, software_id',
  );
  const insert = db.prepare(
    `INSERT INTO software_statements
       (software_id, org_id, client_name, description, version, roles, redirect_uris, logo_uri, status, created_at, updated_at)
     VALUES (@softwareId, @orgId, @clientName, @description, @version, @roles, @redirectUris, @logoUri, @status, @createdAt, @updatedAt)`,
  );
  const updateDetails = db.prepare(
    `UPDATE software_statements
        SET client_name = @clientName, description = @description, version = @version, roles = @roles,
            redirect_uris = @redirectUris, logo_uri = @logoUri, updated_at = @updatedAt
      WHERE software_id = @softwareId`,
  );
  const setStatus = db.prepare(
    'UPDATE software_statements SET status = ?, updated_at = ? WHERE software_id = ?',
  );

  return {
    get: (softwareId: string): SoftwareStatement | undefined => {
      const row = byId.get(softwareId);
      return row && toSoftwareStatement(row);
    },
    listFor: (orgId: string): SoftwareStatement[] => ofOrg.all(orgId).map(toSoftwareStatement),
    list: (): SoftwareStatement[] => all.all().map(toSoftwareStatement),
    insert: (software: SoftwareStatement): void => {
      insert.run(toParameters(software));
    },
    updateDetails: (software: SoftwareStatement): void => {
      updateDetails.run(toParameters(software));
    },
    setStatus: (softwareId: string, status: ParticipantStatus, at: string): void => {
      setStatus.run(status, at, softwareId);
    },
  };
}

export type SoftwareStatementsRepository = ReturnType<typeof softwareStatementsRepository>;
