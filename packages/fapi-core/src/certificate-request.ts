// A PKCS#10 certificate signing request (RFC 2986) for a fresh key pair: what a participant sends the
// directory to be issued a new certificate (POST /organisations/…/software-statements/…/certificates).
// The directory takes only the public key from it and writes the subject itself, so the subject here is
// a placeholder. EC P-256 (ES256) by default, or RSA 2048 (PS256): the keys FAPI lets a participant use
// (FAPI 2.0 SP §5.4.1).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface CertificateRequest {
  /** The request, PEM ("CERTIFICATE REQUEST"), signed with the new private key (proof of possession). */
  csrPem: string;
  /** The new private key, PKCS#8 PEM: it stays with the participant. */
  privateKeyPem: string;
}

/** The key algorithms a participant's key pair is generated for: the parameters of its key and CSR signature. */
const KEY_ALGORITHMS = {
  ES256: {
    key: { name: 'ECDSA', namedCurve: 'P-256' },
    csrSignature: { name: 'ECDSA', hash: 'SHA-256' },
  },
  PS256: {
    key: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    // The CSR's own signature only proves possession; the certified key is used with PS256 afterwards.
    csrSignature: { name: 'RSASSA-PKCS1-v1_5' },
  },
} as const;

export async function createCertificateRequest(
  alg: keyof typeof KEY_ALGORITHMS = 'ES256',
): Promise<CertificateRequest> {
  const algorithm = KEY_ALGORITHMS[alg];
  const keys = (await webcrypto.subtle.generateKey(algorithm.key, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const request = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: 'CN=certificate request',
      keys: keys as unknown as x509.Pkcs10CertificateRequestCreateParams['keys'],
      signingAlgorithm: algorithm.csrSignature,
    },
    webcrypto as unknown as Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[1],
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    csrPem: request.toString('pem'),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}
