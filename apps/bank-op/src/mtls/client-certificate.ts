// Where bank-op gets a request's client certificate (RFC 8705 §2): from the TLS socket of the mTLS
// listener, which asks for one. A certificate in a forwarded header is taken only when bank-op is
// explicitly configured to sit behind a TLS-terminating proxy and the request comes from that proxy's
// address; from anyone else such a header is refused (see `rejectForwardedCertificates`), so a client
// can never claim a certificate it does not hold.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { issuedBy } from '@fapi-sandbox/fapi-core/certificate-identity';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';

/** A TLS-terminating proxy in front of bank-op that forwards the client certificate (URL-encoded PEM). */
export interface TrustedProxy {
  /** Socket addresses the proxy connects from, e.g. ['127.0.0.1']. */
  addresses: string[];
  /** Lower-case header the proxy puts the certificate in, e.g. 'x-ssl-client-cert'. */
  certificateHeader: string;
}

/** Headers proxies commonly use for the client certificate: never accepted from a client directly. */
const KNOWN_CERTIFICATE_HEADERS = [
  'x-ssl-client-cert',
  'x-client-cert',
  'ssl-client-cert',
  'x-forwarded-client-cert',
];

export interface PresentedCertificate {
  x509: X509Certificate;
  /** The Directory CA itself issued the certificate and it is within its validity period (`issuedBy`). */
  issuedByDirectory: boolean;
  source: 'tls' | 'trusted-proxy';
}

export interface CertificateSource {
  /** The client certificate of this request, if it presented one. */
  certificateOf(req: IncomingMessage): PresentedCertificate | undefined;
  /** Express middleware refusing forwarded-certificate headers that do not come from the trusted proxy. */
  rejectForwardedCertificates(): (req: IncomingMessage, res: unknown, next: (err?: unknown) => void) => void;
}

function parseForwarded(value: string): X509Certificate | undefined {
  try {
    return new X509Certificate(decodeURIComponent(value));
  } catch {
    return undefined;
  }
}

function forwardedHeaderValue(req: IncomingMessage, header: string): string | undefined {
  const value = req.headers[header];
  return Array.isArray(value) ? value[0] : value;
}

export function createCertificateSource(options: {
  directoryCa: X509Certificate;
  trustedProxy?: TrustedProxy;
}): CertificateSource {
  const { directoryCa, trustedProxy } = options;

  const fromTrustedProxy = (req: IncomingMessage): boolean =>
    trustedProxy?.addresses.includes(req.socket.remoteAddress ?? '') === true;

  return {
    certificateOf(req) {
      const forwarded =
        trustedProxy && fromTrustedProxy(req)
          ? forwardedHeaderValue(req, trustedProxy.certificateHeader)
          : undefined;
      if (forwarded) {
        // A header that is no certificate is refused by rejectForwardedCertificates before any use.
        const cert = parseForwarded(forwarded);
        return cert
          ? { x509: cert, issuedByDirectory: issuedBy(cert, directoryCa), source: 'trusted-proxy' }
          : undefined;
      }
      const peer = peerCertificateOf(req.socket);
      if (!peer) return undefined;
      // `authorized`: OpenSSL verified the chain against the client trust bundle (root + Directory CA).
      return {
        x509: peer.x509,
        issuedByDirectory: peer.authorized && issuedBy(peer.x509, directoryCa),
        source: 'tls',
      };
    },

    rejectForwardedCertificates() {
      const headers = new Set([
        ...KNOWN_CERTIFICATE_HEADERS,
        ...(trustedProxy ? [trustedProxy.certificateHeader] : []),
      ]);
      return (req, _res, next) => {
        const sent = [...headers].find((header) => req.headers[header] !== undefined);
        if (sent && fromTrustedProxy(req) && sent === trustedProxy?.certificateHeader) {
          const value = forwardedHeaderValue(req, sent);
          if (value && !parseForwarded(value)) {
            next(
              new OAuthError({
                status: 400,
                error: 'invalid_request',
                description: `The ${sent} header from the trusted proxy is not a URL-encoded PEM certificate`,
                clause: 'RFC 8705 §2',
                fix: 'configure the proxy to forward the client certificate as URL-encoded PEM',
              }),
            );
            return;
          }
        } else if (sent) {
          next(
            new OAuthError({
              status: 400,
              error: 'invalid_request',
              description: `The ${sent} header carries a client certificate, and this request does not come from a trusted proxy`,
              clause: 'RFC 8705 §2',
              fix: 'present the client certificate in the TLS handshake with the mTLS endpoint; never in a header',
            }),
          );
          return;
        }
        next();
      };
    },
  };
}
