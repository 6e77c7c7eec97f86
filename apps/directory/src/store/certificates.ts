// Certificates the directory issued (or registered from the generated PKI), and their revocation.
import type { CertificateRecord, CertificateType, RevocationReason } from '../domain/model.js';
import type { CertificatesTable, CurrentDb } from './database.js';

const toCertificate = (row: CertificatesTable): CertificateRecord => ({
  serialNumber: row.serial_number,
  x5tS256: row.x5t_s256,
  orgId: row.org_id,
  softwareId: row.software_id,
  type: row.type,
  subject: row.subject,
  keyType: row.key_type,
  kid: row.kid,
  alg: row.alg,
  notBefore: row.not_before,
  notAfter: row.not_after,
  chainPem: row.chain_pem,
  source: row.source,
  revokedAt: row.revoked_at,
  revocationReason: row.revocation_reason,
  createdAt: row.created_at,
});

export interface CertificateFilter {
  orgId?: string;
  softwareId?: string;
  type?: CertificateType;
}

export function certificatesRepository(db: CurrentDb) {
  const certificates = () => db().selectFrom('certificates').selectAll();

  return {
    get: async (serialNumber: string): Promise<CertificateRecord | undefined> => {
      const row = await certificates().where('serial_number', '=', serialNumber).executeTakeFirst();
      return row && toCertificate(row);
    },
    byThumbprint: async (x5tS256: string): Promise<CertificateRecord | undefined> => {
      const row = await certificates().where('x5t_s256', '=', x5tS256).executeTakeFirst();
      return row && toCertificate(row);
    },
    list: async (filter: CertificateFilter = {}): Promise<CertificateRecord[]> =>
      (
        await certificates()
          .$if(filter.orgId !== undefined, (q) => q.where('org_id', '=', filter.orgId!))
          .$if(filter.softwareId !== undefined, (q) => q.where('software_id', '=', filter.softwareId!))
          .$if(filter.type !== undefined, (q) => q.where('type', '=', filter.type!))
          .orderBy('created_at', 'desc')
          .orderBy('serial_number')
          .execute()
      ).map(toCertificate),
    revoked: async (): Promise<CertificateRecord[]> =>
      (
        await certificates()
          .where('revoked_at', 'is not', null)
          .orderBy('revoked_at')
          .orderBy('serial_number')
          .execute()
      ).map(toCertificate),
    insert: async (certificate: CertificateRecord): Promise<void> => {
      await db()
        .insertInto('certificates')
        .values({
          serial_number: certificate.serialNumber,
          x5t_s256: certificate.x5tS256,
          org_id: certificate.orgId,
          software_id: certificate.softwareId,
          type: certificate.type,
          subject: certificate.subject,
          key_type: certificate.keyType,
          kid: certificate.kid,
          alg: certificate.alg,
          not_before: certificate.notBefore,
          not_after: certificate.notAfter,
          chain_pem: certificate.chainPem,
          source: certificate.source,
          revoked_at: certificate.revokedAt,
          revocation_reason: certificate.revocationReason,
          created_at: certificate.createdAt,
        })
        .execute();
    },
    /** Returns false when the certificate was already revoked. */
    revoke: async (serialNumber: string, reason: RevocationReason, at: string): Promise<boolean> => {
      const result = await db()
        .updateTable('certificates')
        .set({ revoked_at: at, revocation_reason: reason })
        .where('serial_number', '=', serialNumber)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
    /** Revokes every certificate of a software statement that is still unrevoked; returns how many. */
    revokeAllOfSoftware: async (
      softwareId: string,
      reason: RevocationReason,
      at: string,
    ): Promise<number> => {
      const result = await db()
        .updateTable('certificates')
        .set({ revoked_at: at, revocation_reason: reason })
        .where('software_id', '=', softwareId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

export type CertificatesRepository = ReturnType<typeof certificatesRepository>;
