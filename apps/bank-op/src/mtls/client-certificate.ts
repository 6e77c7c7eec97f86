// Where bank-op gets a request's client certificate (RFC 8705 §2): from the TLS socket of the mTLS
// listener, which asks for one. A certificate in a forwarded header is taken only when bank-op is
// explicitly configured to sit behind a TLS-terminating proxy and the request comes from that proxy's
// address; from anyone else such a header is refused (see `rejectForwardedCertificates`), so a client
// can never claim a certificate it does not hold.
// The certificate is read and verified once per request, and every check of that request (status gate,
// client authentication, token binding, trace) reads the same answer. Never trusted per connection: a
// proxy's connection carries many clients (only the parsing of a TLS connection's own certificate is kept
// per connection, by fapi-core's peer-certificate.ts, since the mTLS listener refuses renegotiation).
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  type CertificateIdentity,
  certificateIdentity,
  issuedBy,
} from '@fapi-sandbox/fapi-core/certificate-identity';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import { originalRequestOf } from '../http/replay-body.js';

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
  /** RFC 8705 §3.1 thumbprint: what the directory is asked about and a bound token's `cnf` names. */
  x5tS256: string;
  /** Whom the subject names (OU, CN, RFC 4514 DN); parsed from the DER when first read. */
  readonly identity: CertificateIdentity;
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

function forwardedCertificate(x509: X509Certificate, issuedByDirectory: boolean): PresentedCertificate {
  let identity: CertificateIdentity | undefined;
  return {
    x509,
    issuedByDirectory,
    source: 'trusted-proxy',
    x5tS256: certificateThumbprint(x509),
    get identity() {
      identity ??= certificateIdentity(x509);
      return identity;
    },
  };
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

  function derive(req: IncomingMessage): PresentedCertificate | undefined {
    const forwarded =
      trustedProxy && fromTrustedProxy(req)
        ? forwardedHeaderValue(req, trustedProxy.certificateHeader)
        : undefined;
    if (forwarded) {
      // A header that is no certificate is refused by rejectForwardedCertificates before any use.
      const cert = parseForwarded(forwarded);
      return cert ? forwardedCertificate(cert, issuedBy(cert, directoryCa)) : undefined;
    }
    const peer = peerCertificateOf(req.socket);
    if (!peer) return undefined;
    // `authorized`: OpenSSL verified the chain against the client trust bundle (root + Directory CA).
    return {
      x509: peer.x509,
      issuedByDirectory: peer.authorized && issuedBy(peer.x509, directoryCa),
      source: 'tls',
      x5tS256: peer.x5tS256,
      get identity() {
        return peer.identity;
      },
    };
  }

  // Keyed by the request (a replayed body stands for its original: same socket, same headers): gone with
  // it, and never shared with another request or connection.
  const derived = new WeakMap<IncomingMessage, PresentedCertificate | null>();

  return {
    certificateOf(req) {
      const request = originalRequestOf(req);
      let answer = derived.get(request);
      if (answer === undefined) {
        answer = derive(request) ?? null;
        derived.set(request, answer);
      }
      return answer ?? undefined;
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
