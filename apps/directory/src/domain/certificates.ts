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
import type { Registry } from './registry.js';
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
export function softwareToCertify(registry: Registry, orgId: string, softwareId: string) {
  const found = registry.software(orgId, softwareId);
  if (found.status !== 'active') {
    throw conflict(
      `Software statement ${softwareId} is ${found.status}; the directory certifies only active software`,
      `reactivate it first (PATCH /organisations/${orgId}/software-statements/${softwareId} {"status":"active"})`,
    );
  }
  return found;
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

  function get(serialNumber: string): CertificateRecord {
    const found = store.certificates.get(serialNumber.toUpperCase());
    if (!found) {
      throw notFound(
        `No certificate with serial number ${shown(serialNumber)} is known to the directory`,
        'check GET /certificates',
      );
    }
    return found;
  }

  /**
   * Certifies a public key for active software under the Directory CA and records it: the one issuer
   * behind a CSR upload and a portal bundle. A signing certificate gets its RFC 7638 kid and its alg.
   */
  async function certify(
    orgId: string,
    softwareId: string,
    request: { type: CertificateType; publicKey: x509.PublicKey; alg: string; source: CertificateSource },
  ): Promise<IssuedCertificateResult> {
    const before = softwareToCertify(registry, orgId, softwareId);
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
    const record = certificateRecord({
      chainPem: issued.chainPem,
      orgId,
      softwareId,
      type: request.type,
      source: request.source,
      ...signingKey,
    });
    // Signing took a moment: the software may have been suspended meanwhile, so check again as we write.
    store.transaction(() => {
      const now = registry.software(orgId, softwareId);
      if (now.status !== 'active') {
        throw conflict(
          `Software statement ${softwareId} became ${now.status} while the certificate was being issued`,
          'reactivate it and send the request again',
        );
      }
      store.certificates.insert(record);
    });
    return { certificate: record, chainPem: issued.chainPem };
  }

  return {
    get,
    certify,

    /** RFC 2986: a participant's own key, proven by the CSR's self-signature. */
    async issue(
      orgId: string,
      softwareId: string,
      request: { type: CertificateType; csr: string },
    ): Promise<IssuedCertificateResult> {
      softwareToCertify(registry, orgId, softwareId);
      const accepted = await acceptCsr(request.csr);
      return certify(orgId, softwareId, {
        type: request.type,
        publicKey: accepted.publicKey,
        alg: accepted.alg,
        source: 'csr',
      });
    },

    revoke(serialNumber: string, reason: RevocationReason): CertificateRecord {
      return store.transaction(() => {
        const certificate = get(serialNumber);
        if (certificate.revokedAt) {
          throw conflict(
            `Certificate ${certificate.serialNumber} was already revoked at ${certificate.revokedAt}`,
            'nothing to do: a revoked certificate stays revoked',
          );
        }
        store.certificates.revoke(certificate.serialNumber, reason, new Date().toISOString());
        store.settings.bumpCrlNumber();
        return get(serialNumber);
      });
    },

    status(x5tS256: string): CertificateStatusReport {
      const certificate = store.certificates.byThumbprint(x5tS256);
      if (!certificate) return { status: 'unknown', x5tS256 };
      const owner = store.softwareStatements.get(certificate.softwareId);
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
        ...(owner ? { softwareStatus: registry.software(owner.orgId, owner.softwareId).status } : {}),
      };
    },

    /**
     * The software statement's public signing keys (its jwks_uri): one JWK per active signing certificate,
     * with `x5c` so a verifier can check the directory vouches for the key. Revoked or expired ones are gone.
     */
    softwareJwks(orgId: string, softwareId: string): { keys: JWK[] } {
      registry.software(orgId, softwareId);
      const seenKids = new Set<string>();
      const keys: JWK[] = [];
      for (const certificate of store.certificates.list({ softwareId, type: 'signing' })) {
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
      const crlNumber = store.settings.crlNumber();
      if (crlCache && crlCache.crlNumber === crlNumber && Date.now() - crlCache.signedAt < CRL_MAX_AGE_MS) {
        return crlCache.der;
      }
      const revoked = store.certificates.revoked().map((certificate) => ({
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
