// Certificates the directory issued (or registered from the generated PKI), and their revocation.
import type {
  CertificateRecord,
  CertificateSource,
  CertificateType,
  RevocationReason,
} from '../domain/model.js';
import type { Db } from './database.js';

interface CertificateRow {
  serial_number: string;
  x5t_s256: string;
  org_id: string;
  software_id: string;
  type: CertificateType;
  subject: string;
  key_type: string;
  kid: string | null;
  alg: string | null;
  not_before: string;
  not_after: string;
  chain_pem: string;
  source: CertificateSource;
  revoked_at: string | null;
  revocation_reason: RevocationReason | null;
  created_at: string;
}

const toCertificate = (row: CertificateRow): CertificateRecord => ({
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

export function certificatesRepository(db: Db) {
  const bySerial = db.prepare<[string], CertificateRow>('SELECT * FROM certificates WHERE serial_number = ?');
  const byThumbprint = db.prepare<[string], CertificateRow>('SELECT * FROM certificates WHERE x5t_s256 = ?');
  const filtered = db.prepare<
    [{ orgId: string | null; softwareId: string | null; type: string | null }],
    CertificateRow
  >(
    `SELECT * FROM certificates
      WHERE (@orgId IS NULL OR org_id = @orgId)
        AND (@softwareId IS NULL OR software_id = @softwareId)
        AND (@type IS NULL OR type = @type)
      ORDER BY created_at DESC, serial_number`,
  );
  const revokedList = db.prepare<[], CertificateRow>(
    'SELECT * FROM certificates WHERE revoked_at IS NOT NULL ORDER BY revoked_at, serial_number',
  );
  const insert = db.prepare(
    `INSERT INTO certificates
       (serial_number, x5t_s256, org_id, software_id, type, subject, key_type, kid, alg, not_before, not_after,
        chain_pem, source, revoked_at, revocation_reason, created_at)
     VALUES (@serialNumber, @x5tS256, @orgId, @softwareId, @type, @subject, @keyType, @kid, @alg, @notBefore,
             @notAfter, @chainPem, @source, @revokedAt, @revocationReason, @createdAt)`,
  );
  const revoke = db.prepare(
    `UPDATE certificates SET revoked_at = ?, revocation_reason = ?
      WHERE serial_number = ? AND revoked_at IS NULL`,
  );
  const revokeAllOfSoftware = db.prepare(
    `UPDATE certificates SET revoked_at = ?, revocation_reason = ?
      WHERE software_id = ? AND revoked_at IS NULL`,
  );

  return {
    get: (serialNumber: string): CertificateRecord | undefined => {
      const row = bySerial.get(serialNumber);
      return row && toCertificate(row);
    },
    byThumbprint: (x5tS256: string): CertificateRecord | undefined => {
      const row = byThumbprint.get(x5tS256);
      return row && toCertificate(row);
    },
    list: (filter: CertificateFilter = {}): CertificateRecord[] =>
      filtered
        .all({
          orgId: filter.orgId ?? null,
          softwareId: filter.softwareId ?? null,
          type: filter.type ?? null,
        })
        .map(toCertificate),
    revoked: (): CertificateRecord[] => revokedList.all().map(toCertificate),
    insert: (certificate: CertificateRecord): void => {
      insert.run(certificate);
    },
    /** Returns false when the certificate was already revoked. */
    revoke: (serialNumber: string, reason: RevocationReason, at: string): boolean =>
      revoke.run(at, reason, serialNumber).changes === 1,
    /** Revokes every certificate of a software statement that is still unrevoked; returns how many. */
    revokeAllOfSoftware: (softwareId: string, reason: RevocationReason, at: string): number =>
      revokeAllOfSoftware.run(at, reason, softwareId).changes,
  };
}

export type CertificatesRepository = ReturnType<typeof certificatesRepository>;
