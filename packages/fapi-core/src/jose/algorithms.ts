// Which JWS algorithms and keys a FAPI party may sign with and accept.
// FAPI 2.0 Security Profile §5.4.1: PS256, ES256 or EdDSA (Ed25519), never `none`, RSA keys ≥ 2048 bits,
// EC keys ≥ 224 bits. RFC 9864 §2.2 gives EdDSA-with-Ed25519 its fully-specified name `Ed25519`, which
// current clients send (openid-client 6 in DPoP proofs): both names mean the same signature and are accepted.
// This is the one list: bank-op's enabledJWA and discovery, and bank-api's DPoP check, read it. FAPI 1.0 Part 2 Advanced §8.6: PS256 or ES256, not RSASSA-PKCS1-v1_5, never `none`,
// with the key sizes of FAPI 1.0 Part 1 §5.2.2-5/6.
import { KeyObject } from 'node:crypto';
import { base64url, type CryptoKey, type JWK } from 'jose';
import { quote, type Reject } from './reject.js';

/** The profile whose rules apply: FAPI 2.0 Security Profile, or FAPI 1.0 Part 2 Advanced. */
export type FapiProfile = 'fapi2' | 'fapi1-advanced' | 'fapi1-baseline';

export type FapiSigningAlg = 'PS256' | 'ES256' | 'EdDSA' | 'Ed25519';

/** A private or public key as jose accepts it for signing or verifying (no symmetric secrets). */
export type AsymmetricKeyInput = CryptoKey | KeyObject | JWK;

const ALGS_BY_PROFILE: Record<FapiProfile, readonly FapiSigningAlg[]> = {
  // FAPI 2.0 SP §5.4.1-1.2: PS256, ES256, or EdDSA using the Ed25519 variant (RFC 9864 §2.2: `Ed25519`).
  fapi2: ['PS256', 'ES256', 'EdDSA', 'Ed25519'],
  // FAPI 1.0 Adv §8.6-1: PS256 or ES256.
  'fapi1-advanced': ['PS256', 'ES256'],
  // FAPI 1.0 Part 1 names no algorithm list; the bank holds Baseline clients to Advanced's (§8.6-1).
  'fapi1-baseline': ['PS256', 'ES256'],
};

const ALG_CLAUSE: Record<FapiProfile, string> = {
  fapi2: 'FAPI 2.0 SP §5.4.1-1.2',
  'fapi1-advanced': 'FAPI 1.0 Adv §8.6-1',
  'fapi1-baseline': 'FAPI 1.0 Adv §8.6-1 (bank policy for Baseline)',
};
const NONE_CLAUSE: Record<FapiProfile, string> = {
  fapi2: 'FAPI 2.0 SP §5.4.1-1.3',
  'fapi1-advanced': 'FAPI 1.0 Adv §8.6-3',
  'fapi1-baseline': 'FAPI 1.0 Adv §8.6-3 (bank policy for Baseline)',
};
const RSA_SIZE_CLAUSE: Record<FapiProfile, string> = {
  fapi2: 'FAPI 2.0 SP §5.4.1-2',
  'fapi1-advanced': 'FAPI 1.0 Part 1 §5.2.2-5',
  'fapi1-baseline': 'FAPI 1.0 Part 1 §5.2.2-5',
};

/** The JWS algorithms a profile allows, strongest-supported first. */
export function fapiSigningAlgs(profile: FapiProfile = 'fapi2'): readonly FapiSigningAlg[] {
  return ALGS_BY_PROFILE[profile];
}

/** Every algorithm some FAPI profile allows: what a party serving both profiles enables and advertises. */
export function allFapiSigningAlgs(): readonly FapiSigningAlg[] {
  return [...new Set(Object.values(ALGS_BY_PROFILE).flat())];
}

/**
 * The algorithms every FAPI profile allows (FAPI 2.0 SP §5.4.1-1.2 ∩ FAPI 1.0 Adv §8.6-1: PS256, ES256): for
 * what one party signs for parties of either profile (the directory's SSAs, its certificates' keys).
 */
export function everyProfileSigningAlgs(): readonly FapiSigningAlg[] {
  const [first, ...rest] = Object.values(ALGS_BY_PROFILE);
  return (first ?? []).filter((alg) => rest.every((algs) => algs.includes(alg)));
}

/** Whether every FAPI profile allows `alg` (PS256, ES256). */
export function isEveryProfileSigningAlg(alg: unknown): alg is FapiSigningAlg {
  return typeof alg === 'string' && (everyProfileSigningAlgs() as readonly string[]).includes(alg);
}

