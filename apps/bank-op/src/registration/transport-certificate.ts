// The TLS client certificate a registration arrives with (OB DCR v3.3 §4.2): it must be a transport
// certificate the directory issued to the same organisation and software the SSA describes, and the
// directory must not have revoked it. The chain is checked here (issued by the Directory CA, valid
// now) and the revocation status asked of the directory, so a revoked certificate stops at once.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { parseSubject } from '@fapi-sandbox/fapi-core/peer-certificate';
import type { PresentedCertificate } from '../mtls/client-certificate.js';
import { askDirectory, type DirectoryReads } from '../participants/directory.js';

const CLAUSE = 'OB DCR v3.3 §4.2, RFC 8705 §2.1';

function refused(description: string, fix: string): OAuthError {
  return new OAuthError({
    status: 403,
    error: 'unapproved_software_statement',
    description,
    clause: CLAUSE,
    fix,
  });
}

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

export async function verifyTransportCertificate(
  presented: PresentedCertificate,
  expected: { orgId: string; softwareId: string },
  directory: DirectoryReads,
): Promise<TransportIdentity> {
  if (!presented.issuedByDirectory) {
    throw refused(
      'The client certificate was not issued by the Directory CA (or is not valid now)',
      'present the transport certificate the sandbox directory issued to your software',
    );
  }

  const subject = parseSubject(presented.x509.subject);
  if (subject.organizationalUnit !== expected.orgId || subject.commonName !== expected.softwareId) {
    throw refused(
      `The transport certificate belongs to OU=${subject.organizationalUnit ?? '?'} CN=${subject.commonName ?? '?'}, not to the SSA's organisation ${expected.orgId} and software ${expected.softwareId}`,
      'register with the SSA of the software the certificate was issued to',
    );
  }

  const x5tS256 = certificateThumbprint(presented.x509);
  const status = await askDirectory(() => directory.certificateStatus(x5tS256));
  if (status.status !== 'active') {
    throw refused(
      `The directory reports the transport certificate as ${status.status}`,
      status.status === 'revoked' || status.status === 'expired'
        ? 'obtain a new transport certificate from the directory'
        : 'present a certificate the directory issued and knows',
    );
  }
  if (
    status.type !== 'transport' ||
    status.orgId !== expected.orgId ||
    status.softwareId !== expected.softwareId
  ) {
    throw refused(
      `The directory knows this certificate as a ${status.type ?? '?'} certificate of ${status.orgId ?? '?'}/${status.softwareId ?? '?'}`,
      "present your software's transport certificate",
    );
  }
  return { orgId: expected.orgId, softwareId: expected.softwareId, x5tS256, subject: subject.raw };
}
