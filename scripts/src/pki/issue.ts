// Signs certificates. Every certificate gets a random serial, subject and authority key identifiers
// (so chain building never depends on names alone) and only the usages its job needs.
import { randomBytes, type webcrypto } from 'node:crypto';
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import { type SandboxKeyPair, signingAlgorithmOf } from './keys.js';
import type { Validity } from './policy.js';
import { participantSubject, sandboxSubject } from './subjects.js';
import { x509 } from './x509.js';

/** A CA the generator can issue under: its certificate and key pair. */
export interface Authority {
  certificate: x509.X509Certificate;
  key: SandboxKeyPair;
}

/**
 * 16 random bytes, positive (RFC 5280 §4.1.2.2), first byte non-zero so the DER INTEGER is exactly
 * 16 bytes and minimal. Uppercase hex: the form Node's `X509Certificate.serialNumber` reports.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex').toUpperCase();
}

interface IssueRequest {
  issuer: Authority;
  subject: x509.JsonName;
  publicKey: webcrypto.CryptoKey;
  validity: Validity;
  extensions: x509.Extension[];
}

async function issue(request: IssueRequest): Promise<x509.X509Certificate> {
  const { issuer, subject, publicKey, validity, extensions } = request;
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject,
    // The issuer's own encoded name, so the leaf's issuer field matches the CA's subject byte for byte.
    issuer: issuer.certificate.subjectName,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    publicKey,
    signingKey: issuer.key.keys.privateKey,
    signingAlgorithm: signingAlgorithmOf(issuer.key),
    extensions: [
      ...extensions,
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer.certificate.publicKey),
    ],
  });
}

const caKeyUsage = () =>
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);

/** A self-signed CA certificate. `pathLength` 1 lets a root sign issuing CAs; 0 means leaves only. */
export async function selfSignCa(
  commonName: string,
  key: SandboxKeyPair,
  validity: Validity,
  pathLength: number,
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: sandboxSubject(commonName),
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    keys: key.keys,
    signingAlgorithm: signingAlgorithmOf(key),
    extensions: [
      new x509.BasicConstraintsExtension(true, pathLength, true),
      caKeyUsage(),
      await x509.SubjectKeyIdentifierExtension.create(key.keys.publicKey),
    ],
  });
}

/** An issuing CA under `issuer`; path length 0 so it can only sign end-entity certificates. */
export async function issueIssuingCa(
  issuer: Authority,
  commonName: string,
  key: SandboxKeyPair,
  validity: Validity,
): Promise<x509.X509Certificate> {
  return issue({
    issuer,
    subject: sandboxSubject(commonName),
    publicKey: key.keys.publicKey,
    validity,
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), caKeyUsage()],
  });
}

const endEntity = () => new x509.BasicConstraintsExtension(false, undefined, true);
const signatureOnly = () => new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true);

/** Host names a client may use to reach a party; loopback IPs too, for tools that connect by address. */
export async function issueServerCertificate(
  issuer: Authority,
  hostnames: string[],
  key: SandboxKeyPair,
  validity: Validity,
): Promise<x509.X509Certificate> {
  const [commonName] = hostnames;
  if (commonName === undefined) throw new Error('A server certificate needs at least one host name');
  return issue({
    issuer,
    subject: sandboxSubject(commonName),
    publicKey: key.keys.publicKey,
    validity,
    extensions: [
      endEntity(),
      signatureOnly(),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...hostnames.map((value) => ({ type: 'dns' as const, value })),
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
      ]),
    ],
  });
}

/** RFC 8705 §2.1 PKI client authentication: a client certificate the directory CA vouches for. */
export async function issueTransportCertificate(
  issuer: Authority,
  participant: Pick<Participant, 'orgId' | 'orgName' | 'softwareId'>,
  key: SandboxKeyPair,
  validity: Validity,
): Promise<x509.X509Certificate> {
  return issue({
    issuer,
    subject: participantSubject(participant),
    publicKey: key.keys.publicKey,
    validity,
    extensions: [
      endEntity(),
      signatureOnly(),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
}

/**
 * The certificate behind a signing JWK's `x5c` (RFC 7517 §4.7): the directory vouches that this key
 * belongs to this participant. No EKU: it signs JWTs, it never authenticates a TLS connection.
 */
export async function issueSigningCertificate(
  issuer: Authority,
  participant: Participant,
  key: SandboxKeyPair,
  validity: Validity,
): Promise<x509.X509Certificate> {
  return issue({
    issuer,
    subject: participantSubject(participant),
    publicKey: key.keys.publicKey,
    validity,
    extensions: [
      endEntity(),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
        true,
      ),
    ],
  });
}