export function isFapiSigningAlg(alg: unknown, profile: FapiProfile = 'fapi2'): alg is FapiSigningAlg {
  return typeof alg === 'string' && (ALGS_BY_PROFILE[profile] as readonly string[]).includes(alg);
}

export interface AlgCheckOptions {
  profile?: FapiProfile;
  /** A narrower list than the profile's, e.g. the algorithm a client registered. */
  allowed?: readonly FapiSigningAlg[];
}

/**
 * Throws (through `reject`) unless `alg` is one the profile allows. `what` names the JWT in the message
 * ("DPoP proof", "client assertion", …).
 */
export function assertFapiAlg(
  alg: unknown,
  what: string,
  reject: Reject,
  options: AlgCheckOptions = {},
): asserts alg is FapiSigningAlg {
  const profile = options.profile ?? 'fapi2';
  const allowed = options.allowed ?? ALGS_BY_PROFILE[profile];
  const list = allowed.join(', ');
  // RFC 7515 §4.1.1: every JWS names its algorithm.
  if (typeof alg !== 'string' || alg === '') {
    throw reject({
      description: `${what} has no 'alg' header`,
      clause: 'RFC 7515 §4.1.1',
      fix: `sign it with one of ${list} and put that name in the 'alg' header`,
    });
  }
  // FAPI 2.0 SP §5.4.1-1.3 / FAPI 1.0 Adv §8.6-3: an unsigned JWT proves nothing.
  if (alg.toLowerCase() === 'none') {
    throw reject({
      description: `${what} is unsigned (alg 'none')`,
      clause: `${NONE_CLAUSE[profile]}, RFC 8725 §3.1`,
      fix: `sign it with your private key using ${list}`,
    });
  }
  // FAPI 2.0 SP §5.4.1-1.2: only asymmetric signatures; a shared MAC key cannot identify the sender.
  if (/^HS\d+$/.test(alg)) {
    throw reject({
      description: `${what} uses the symmetric MAC algorithm '${alg}'; FAPI accepts only asymmetric signatures`,
      clause: ALG_CLAUSE[profile],
      fix: `sign it with your private key using ${list}`,
    });
  }
  // FAPI 2.0 SP §5.4.1-1.2 / FAPI 1.0 Adv §8.6-2: RSASSA-PKCS1-v1_5 (RS256…) is excluded.
  if (/^RS\d+$/.test(alg)) {
    throw reject({
      description: `${what} is signed with '${alg}' (RSASSA-PKCS1-v1_5), which FAPI does not accept`,
      clause: profile === 'fapi2' ? ALG_CLAUSE.fapi2 : 'FAPI 1.0 Adv §8.6-1/-2',
      fix: `sign with PS256 (RSASSA-PSS, same RSA key) or another of ${list}`,
    });
  }
  // FAPI 2.0 SP §5.4.1-1.2 / FAPI 1.0 Adv §8.6-1: nothing outside the profile's list (or the narrower one given).
  if (!(allowed as readonly string[]).includes(alg)) {
    throw reject({
      description: `${what} is signed with ${quote(alg, 20)}, which is not accepted here (only ${list})`,
      clause: ALG_CLAUSE[profile],
      fix: `sign it with ${list}`,
    });
  }
}

export interface KeyDescription {
  kty: 'RSA' | 'EC' | 'OKP' | 'oct' | 'unknown';
  /** RSA modulus length in bits. */
  modulusLength?: number;
  /** JOSE curve name: P-256, P-384, P-521, Ed25519, Ed448. */
  crv?: string;
}

const NODE_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/** The type, size and curve of a key, whichever form it comes in (CryptoKey, KeyObject or JWK). */
export function describeKey(key: AsymmetricKeyInput): KeyDescription {
  if (key instanceof KeyObject) {
    if (key.type === 'secret') return { kty: 'oct' };
    const details = key.asymmetricKeyDetails ?? {};
    switch (key.asymmetricKeyType) {
      case 'rsa':
      case 'rsa-pss':
        return { kty: 'RSA', modulusLength: details.modulusLength };
      case 'ec':
        return { kty: 'EC', crv: NODE_CURVES[details.namedCurve ?? ''] ?? details.namedCurve };
      case 'ed25519':
        return { kty: 'OKP', crv: 'Ed25519' };
      case 'ed448':
        return { kty: 'OKP', crv: 'Ed448' };
      default:
        return { kty: 'unknown' };
    }
  }
  if (isCryptoKey(key)) {
    const algorithm = key.algorithm as { name: string; modulusLength?: number; namedCurve?: string };
    if (key.type === 'secret') return { kty: 'oct' };
    if (algorithm.name.startsWith('RSA')) return { kty: 'RSA', modulusLength: algorithm.modulusLength };
    if (algorithm.name === 'ECDSA' || algorithm.name === 'ECDH')
      return { kty: 'EC', crv: algorithm.namedCurve };
    if (algorithm.name === 'Ed25519' || algorithm.name === 'Ed448')
      return { kty: 'OKP', crv: algorithm.name };
    return { kty: 'unknown' };
  }
  const jwk = key as JWK;
  switch (jwk.kty) {
    case 'RSA':
      return { kty: 'RSA', modulusLength: typeof jwk.n === 'string' ? modulusBits(jwk.n) : undefined };
    case 'EC':
      return { kty: 'EC', crv: jwk.crv };
    case 'OKP':
      return { kty: 'OKP', crv: jwk.crv };
    case 'oct':
      return { kty: 'oct' };
    default:
      return { kty: 'unknown' };
  }
}

