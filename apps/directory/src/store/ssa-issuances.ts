// The SSAs the directory handed out: who fetched which statement, when, with which transport certificate.
import type { SsaIssuance } from '../domain/model.js';
import type { CurrentDb, SsaIssuancesTable } from './database.js';

const toIssuance = (row: SsaIssuancesTable): SsaIssuance => ({
  jti: row.jti,
  orgId: row.org_id,
  softwareId: row.software_id,
  issuedAt: row.issued_at,
  expiresAt: row.expires_at,
  certificateSerialNumber: row.certificate_serial_number,
  ssa: row.ssa,
});

export function ssaIssuancesRepository(db: CurrentDb) {
  return {
    insert: async (issuance: SsaIssuance): Promise<void> => {
      await db()
        .insertInto('ssa_issuances')
        .values({
          jti: issuance.jti,
          org_id: issuance.orgId,
          software_id: issuance.softwareId,
          issued_at: issuance.issuedAt,
          expires_at: issuance.expiresAt,
          certificate_serial_number: issuance.certificateSerialNumber,
          ssa: issuance.ssa,
        })
        .execute();
    },
    latestFor: async (softwareId: string, limit = 20): Promise<SsaIssuance[]> =>
      (
        await db()
          .selectFrom('ssa_issuances')
          .selectAll()
          .where('software_id', '=', softwareId)
          .orderBy('issued_at', 'desc')
          .orderBy('jti')
          .limit(limit)
          .execute()
      ).map(toIssuance),
  };
}

export type SsaIssuancesRepository = ReturnType<typeof ssaIssuancesRepository>;
