// Participant certificates: issuing from a CSR under the Directory CA, revoking, and publishing what
// relying parties consult: the certificate status, the CRL, and each software statement's signing JWKS.

import { jwkThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import type { JWK } from 'jose';
import type { DirectoryStore } from '../store/index.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { certificateRecord, certificatesOf, x5cOf } from './certificate-records.js';
import { acceptCsr } from './csr.js';
import { conflict, notFound, shown } from './errors.js';
import {
  type CertificateRecord,
  type CertificateSource,
  type CertificateType,
  certificateStatus,
  type ParticipantStatus,
  type RevocationReason,
} from './model.js';
import type { Registry, SoftwareWithOrganisation } from './registry.js';
import type { x509 } from './x509.js';

export interface CertificateStatusReport {
  status: 'active' | 'revoked' | 'expired' | 'unknown';
  x5tS256: string;
  serialNumber?: string;
  orgId?: string;
  softwareId?: string;
  type?: CertificateType;
  notAfter?: string;
  revokedAt?: string;
  revocationReason?: RevocationReason;
  /** The software statement's effective status: a bank must also refuse an active certificate of suspended software. */
  softwareStatus?: ParticipantStatus;
}

export interface IssuedCertificateResult {
  certificate: CertificateRecord;
  /** Leaf, then the Directory CA. */
  chainPem: string;
}

/** The directory certifies only active software: the one rule for issuing from a CSR and for reissuing. */
export async function softwareToCertify(
  registry: Registry,
  orgId: string,
  softwareId: string,
): Promise<SoftwareWithOrganisation> {
  const found = await registry.software(orgId, softwareId);
  if (found.status !== 'active') {
    throw conflict(
      `Software statement ${softwareId} is ${found.status}; the directory certifies only active software`,
      `reactivate it first (PATCH /organisations/${orgId}/software-statements/${softwareId} {"status":"active"})`,
    );
  }
  return found;
}

/** A cap on what one software statement holds (the developer portal's), checked as certificates are written. */
export interface CertificateLimit {
  maxActive: number;
}

/** A CRL is re-signed at least this often, and immediately when the revoked set changes. */
const CRL_MAX_AGE_MS = 60 * 60 * 1000;

export function createCertificateService(deps: {
  store: DirectoryStore;
  registry: Registry;
  ca: CertificateAuthority;
}) {
  const { store, registry, ca } = deps;
  let crlCache: { crlNumber: number; der: Uint8Array; signedAt: number } | undefined;

  async function get(serialNumber: string): Promise<CertificateRecord> {
    const found = await store.certificates.get(serialNumber.toUpperCase());
    if (!found) {
      throw notFound(
        `No certificate with serial number ${shown(serialNumber)} is known to the directory`,
        'check GET /certificates',
      );
    }
    return found;
  }

  /** Refuses (409) `adding` more certificates when the software would then hold more than `limit` active ones. */
  async function assertRoom(softwareId: string, adding: number, limit: CertificateLimit): Promise<void> {
    const active = (await store.certificates.list({ softwareId })).filter(
      (certificate) => certificateStatus(certificate) === 'active',
    ).length;
    if (active + adding > limit.maxActive) {
      throw conflict(
        `Software statement ${softwareId} already holds ${active} active certificates; the portal certifies at most ${limit.maxActive} per software statement`,
        'create another software statement for a fresh start',
      );
    }
  }

  /**
   * Certifies a public key for active software under the Directory CA, not yet recorded: a signing
   * certificate gets its RFC 7638 kid and its alg.
   */
  async function sign(
    orgId: string,
    softwareId: string,
    request: { type: CertificateType; publicKey: x509.PublicKey; alg: string; source: CertificateSource },
  ): Promise<IssuedCertificateResult> {
    const before = await softwareToCertify(registry, orgId, softwareId);
    const issued = await ca.issue({
      identity: { orgId, orgName: before.organisation.orgName, softwareId },
      type: request.type,
      publicKey: request.publicKey,
    });
    const signingKey =
      request.type === 'signing'
        ? {
            kid: await jwkThumbprint(issued.certificate.publicKey.export({ format: 'jwk' }) as JWK),
            alg: request.alg,
          }
        : {};
    const certificate = certificateRecord({
      chainPem: issued.chainPem,
      orgId,
      softwareId,
      type: request.type,
      source: request.source,
      ...signingKey,
    });
    return { certificate, chainPem: issued.chainPem };
  }

  /**
   * Records signed certificates of one software statement, all or none (joining the caller's transaction,
   * if any). Signing took a moment: the software may have been suspended, or filled up by another replica,
   * meanwhile, so both are checked again here with the software held until the write commits.
   */
  function record(
    orgId: string,
    softwareId: string,
    certificates: CertificateRecord[],
    limit?: CertificateLimit,
  ): Promise<void> {
    return store.transaction(async () => {
      const now = await registry.lockSoftware(orgId, softwareId);
      if (now.status !== 'active') {
        throw conflict(
          `Software statement ${softwareId} became ${now.status} while the certificate was being issued`,
          'reactivate it and send the request again',
        );
      }
      if (limit) await assertRoom(softwareId, certificates.length, limit);
      for (const certificate of certificates) await store.certificates.insert(certificate);
    });
  }

  /** Signs, then records: a CSR's certificate (a bundle signs its three first and records them together). */
  async function certify(
    orgId: string,
    softwareId: string,
    request: { type: CertificateType; publicKey: x509.PublicKey; alg: string; source: CertificateSource },
    limit?: CertificateLimit,
  ): Promise<IssuedCertificateResult> {
    const issued = await sign(orgId, softwareId, request);
    await record(orgId, softwareId, [issued.certificate], limit);
    return issued;
  }

  return {
    get,
    assertRoom,
    sign,
    record,

    /** RFC 2986: a participant's own key, proven by the CSR's self-signature. */
    async issue(
      orgId: string,
      softwareId: string,
      request: { type: CertificateType; csr: string },
      limit?: CertificateLimit,
    ): Promise<IssuedCertificateResult> {
      await softwareToCertify(registry, orgId, softwareId);
      const accepted = await acceptCsr(request.csr);
      return certify(
        orgId,
        softwareId,
        { type: request.type, publicKey: accepted.publicKey, alg: accepted.alg, source: 'csr' },
        limit,
      );
    },

    revoke(serialNumber: string, reason: RevocationReason): Promise<CertificateRecord> {
      return store.transaction(async () => {
        const certificate = await get(serialNumber);
        if (certificate.revokedAt) {
          throw conflict(
            `Certificate ${certificate.serialNumber} was already revoked at ${certificate.revokedAt}`,
            'nothing to do: a revoked certificate stays revoked',
          );
        }
        // Two replicas revoking at once: the second's UPDATE waits for the first and then matches no row.
        if (!(await store.certificates.revoke(certificate.serialNumber, reason, new Date().toISOString()))) {
          throw conflict(
            `Certificate ${certificate.serialNumber} was revoked a moment ago by another request`,
            'nothing to do: a revoked certificate stays revoked',
          );
        }
        await store.settings.bumpCrlNumber();
        return get(serialNumber);
      });
    },

    async status(x5tS256: string): Promise<CertificateStatusReport> {
      const certificate = await store.certificates.byThumbprint(x5tS256);
      if (!certificate) return { status: 'unknown', x5tS256 };
      const owner = await store.softwareStatements.get(certificate.softwareId);
      const softwareStatus = owner && (await registry.software(owner.orgId, owner.softwareId)).status;
      return {
        status: certificateStatus(certificate),
        x5tS256,
        serialNumber: certificate.serialNumber,
        orgId: certificate.orgId,
        softwareId: certificate.softwareId,
        type: certificate.type,
        notAfter: certificate.notAfter,
        ...(certificate.revokedAt
          ? {
              revokedAt: certificate.revokedAt,
              revocationReason: certificate.revocationReason ?? 'unspecified',
            }
          : {}),
        ...(softwareStatus ? { softwareStatus } : {}),
      };
    },

    /**
     * The software statement's public signing keys (its jwks_uri): one JWK per active signing certificate,
     * with `x5c` so a verifier can check the directory vouches for the key. Revoked or expired ones are gone.
     */
    async softwareJwks(orgId: string, softwareId: string): Promise<{ keys: JWK[] }> {
      await registry.software(orgId, softwareId);
      const seenKids = new Set<string>();
      const keys: JWK[] = [];
      for (const certificate of await store.certificates.list({ softwareId, type: 'signing' })) {
        if (certificateStatus(certificate) !== 'active' || !certificate.kid) continue;
        // FAPI 2.0 SP §5.4.2: no two keys with the same kid in one set; the newest certificate wins.
        if (seenKids.has(certificate.kid)) continue;
        seenKids.add(certificate.kid);
        const [leaf] = certificatesOf(certificate.chainPem);
        if (!leaf) continue;
        keys.push({
          ...(leaf.publicKey.export({ format: 'jwk' }) as JWK),
          kid: certificate.kid,
          alg: certificate.alg ?? undefined,
          use: 'sig',
          x5c: x5cOf(certificate.chainPem),
          'x5t#S256': certificate.x5tS256,
        });
      }
      return { keys };
    },

    async crl(): Promise<Uint8Array> {
      const crlNumber = await store.settings.crlNumber();
      if (crlCache && crlCache.crlNumber === crlNumber && Date.now() - crlCache.signedAt < CRL_MAX_AGE_MS) {
        return crlCache.der;
      }
      const revoked = (await store.certificates.revoked()).map((certificate) => ({
        serialNumber: certificate.serialNumber,
        revokedAt: new Date(certificate.revokedAt!),
        reason: certificate.revocationReason ?? 'unspecified',
      }));
      const der = await ca.crl(revoked, crlNumber);
      crlCache = { crlNumber, der, signedAt: Date.now() };
      return der;
    },
  };
}

export type CertificateService = ReturnType<typeof createCertificateService>;
