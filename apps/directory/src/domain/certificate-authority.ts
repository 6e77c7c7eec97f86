// The Directory CA: signs participants' transport and signing certificates and the CRL. Its certificate and
// key come from the generated PKI (config.ca.directory, config.ca.directoryKey).
import { createPrivateKey, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { signedBy } from '@fapi-sandbox/fapi-core/certificate-identity';
import { readPem } from '@fapi-sandbox/fapi-core/tls';
import type { CertificateType, RevocationReason } from './model.js';
import { x509 } from './x509.js';

/** The subject the directory writes into every participant certificate (as the UK Open Banking directory does). */
export interface ParticipantIdentity {
  orgId: string;
  orgName: string;
  softwareId: string;
}

export interface IssueRequest {
  identity: ParticipantIdentity;
  type: CertificateType;
  publicKey: x509.PublicKey;
}

export interface IssuedCertificate {
  certificate: X509Certificate;
  leafPem: string;
  /** Leaf, then the Directory CA. */
  chainPem: string;
}

export interface RevokedEntry {
  serialNumber: string;
  revokedAt: Date;
  reason: RevocationReason;
}

/** ETSI EN 319 412-1 organizationIdentifier, as the PKI generator writes it. */
const ORGANIZATION_IDENTIFIER_OID = '2.5.4.97';
const CRL_NUMBER_OID = '2.5.29.20';
const LEAF_VALIDITY_MS = 365 * 24 * 60 * 60 * 1000;
/** Backdated a little so a peer with a slow clock accepts a fresh certificate. */
const BACKDATE_MS = 5 * 60 * 1000;
const CRL_VALIDITY_MS = 24 * 60 * 60 * 1000;

export function participantSubject(identity: ParticipantIdentity): x509.JsonName {
  return [
    { C: ['GB'] },
    { O: [identity.orgName] },
    { OU: [identity.orgId] },
    { [ORGANIZATION_IDENTIFIER_OID]: [`PSDGB-OB-${identity.orgId}`] },
    { CN: [identity.softwareId] },
  ];
}

/** 16 random bytes, positive and minimal (RFC 5280 §4.1.2.2); upper-case hex like Node reports it. */
function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex').toUpperCase();
}

/** DER INTEGER of a non-negative number (the CRL number extension's value). */
function derInteger(value: number): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Uint8Array.from([0x02, bytes.length, ...bytes]);
}

const CRL_REASONS: Record<RevocationReason, x509.X509CrlReason> = {
  unspecified: x509.X509CrlReason.unspecified,
  keyCompromise: x509.X509CrlReason.keyCompromise,
  affiliationChanged: x509.X509CrlReason.affiliationChanged,
  superseded: x509.X509CrlReason.superseded,
  cessationOfOperation: x509.X509CrlReason.cessationOfOperation,
  privilegeWithdrawn: x509.X509CrlReason.privilegeWithdrawn,
};

type ImportParameters = webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
type SignatureAlgorithm = webcrypto.Algorithm | webcrypto.EcdsaParams;

function signingParameters(keyPem: string): { importParams: ImportParameters; sign: SignatureAlgorithm } {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === 'secp384r1' ? 'P-384' : 'P-256';
    const hash = namedCurve === 'P-384' ? 'SHA-384' : 'SHA-256';
    return {
      importParams: { name: 'ECDSA', namedCurve },
      sign: { name: 'ECDSA', hash } as webcrypto.EcdsaParams,
    };
  }
  if (key.asymmetricKeyType === 'rsa') {
    return {
      importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      sign: { name: 'RSASSA-PKCS1-v1_5' },
    };
  }
  throw new Error(`The Directory CA key is a ${key.asymmetricKeyType} key; expected EC or RSA`);
}

export interface CertificateAuthority {
  /** The Directory CA certificate (Node's parser: thumbprints, `checkIssued`, `verify`). */
  certificate: X509Certificate;
  certificatePem: string;
  /** True when `certificate` was signed by this CA's key. */
  issued(certificate: X509Certificate): boolean;
  issue(request: IssueRequest): Promise<IssuedCertificate>;
  /** A DER CRL (RFC 5280 §5) listing `revoked`, numbered `crlNumber`. */
  crl(revoked: RevokedEntry[], crlNumber: number): Promise<Uint8Array>;
}

export async function loadCertificateAuthority(files: {
  certificate: string;
  key: string;
}): Promise<CertificateAuthority> {
  const certificatePem = readPem(files.certificate).toString('utf8');
  const keyPem = fs.readFileSync(files.key, 'utf8');
  const caCertificate = new x509.X509Certificate(certificatePem);
  const nodeCertificate = new X509Certificate(certificatePem);
  const parameters = signingParameters(keyPem);
  const signingKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(keyPem),
    parameters.importParams,
    false,
    ['sign'],
  );
  const authorityKeyIdentifier = await x509.AuthorityKeyIdentifierExtension.create(caCertificate.publicKey);

  return {
    certificate: nodeCertificate,
    certificatePem: nodeCertificate.toString(),

    issued: (certificate) => signedBy(certificate, nodeCertificate),

    async issue({ identity, type, publicKey }) {
      const now = Date.now();
      const notAfter = Math.min(now + LEAF_VALIDITY_MS, Date.parse(nodeCertificate.validTo));
      const keyUsage =
        type === 'transport'
          ? x509.KeyUsageFlags.digitalSignature
          : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation;
      const generated = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerialNumber(),
        subject: participantSubject(identity),
        // The CA's own encoded name, so the leaf's issuer matches the CA's subject byte for byte.
        issuer: caCertificate.subjectName,
        notBefore: new Date(now - BACKDATE_MS),
        notAfter: new Date(notAfter),
        publicKey,
        signingKey,
        signingAlgorithm: parameters.sign,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(keyUsage, true),
          // RFC 8705 §2.1: a transport certificate authenticates a TLS client; a signing certificate
          // only vouches for a JWS key (its x5c), so it gets no TLS usage at all.
          ...(type === 'transport'
            ? [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]
            : []),
          await x509.SubjectKeyIdentifierExtension.create(publicKey),
          authorityKeyIdentifier,
        ],
      });
      const leafPem = generated.toString('pem');
      return {
        certificate: new X509Certificate(leafPem),
        leafPem: `${leafPem}\n`,
        chainPem: `${leafPem}\n${nodeCertificate.toString().trim()}\n`,
      };
    },

    async crl(revoked, crlNumber) {
      const thisUpdate = new Date();
      const crl = await x509.X509CrlGenerator.create({
        issuer: caCertificate.subjectName,
        thisUpdate,
        nextUpdate: new Date(thisUpdate.getTime() + CRL_VALIDITY_MS),
        signingAlgorithm: parameters.sign,
        signingKey,
        entries: revoked.map((entry) => ({
          serialNumber: entry.serialNumber.toLowerCase(),
          revocationDate: entry.revokedAt,
          reason: CRL_REASONS[entry.reason],
        })),
        extensions: [
          authorityKeyIdentifier,
          new x509.Extension(CRL_NUMBER_OID, false, derInteger(crlNumber)),
        ],
      });
      return new Uint8Array(crl.rawData);
    },
  };
}
