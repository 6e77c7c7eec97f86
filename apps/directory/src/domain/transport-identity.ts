// Who is on the other end of an mTLS connection to the SSA endpoint: the TPP's directory-issued transport
// certificate, checked the way a relying party checks it (RFC 8705 §2.1, PKI method): chain to the Directory
// CA, validity, revocation in the directory's own records, and the subject binding to the software.
import type { X509Certificate } from 'node:crypto';
import { certificateIdentity } from '@fapi-sandbox/fapi-core/certificate-identity';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { PeerCertificate } from '@fapi-sandbox/fapi-core/peer-certificate';
import type { DirectoryStore } from '../store/index.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { type CertificateRecord, certificateStatus } from './model.js';

const PRESENT_CERTIFICATE =
  'present the transport certificate the directory issued for this software, e.g. curl --cert transport.crt --key transport.key';

function refused(description: string, fix: string, clause?: string): OAuthError {
  return new OAuthError({ status: 403, error: 'access_denied', description, clause, fix });
}

/** Why the TLS layer did not authorize the peer, in words (Node reports OpenSSL's verify codes). */
function chainFailure(code: string, peer: X509Certificate): OAuthError {
  if (code === 'CERT_HAS_EXPIRED') {
    return refused(
      `The client certificate (serial ${peer.serialNumber}) expired on ${new Date(peer.validTo).toISOString()}`,
      'request a new transport certificate from the directory with a CSR',
      'RFC 5280 §6.1.3',
    );
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return refused(
      'The client certificate is not valid yet',
      'check the clock and the certificate dates',
      'RFC 5280 §6.1.3',
    );
  }
  return refused(
    `The client certificate does not chain to the FAPI Sandbox Directory CA (${code})`,
    'use a transport certificate the directory issued; certificates from other CAs identify nobody here',
    'RFC 8705 §2.1',
  );
}

export function transportIdentity(deps: { store: DirectoryStore; ca: CertificateAuthority }) {
  return {
    /** The registered transport certificate of the connection's peer; throws 401 or 403 otherwise. */
    async identify(presented: PeerCertificate | undefined): Promise<{
      certificate: CertificateRecord;
      peer: X509Certificate;
    }> {
      if (!presented) {
        throw new OAuthError({
          status: 401,
          error: 'invalid_client',
          description:
            "No client certificate was presented: the SSA is only handed to the software's own transport certificate",
          clause: 'RFC 8705 §2',
          fix: PRESENT_CERTIFICATE,
        });
      }
      const peer = presented.x509;
      if (!presented.authorized) {
        throw chainFailure(presented.authorizationError ?? 'unverified', peer);
      }
      // The mTLS trust bundle also holds the root CA: only the Directory CA's own signature makes a participant.
      if (!deps.ca.issued(peer)) {
        throw chainFailure('not issued by the Directory CA', peer);
      }
      const record = await deps.store.certificates.byThumbprint(presented.x5tS256);
      if (!record) {
        throw refused(
          `The client certificate (serial ${peer.serialNumber}) is not registered with the directory`,
          'use a transport certificate issued by this directory (POST .../certificates with a CSR)',
        );
      }
      if (record.type !== 'transport') {
        throw refused(
          `Certificate ${record.serialNumber} is a signing certificate; it vouches for a JWS key, not a TLS client`,
          PRESENT_CERTIFICATE,
          'RFC 8705 §2.1',
        );
      }
      const status = certificateStatus(record);
      if (status === 'revoked') {
        // RFC 5280 §3.3: a revoked certificate must stop working before it expires.
        throw refused(
          `Transport certificate ${record.serialNumber} was revoked by the directory at ${record.revokedAt} (${record.revocationReason})`,
          'request a new transport certificate with a CSR; a revoked one is never reinstated',
          'RFC 5280 §3.3',
        );
      }
      if (status === 'expired') {
        throw refused(
          `Transport certificate ${record.serialNumber} expired at ${record.notAfter}`,
          'request a new transport certificate with a CSR',
          'RFC 5280 §6.1.3',
        );
      }
      return { certificate: record, peer };
    },

    /** The certificate must belong to the software whose SSA it asks for, by record and by subject. */
    assertBoundTo(record: CertificateRecord, peer: X509Certificate, orgId: string, softwareId: string): void {
      // OB DCR v3.3 §4.2: the subject names the organisation (OU) and software (CN), each exactly once.
      const subject = certificateIdentity(peer);
      const bound =
        record.orgId === orgId &&
        record.softwareId === softwareId &&
        subject.orgId === orgId &&
        subject.softwareId === softwareId;
      if (!bound) {
        throw refused(
          `Transport certificate ${record.serialNumber} belongs to software ${record.softwareId} of organisation ${record.orgId}, not to software ${softwareId} of organisation ${orgId}`,
          "fetch your own software statement's SSA; only that software's transport certificate can fetch it",
        );
      }
    },
  };
}

export type TransportIdentity = ReturnType<typeof transportIdentity>;
