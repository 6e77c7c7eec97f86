// What kind of key a certificate or CSR carries, and whether FAPI lets a participant use it.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { x509 } from './x509.js';

export interface KeyDescription {
  /** e.g. "RSA 2048", "EC P-256". */
  keyType: string;
  /** The JWS algorithm a signing key of this kind is published with (FAPI 2.0 SP §5.4.1-1). */
  alg: 'PS256' | 'ES256';
}

const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export function publicKeyFromSpki(spki: ArrayBuffer | Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki as ArrayBuffer), format: 'der', type: 'spki' });
}

/** A key as the certificate generator takes it (its SubjectPublicKeyInfo). */
export function spkiOf(key: KeyObject): x509.PublicKey {
  return new x509.PublicKey(key.export({ type: 'spki', format: 'der' }));
}

/** Plain description of any key, for listings (never throws). */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return `RSA ${details.modulusLength ?? '?'}`;
    case 'ec':
      return `EC ${CURVE_NAMES[details.namedCurve ?? ''] ?? details.namedCurve ?? '?'}`;
    default:
      return String(key.asymmetricKeyType ?? 'unknown').toUpperCase();
  }
}

/**
 * The keys a participant may certify: RSA of at least 2048 bits (used with PS256) or EC P-256 (ES256),
 * the two FAPI algorithms a sandbox client can use. Anything else is refused with the clause and a fix.
 */
export function assertFapiParticipantKey(key: KeyObject): KeyDescription {
  const details = key.asymmetricKeyDetails ?? {};
  const keyType = describeKey(key);
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const bits = details.modulusLength ?? 0;
    // FAPI 2.0 SP §5.4.1-2: RSA keys shall have a minimum length of 2048 bits.
    if (bits < 2048) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: `The CSR's RSA key is ${bits} bits long, below the 2048-bit minimum`,
        clause: 'FAPI 2.0 SP §5.4.1-2',
        fix: 'generate an RSA key of 2048 bits or more (e.g. openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048), or an EC P-256 key',
      });
    }
    return { keyType, alg: 'PS256' };
  }
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') {
    return { keyType, alg: 'ES256' };
  }
  // FAPI 2.0 SP §5.4.1-1 limits JWS algorithms to PS256, ES256 and EdDSA; this directory certifies the
  // first two (the algorithms the sandbox's bank accepts), so only RSA and P-256 keys.
  throw new OAuthError({
    status: 400,
    error: 'invalid_request',
    description: `The CSR carries a ${keyType} key, which this directory does not certify`,
    clause: 'FAPI 2.0 SP §5.4.1-1',
    fix: 'send a CSR for an RSA key of at least 2048 bits (PS256) or an EC P-256 key (ES256)',
  });
}
