// Turns a PEM chain into the record the store keeps: serial, thumbprint, subject, key, validity.
import { X509Certificate } from 'node:crypto';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { describeKey } from './keys.js';
import type { CertificateRecord, CertificateSource, CertificateType, RevocationReason } from './model.js';
import { x509 } from './x509.js';

/** Splits a PEM bundle into its certificates, leaf first. */
export function certificatesOf(chainPem: string): X509Certificate[] {
  return x509.PemConverter.decode(chainPem).map((der) => new X509Certificate(Buffer.from(der)));
}

/** x5c members are standard base64 DER, leaf first (RFC 7517 §4.7). */
export function x5cOf(chainPem: string): string[] {
  return x509.PemConverter.decode(chainPem).map((der) => Buffer.from(der).toString('base64'));
}

export function pemChainFromX5c(x5c: string[]): string {
  return x5c.map((der) => x509.PemConverter.encode(Buffer.from(der, 'base64'), 'CERTIFICATE')).join('\n');
}

export function certificateRecord(input: {
  chainPem: string;
  orgId: string;
  softwareId: string;
  type: CertificateType;
  source: CertificateSource;
  kid?: string;
  alg?: string;
  revoked?: { at: string; reason: RevocationReason };
}): CertificateRecord {
  const [leaf] = certificatesOf(input.chainPem);
  if (!leaf) throw new Error('certificateRecord: the chain holds no certificate');
  return {
    serialNumber: leaf.serialNumber.toUpperCase(),
    x5tS256: certificateThumbprint(leaf),
    orgId: input.orgId,
    softwareId: input.softwareId,
    type: input.type,
    subject: new x509.X509Certificate(leaf.raw).subject,
    keyType: describeKey(leaf.publicKey),
    kid: input.kid ?? null,
    alg: input.alg ?? null,
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
    chainPem: `${input.chainPem.trim()}\n`,
    source: input.source,
    revokedAt: input.revoked?.at ?? null,
    revocationReason: input.revoked?.reason ?? null,
    createdAt: new Date().toISOString(),
  };
}
