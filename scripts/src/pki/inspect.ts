// Reads certificates back with Node's own X509 parser (not the library that wrote them), so the manifest
// and the freshness check describe what TLS will actually see.
import { createHash, X509Certificate } from 'node:crypto';

export interface CertificateSummary {
  /** RFC 4514-like, most significant first: `C=GB, O=…, CN=…`. */
  subject: string;
  issuer: string;
  /** Uppercase hex, as Node's `X509Certificate.serialNumber` and `getPeerCertificate()` report it. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER, colon-separated hex: what browsers and `openssl x509 -fingerprint` show. */
  sha256Fingerprint: string;
  /** SHA-256 of the DER, base64url: the `cnf.x5t#S256` value of a token bound to it (RFC 8705 §3.1). */
  x5tS256: string;
  isCa: boolean;
  subjectAltNames?: string[];
  extendedKeyUsage?: string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM file, in file order (leaf first in chain files). */
export function parsePemCertificates(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERTIFICATE) ?? []).map((block) => new X509Certificate(block));
}

/** An x5c entry (base64 DER, RFC 7517 §4.7) as a certificate. */
export function parseX5cEntry(entry: string): X509Certificate {
  return new X509Certificate(Buffer.from(entry, 'base64'));
}

function distinguishedName(nodeName: string): string {
  return nodeName.split('\n').join(', ');
}

const extendedKeyUsageNames: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
};

export function summarizeCertificate(certificate: X509Certificate): CertificateSummary {
  const summary: CertificateSummary = {
    subject: distinguishedName(certificate.subject),
    issuer: distinguishedName(certificate.issuer),
    serialNumber: certificate.serialNumber.toUpperCase(),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    sha256Fingerprint: certificate.fingerprint256,
    x5tS256: createHash('sha256').update(certificate.raw).digest('base64url'),
    isCa: certificate.ca,
  };
  if (certificate.subjectAltName) summary.subjectAltNames = certificate.subjectAltName.split(', ');
  // Node names the extendedKeyUsage extension `keyUsage`; undefined when the extension is absent.
  if (certificate.keyUsage) {
    summary.extendedKeyUsage = certificate.keyUsage.map((oid) => extendedKeyUsageNames[oid] ?? oid);
  }
  return summary;
}

/** The common name, for messages a person reads. */
export function commonNameOf(certificate: X509Certificate): string {
  const line = certificate.subject.split('\n').find((part) => part.startsWith('CN='));
  return line ? line.slice(3) : distinguishedName(certificate.subject);
}
