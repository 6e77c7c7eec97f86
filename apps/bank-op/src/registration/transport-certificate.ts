// The TLS client certificate a registration arrives with (OB DCR v3.3 §4.2): it must be a transport
// certificate the directory issued to the same organisation and software the SSA describes, and the
// directory must not have revoked it. The chain is checked here (issued by the Directory CA, valid
// now) and the revocation status asked of the directory, so a revoked certificate stops at once.
// The same rule decides which certificate a token may be bound to (mtls/certificate-binding.ts).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { transportCertificateMismatch } from '@fapi-sandbox/fapi-core/transport-certificate';
import type { PresentedCertificate } from '../mtls/client-certificate.js';
import {
  askDirectory,
  type CertificateStatusRecord,
  type DirectoryReads,
} from '../participants/directory.js';

const CLAUSE = 'OB DCR v3.3 §4.2, RFC 8705 §2.1';

/** How a caller refuses a certificate: registration (403 unapproved_software_statement) or token binding. */
export type CertificateRefusal = (description: string, fix: string) => Error;

const refusedRegistration: CertificateRefusal = (description, fix) =>
  new OAuthError({
    status: 403,
    error: 'unapproved_software_statement',
    description,
    clause: CLAUSE,
    fix,
  });

export interface TransportIdentity {
  orgId: string;
  softwareId: string;
  x5tS256: string;
  subject: string;
}

/** The certificate of this request, or a 401 saying registration needs the transport certificate. */
export function requireCertificate(presented: PresentedCertificate | undefined): PresentedCertificate {
  if (!presented) {
    throw new OAuthError({
      status: 401,
      error: 'invalid_client',
      description:
        'Registration needs the transport certificate the directory issued to your software, and none was presented',
      clause: CLAUSE,
      fix: 'call the registration endpoint on the mTLS alias (mtls_endpoint_aliases.registration_endpoint) with your transport certificate and key',
    });
  }
  return presented;
}

/** The directory's word on a certificate, for `assertTransportCertificateOf`. */
export function askCertificateStatus(
  presented: PresentedCertificate,
  directory: Pick<DirectoryReads, 'certificateStatus'>,
): Promise<CertificateStatusRecord | undefined> {
  // A certificate outside the directory's chain is refused without asking.
  if (!presented.issuedByDirectory) return Promise.resolve(undefined);
  return askDirectory(() => directory.certificateStatus(presented.x5tS256));
}

/**
 * The rule, wherever a certificate stands for a participant (registration, RFC 7592 management, the
 * certificate a token is bound to): a transport certificate the Directory CA issued, valid now, to the
 * same organisation and software, and active at the directory (`status`, from `askCertificateStatus`).
 */
export function assertTransportCertificateOf(
  presented: PresentedCertificate,
  expected: { orgId: string; softwareId: string },
  status: CertificateStatusRecord | undefined,
  refuse: CertificateRefusal = refusedRegistration,
): TransportIdentity {
  const ownCertificate = `present the transport certificate the directory issued to your software ${expected.softwareId}`;
  // RFC 8705 §2.1 (PKI method): issued by the ecosystem's CA, valid now.
  if (!presented.issuedByDirectory) {
    throw refuse(
      'The client certificate was not issued by the Directory CA (or is not valid now)',
      ownCertificate,
    );
  }

  // OB DCR v3.3 §4.2: the certificate names the organisation (OU) and software (CN) it was issued to.
  const { identity } = presented;
  if (identity.orgId !== expected.orgId || identity.softwareId !== expected.softwareId) {
    throw refuse(
      `The transport certificate belongs to OU=${identity.orgId ?? '?'} CN=${identity.softwareId ?? '?'}, not to the SSA's organisation ${expected.orgId} and software ${expected.softwareId}`,
      ownCertificate,
    );
  }

  // The directory is the trust anchor: a certificate it revoked is refused at once, CRL timing aside.
  const mismatch = transportCertificateMismatch(status, expected);
  if (mismatch) {
    throw refuse(
      mismatch,
      status?.status === 'revoked' || status?.status === 'expired'
        ? 'obtain a new transport certificate from the directory'
        : ownCertificate,
    );
  }
  return {
    orgId: expected.orgId,
    softwareId: expected.softwareId,
    x5tS256: presented.x5tS256,
    subject: identity.subjectDn,
  };
}

export async function verifyTransportCertificate(
  presented: PresentedCertificate,
  expected: { orgId: string; softwareId: string },
  directory: DirectoryReads,
): Promise<TransportIdentity> {
  return assertTransportCertificateOf(presented, expected, await askCertificateStatus(presented, directory));
}
