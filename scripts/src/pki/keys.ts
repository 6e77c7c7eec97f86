// Key pairs and their PEM form. ECDSA P-256 for CAs and TLS (fast to make, small handshakes);
// RSA-PSS 2048 only where a PS256 signing key is asked for.
import type { webcrypto } from 'node:crypto';
import { subtle, x509 } from './x509.js';

export type KeyAlgorithmName = 'ES256' | 'PS256';

/** Key generation parameters, and the signature algorithm a certificate signed by that key uses. */
const algorithms = {
  ES256: {
    generate: { name: 'ECDSA', namedCurve: 'P-256' } satisfies webcrypto.EcKeyGenParams,
    sign: { name: 'ECDSA', hash: 'SHA-256' } satisfies webcrypto.EcdsaParams,
    importParams: { name: 'ECDSA', namedCurve: 'P-256' } satisfies webcrypto.EcKeyImportParams,
  },
  PS256: {
    generate: {
      name: 'RSA-PSS',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    } satisfies webcrypto.RsaHashedKeyGenParams,
    sign: { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 },
    importParams: { name: 'RSA-PSS', hash: 'SHA-256' } satisfies webcrypto.RsaHashedImportParams,
  },
} as const;

export interface SandboxKeyPair {
  alg: KeyAlgorithmName;
  keys: webcrypto.CryptoKeyPair;
}

/** Extractable, because every key ends up in a file (PEM or JWKS). */
export async function generateKeyPair(alg: KeyAlgorithmName): Promise<SandboxKeyPair> {
  const keys = (await subtle.generateKey(algorithms[alg].generate, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return { alg, keys };
}

/** The algorithm @peculiar/x509 signs a certificate with when `pair` is the issuer's key. */
export function signingAlgorithmOf(pair: SandboxKeyPair): webcrypto.Algorithm {
  return algorithms[pair.alg].sign;
}

/** PKCS#8 PEM (`BEGIN PRIVATE KEY`): what Node's tls, jose and oidc-provider all read. */
export async function privateKeyToPem(pair: SandboxKeyPair): Promise<string> {
  const der = await subtle.exportKey('pkcs8', pair.keys.privateKey);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

/** Reads a PKCS#8 PEM private key back together with the public key of its certificate. */
export async function importKeyPair(
  alg: KeyAlgorithmName,
  privateKeyPem: string,
  certificate: x509.X509Certificate,
): Promise<SandboxKeyPair> {
  const der = x509.PemConverter.decodeFirst(privateKeyPem);
  const privateKey = await subtle.importKey('pkcs8', der, algorithms[alg].importParams, true, ['sign']);
  const publicKey = await certificate.publicKey.export(algorithms[alg].importParams, ['verify']);
  return { alg, keys: { privateKey, publicKey } };
}
