// The SSAs the directory handed out: who fetched which statement, when, with which transport certificate.
import type { SsaIssuance } from '../domain/model.js';
import type { Db } from './database.js';

interface SsaIssuanceRow {
  jti: string;
  org_id: string;
  software_id: string;
  issued_at: string;
  expires_at: string;
  certificate_serial_number: string;
  ssa: string;
}

const toIssuance = (row: SsaIssuanceRow): SsaIssuance => ({
  jti: row.jti,
  orgId: row.org_id,
  softwareId: row.software_id,
  issuedAt: row.issued_at,
  expiresAt: row.expires_at,
  certificateSerialNumber: row.certificate_serial_number,
  ssa: row.ssa,
});

export function ssaIssuancesRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO ssa_issuances (jti, org_id, software_id, issued_at, expires_at, certificate_serial_number, ssa)
     VALUES (@jti, @orgId, @softwareId, @issuedAt, @expiresAt, @certificateSerialNumber, @ssa)`,
  );
  const latestOf = db.prepare<[string, number], SsaIssuanceRow>(
    'SELECT * FROM ssa_issuances WHERE software_id = ? ORDER BY issued_at DESC, jti LIMIT ?',
  );

  return {
    insert: (issuance: SsaIssuance): void => {
      insert.run(issuance);
    },
    latestFor: (softwareId: string, limit = 20): SsaIssuance[] =>
      latestOf.all(softwareId, limit).map(toIssuance),
  };
}

export type SsaIssuancesRepository = ReturnType<typeof ssaIssuancesRepository>;
