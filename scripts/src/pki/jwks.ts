// JSON Web Key Sets. Each key is named by its RFC 7638 thumbprint, so a kid can be recomputed from the
// key itself and never collides; participants' keys carry x5c so a verifier can check who vouches for them.
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { generateKeyPair, type SandboxKeyPair } from './keys.js';
import type { x509 } from './x509.js';

export interface Jwks {
  keys: JWK[];
}

export interface SigningKeyInput {
  pair: SandboxKeyPair;
  /** Certificate of this key first, then its issuers (RFC 7517 §4.7); omitted for keys nobody certifies. */
  certificateChain?: x509.X509Certificate[];
}

export interface JwksPair {
  privateJwks: Jwks;
  publicJwks: Jwks;
}

/** x5c entries are standard base64 DER, not base64url (RFC 7517 §4.7). */
function x5cOf(chain: x509.X509Certificate[]): string[] {
  return chain.map((certificate) => Buffer.from(certificate.rawData).toString('base64'));
}

async function jwkPair(input: SigningKeyInput): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  const { pair, certificateChain } = input;
  const publicMembers = await exportJWK(pair.keys.publicKey);
  const kid = await calculateJwkThumbprint(publicMembers, 'sha256');
  const header = { kid, alg: pair.alg, use: 'sig' };
  const x5c = certificateChain ? { x5c: x5cOf(certificateChain) } : {};
  const privateMembers = await exportJWK(pair.keys.privateKey);
  return {
    privateJwk: { ...header, ...privateMembers, ...x5c },
    publicJwk: { ...header, ...publicMembers, ...x5c },
  };
}

export async function buildJwks(inputs: SigningKeyInput[]): Promise<JwksPair> {
  const pairs = await Promise.all(inputs.map(jwkPair));
  return {
    privateJwks: { keys: pairs.map((p) => p.privateJwk) },
    publicJwks: { keys: pairs.map((p) => p.publicJwk) },
  };
}

/** A private JWKS with a PS256 and an ES256 key, for a party that signs JWTs or messages (no certificates). */
export async function serviceSigningJwks(): Promise<Jwks> {
  const pairs = await Promise.all([generateKeyPair('PS256'), generateKeyPair('ES256')]);
  return (await buildJwks(pairs.map((pair) => ({ pair })))).privateJwks;
}
