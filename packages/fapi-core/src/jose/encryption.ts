// JWE as the sandbox uses it: nested JWTs, signed then encrypted (RFC 7519 §11.2, OIDC Core §10.2),
// for request objects (RFC 9101 §6.1) and ID tokens. This is the one list of the algorithms: bank-op's
// enabledJWA and discovery, its registration checks, and the client engine read it.
//   key management: RSA-OAEP-256 (RFC 7518 §4.3) and ECDH-ES (§4.6), never RSA1_5 (RFC 8725 §3.2);
//   content encryption: A256GCM (§5.3).
import {
  CompactEncrypt,
  compactDecrypt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
} from 'jose';

export const keyManagementAlgs = ['RSA-OAEP-256', 'ECDH-ES'] as const;
export const contentEncryptionAlgs = ['A256GCM'] as const;

export type KeyManagementAlg = (typeof keyManagementAlgs)[number];
export type ContentEncryptionAlg = (typeof contentEncryptionAlgs)[number];

export const isKeyManagementAlg = (alg: unknown): alg is KeyManagementAlg =>
  (keyManagementAlgs as readonly unknown[]).includes(alg);
export const isContentEncryptionAlg = (enc: unknown): enc is ContentEncryptionAlg =>
  (contentEncryptionAlgs as readonly unknown[]).includes(enc);

/** A compact JWE has five parts (RFC 7516 §7.1), a compact JWS three. */
export const isCompactJwe = (token: unknown): token is string =>
  typeof token === 'string' && token.split('.').length === 5;

/** The protected header of a compact JWE, or undefined when `token` is not one. */
export function jweHeaderOf(token: unknown): JWTHeaderParameters | undefined {
  if (!isCompactJwe(token)) return undefined;
  try {
    return decodeProtectedHeader(token) as JWTHeaderParameters;
  } catch {
    return undefined;
  }
}

/** The recipient's public encryption key for `alg` in a JWKS (use "enc", RFC 7517 §4.2). */
export function encryptionKeyFor(jwks: { keys: JWK[] }, alg: KeyManagementAlg): JWK | undefined {
  return jwks.keys.find((key) => key.use === 'enc' && key.alg === alg);
}

/**
 * Encrypts a signed JWT to the recipient's key: the nested JWT of RFC 7519 §11.2, with cty "JWT"
 * (RFC 7519 §5.2) so the recipient knows a JWS is inside.
 */
export async function encryptNestedJwt(
  signedJwt: string,
  recipientKey: JWK,
  enc: ContentEncryptionAlg = 'A256GCM',
): Promise<string> {
  if (!isKeyManagementAlg(recipientKey.alg)) {
    throw new Error(
      `key ${recipientKey.kid} is for ${recipientKey.alg}, not ${keyManagementAlgs.join(' or ')}`,
    );
  }
  const key = await importJWK(recipientKey, recipientKey.alg);
  return new CompactEncrypt(new TextEncoder().encode(signedJwt))
    .setProtectedHeader({ alg: recipientKey.alg, enc, kid: recipientKey.kid, cty: 'JWT' })
    .encrypt(key);
}

/**
 * Decrypts a nested JWT with the recipient's private keys (use enc): the key the header's kid (or, without
 * one, its alg) names, and only fapi-core's algorithms. Returns the inner JWS and the JWE protected header.
 */
export async function decryptNestedJwt(
  jwe: string,
  privateKeys: { keys: JWK[] },
): Promise<{ jws: string; header: JWTHeaderParameters; key: JWK }> {
  const header = decodeProtectedHeader(jwe) as JWTHeaderParameters;
  const key = privateKeys.keys.find(
    (candidate) =>
      candidate.use === 'enc' &&
      candidate.alg === header.alg &&
      (header.kid === undefined || candidate.kid === header.kid),
  );
  if (!key || !isKeyManagementAlg(key.alg)) {
    throw new Error(
      `no private key with use enc for alg ${String(header.alg)} and kid ${String(header.kid)}`,
    );
  }
  const { plaintext } = await compactDecrypt(jwe, await importJWK(key, key.alg), {
    keyManagementAlgorithms: [...keyManagementAlgs],
    contentEncryptionAlgorithms: [...contentEncryptionAlgs],
  });
  return { jws: new TextDecoder().decode(plaintext), header, key };
}
