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
  readonly serialNumber: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

function isTlsSocket(socket: unknown): socket is TLSSocket {
  return typeof (socket as TLSSocket | undefined)?.getPeerX509Certificate === 'function';
}

/**
 * Sockets of the mTLS listeners (tls.ts createMtlsServer), which refuse TLS renegotiation: the client
 * certificate of such a connection is the one of its handshake, as long as it lives.
 */
const fixedCertificate = new WeakSet<TLSSocket>();

/** Marks a socket whose listener refuses renegotiation (its 'secureConnection' handler). */
export function certificateFixedFor(socket: TLSSocket): void {
  fixedCertificate.add(socket);
}

/** What the certificate says: parsed and hashed once per connection that cannot change it, else per call. */
interface ParsedCertificate {
  x509: X509Certificate;
  x5tS256: string;
  identity?: CertificateIdentity;
}

const parsedOfConnection = new WeakMap<TLSSocket, ParsedCertificate>();

function parsedCertificateOf(socket: TLSSocket): ParsedCertificate | undefined {
  const kept = parsedOfConnection.get(socket);
  if (kept) return kept;
  const x509 = socket.getPeerX509Certificate();
  if (!x509) return undefined;
  const parsed: ParsedCertificate = { x509, x5tS256: certificateThumbprint(x509) };
  // Only the certificate itself is kept: whether it is still good (the directory's status, the token's
  // binding) is each request's own question, asked by the callers every time.
  if (fixedCertificate.has(socket)) parsedOfConnection.set(socket, parsed);
  return parsed;
}

/** The certificate the client presented on this connection, or undefined when it presented none. */
export function peerCertificateOf(socket: unknown): PeerCertificate | undefined {
  if (!isTlsSocket(socket)) return undefined;
  const parsed = parsedCertificateOf(socket);
  if (!parsed) return undefined;
  const { x509 } = parsed;
  const authorizationError = socket.authorizationError;
  return {
    x509,
    get pem() {
      return x509.toString();
    },
    x5tS256: parsed.x5tS256,
    authorized: socket.authorized === true,
    authorizationError: authorizationError ? String(authorizationError) : undefined,
    // Parsing the subject is the costly part (ASN.1 in JavaScript): done only for a caller that reads it.
    get identity() {
      parsed.identity ??= certificateIdentity(x509);
      return parsed.identity;
    },
    get serialNumber() {
      return x509.serialNumber.toLowerCase();
    },
    get validFrom() {
      return new Date(x509.validFrom);
    },
    get validTo() {
      return new Date(x509.validTo);
    },
  };
}
