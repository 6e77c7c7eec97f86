// Key and certificate thumbprints that bind tokens to their holder: the JWK SHA-256 thumbprint of RFC 7638
// (DPoP `jkt`, RFC 9449 §6) and the certificate SHA-256 thumbprint `x5t#S256` of RFC 8705 §3.1 (mTLS-bound
// access tokens carry it in `cnf`).
import { createHash, X509Certificate } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { constantTimeEqual } from './compare.js';

/** RFC 7638 §3: base64url SHA-256 over the key's required members in lexicographic order. */
export function jwkThumbprint(jwk: JWK): Promise<string> {
  return calculateJwkThumbprint(jwk, 'sha256');
}

/**
 * RFC 8705 §3.1: `x5t#S256` is the base64url SHA-256 of the certificate's DER encoding. Accepts a PEM string
 * (the first certificate of a chain, i.e. the leaf), DER bytes, or a node X509Certificate.
 */
export function certificateThumbprint(certificate: string | Uint8Array | X509Certificate): string {
  return createHash('sha256').update(certificateDer(certificate)).digest('base64url');
}

function certificateDer(certificate: string | Uint8Array | X509Certificate): Buffer {
  if (certificate instanceof X509Certificate) return certificate.raw;
  if (typeof certificate === 'string') {
    // Parsing validates the PEM and picks the first (leaf) certificate of a chain.
    if (!certificate.includes('-----BEGIN CERTIFICATE-----')) {
      throw new TypeError(
        'certificateThumbprint: the string is not a PEM certificate (no BEGIN CERTIFICATE line)',
      );
    }
    return new X509Certificate(certificate).raw;
  }
  // DER bytes are parsed too, so that a thumbprint is never computed over something that is not a certificate.
  return new X509Certificate(Buffer.from(certificate)).raw;
}

/** Constant-time comparison of two thumbprints (a bound token's `cnf` against the presented key). */
export function thumbprintsEqual(a: string, b: string): boolean {
  return constantTimeEqual(a, b);
}
