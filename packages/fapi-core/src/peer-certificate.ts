// The client certificate of a request, read from the TLS socket of an mTLS listener (RFC 8705 §2):
// never from a header a client can set. What the app decides with it (client authentication,
// token binding, the directory's revocation status) happens in the callers.
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { certificateThumbprint } from './jose/thumbprint.js';

export interface PeerCertificate {
  x509: X509Certificate;
  pem: string;
  /** RFC 8705 §3.1 thumbprint, what an mTLS-bound token's `cnf.x5t#S256` must equal. */
  x5tS256: string;
  /** True when the chain verified against the listener's trust bundle (the directory CA). */
  authorized: boolean;
  /** OpenSSL's reason when not authorized, e.g. UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CERT_HAS_EXPIRED. */
  authorizationError: string | undefined;
  subject: SubjectFields;
  serialNumber: string;
  validFrom: Date;
  validTo: Date;
}

/** The subject attributes open-banking directories put in transport certificates. */
export interface SubjectFields {
  /** UK Open Banking: the software statement id. */
  commonName?: string;
  /** UK Open Banking: the organisation id. */
  organizationalUnit?: string;
  organization?: string;
  country?: string;
  /** 2.5.4.97, e.g. PSDGB-OB-<orgId>. */
  organizationIdentifier?: string;
  raw: string;
}

/** Parses node's multi-line subject string (`C=GB\nO=…\nOU=…\nCN=…`). */
export function parseSubject(subject: string): SubjectFields {
  const fields: SubjectFields = { raw: subject };
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (key === 'CN') fields.commonName = value;
    else if (key === 'OU') fields.organizationalUnit = value;
    else if (key === 'O') fields.organization = value;
    else if (key === 'C') fields.country = value;
    else if (key === 'organizationIdentifier' || key === '2.5.4.97') fields.organizationIdentifier = value;
  }
  return fields;
}

function isTlsSocket(socket: unknown): socket is TLSSocket {
  return typeof (socket as TLSSocket | undefined)?.getPeerX509Certificate === 'function';
}

/** The certificate the client presented on this connection, or undefined when it presented none. */
export function peerCertificateOf(socket: unknown): PeerCertificate | undefined {
  if (!isTlsSocket(socket)) return undefined;
  const x509 = socket.getPeerX509Certificate();
  if (!x509) return undefined;
  const authorizationError = socket.authorizationError;
  return {
    x509,
    pem: x509.toString(),
    x5tS256: certificateThumbprint(x509),
    authorized: socket.authorized === true,
    authorizationError: authorizationError ? String(authorizationError) : undefined,
    subject: parseSubject(x509.subject),
    serialNumber: x509.serialNumber.toLowerCase(),
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
  };
}

/**
 * The participant (software_id, the subject CN of UK OB transport certificates) a certificate identifies,
 * when the Directory CA itself issued it and it is in date: signature and validity checked here, since a
 * chain to the sandbox root alone also admits the server CA's certificates, which are nobody's.
 */
export function directoryParticipantOf(
  certificate: X509Certificate,
  directoryCa: X509Certificate,
  now = Date.now(),
): string | undefined {
  const issued =
    certificate.checkIssued(directoryCa) &&
    certificate.verify(directoryCa.publicKey) &&
    Date.parse(certificate.validFrom) <= now &&
    now <= Date.parse(certificate.validTo);
  const commonName = parseSubject(certificate.subject).commonName;
  return issued && commonName ? commonName : undefined;
}
