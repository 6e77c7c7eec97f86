// The client certificate of a request, read from the TLS socket of an mTLS listener (RFC 8705 §2):
// never from a header a client can set. What the app decides with it (client authentication,
// token binding, the directory's revocation status) happens in the callers.
import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { type CertificateIdentity, certificateIdentity } from './certificate-identity.js';
import { certificateThumbprint } from './jose/thumbprint.js';

export interface PeerCertificate {
  x509: X509Certificate;
  readonly pem: string;
  /** RFC 8705 §3.1 thumbprint, what an mTLS-bound token's `cnf.x5t#S256` must equal. */
  x5tS256: string;
  /** True when the chain verified against the listener's trust bundle (the directory CA). */
  authorized: boolean;
  /** OpenSSL's reason when not authorized, e.g. UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CERT_HAS_EXPIRED. */
  authorizationError: string | undefined;
  /** Whom the subject names (organisation, software, RFC 4514 DN), parsed from the DER when first read. */
  readonly identity: CertificateIdentity;
  serialNumber: string;
  validFrom: Date;
  validTo: Date;
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
  // Parsing the subject is the costly part (ASN.1 in JavaScript): done only for a caller that reads it.
  let identity: CertificateIdentity | undefined;
  return {
    x509,
    get pem() {
      return x509.toString();
    },
    x5tS256: certificateThumbprint(x509),
    authorized: socket.authorized === true,
    authorizationError: authorizationError ? String(authorizationError) : undefined,
    get identity() {
      identity ??= certificateIdentity(x509);
      return identity;
    },
    serialNumber: x509.serialNumber.toLowerCase(),
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
  };
}