// Node exposes the Web Crypto CryptoKey class as a global (not on `webcrypto`).
const CryptoKeyClass = (globalThis as { CryptoKey?: abstract new () => CryptoKey }).CryptoKey;

export function isCryptoKey(key: unknown): key is CryptoKey {
  return CryptoKeyClass !== undefined && key instanceof CryptoKeyClass;
}

function modulusBits(n: string): number | undefined {
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(n);
  } catch {
    return undefined;
  }
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  if (start === bytes.length) return 0;
  return (bytes.length - start - 1) * 8 + (32 - Math.clz32(bytes[start]!));
}

/**
 * Throws (through `reject`) unless `key` fits `alg` and the profile's key-size rules: PS256 needs RSA of at
 * least 2048 bits, ES256 an EC key on P-256, EdDSA an Ed25519 key.
 */
export function assertFapiKey(
  key: AsymmetricKeyInput,
  alg: FapiSigningAlg,
  what: string,
  reject: Reject,
  profile: FapiProfile = 'fapi2',
): void {
  const described = describeKey(key);
  if (alg === 'PS256') {
    // RFC 7518 §3.5: PS256 is an RSA signature.
    if (described.kty !== 'RSA') {
      throw reject({
        description: `${what} says alg 'PS256' but its key is ${article(described.kty)} key, not RSA`,
        clause: 'RFC 7518 §3.5',
        fix: "sign PS256 with an RSA key, or set 'alg' to match the key (ES256 for P-256, EdDSA for Ed25519)",
      });
    }
    // FAPI 2.0 SP §5.4.1-2 / FAPI 1.0 Part 1 §5.2.2-5: RSA keys of at least 2048 bits.
    if (described.modulusLength === undefined || described.modulusLength < 2048) {
      throw reject({
        description: `${what} is signed with a ${described.modulusLength ?? 'unknown'}-bit RSA key; FAPI requires at least 2048 bits`,
        clause: RSA_SIZE_CLAUSE[profile],
        fix: 'generate an RSA key of 2048 bits or more (or use ES256 with a P-256 key)',
      });
    }
    return;
  }
  if (alg === 'ES256') {
    // RFC 7518 §3.4: ES256 is ECDSA on P-256 (which meets FAPI 2.0 SP §5.4.1-3, ≥ 224 bits).
    if (described.kty !== 'EC' || described.crv !== 'P-256') {
      throw reject({
        description: `${what} says alg 'ES256' but its key is ${described.kty === 'EC' ? `on curve ${described.crv ?? 'unknown'}` : `${article(described.kty)} key`}, not EC P-256`,
        clause: 'RFC 7518 §3.4, FAPI 2.0 SP §5.4.1-3',
        fix: 'sign ES256 with an EC key on P-256',
      });
    }
    return;
  }
  // FAPI 2.0 SP §5.4.1-1.2: EdDSA only with the Ed25519 variant (RFC 9864 §2.2 names it `Ed25519`).
  if (described.kty !== 'OKP' || described.crv !== 'Ed25519') {
    throw reject({
      description: `${what} says alg '${alg}' but its key is ${described.kty === 'OKP' ? described.crv : `${article(described.kty)} key`}, not Ed25519`,
      clause: ALG_CLAUSE.fapi2,
      fix: `sign ${alg} with an Ed25519 key`,
    });
  }
}

function article(kty: KeyDescription['kty']): string {
  if (kty === 'unknown') return 'an unrecognised';
  if (kty === 'oct') return 'a symmetric (oct)';
  return kty === 'RSA' || kty === 'EC' || kty === 'OKP' ? `an ${kty}` : `a ${kty}`;
}
