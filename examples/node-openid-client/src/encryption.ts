// Encryption on top of signing (JWE, RFC 7516), both directions, with openid-client and jose:
//   - request objects: signed by the client, then encrypted to the bank's published key (RFC 9101 §6.1),
//     so the browser, its extensions and any log on the way see only the JWE header;
//   - ID tokens: signed by the bank, then encrypted to the client's key (OIDC Core §10.2), which the
//     directory publishes in the software JWKS (use enc) from the client bundle;
//   - JARM responses: the same, for the authorization response (JARM §2.2): the code and state cross the
//     browser unreadable.
// Key management RSA-OAEP-256 (RFC 7518 §4.3) or ECDH-ES (§4.6); content encryption A256GCM (§5.3).
import {
  CompactEncrypt,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type ProtectedHeaderParameters,
} from 'jose';
import * as oidc from 'openid-client';
import type { ClientBundle } from './bundle.js';

export const KEY_MANAGEMENT_ALGS = ['RSA-OAEP-256', 'ECDH-ES'] as const;
export type KeyManagementAlg = (typeof KEY_MANAGEMENT_ALGS)[number];
export const CONTENT_ENCRYPTION = 'A256GCM';

const isJwe = (token: unknown): token is string => typeof token === 'string' && token.split('.').length === 5;

/** The bank's public key to encrypt request objects to: advertised (OIDC Discovery §3) and published (use enc). */
export async function bankEncryptionKey(
  config: oidc.Configuration,
  alg: KeyManagementAlg,
  customFetch: oidc.CustomFetch,
): Promise<JWK> {
  const bank = config.serverMetadata();
  if (
    !bank.request_object_encryption_alg_values_supported?.includes(alg) ||
    !bank.request_object_encryption_enc_values_supported?.includes(CONTENT_ENCRYPTION)
  ) {
    throw new Error(
      `the bank does not advertise request object encryption with ${alg}/${CONTENT_ENCRYPTION} (OIDC Discovery §3, RFC 9101 §6.1)`,
    );
  }
  const response = await customFetch(bank.jwks_uri!, {
    method: 'GET',
    headers: { accept: 'application/json' },
    body: undefined,
    redirect: 'manual',
  } as oidc.CustomFetchOptions);
  const { keys } = (await response.json()) as { keys: JWK[] };
  const key = keys.find((candidate) => candidate.use === 'enc' && candidate.alg === alg);
  if (!key) throw new Error(`the bank's JWKS has no key with alg ${alg} and use enc (RFC 7517 §4.2)`);
  return key;
}

/** A nested JWT (RFC 7519 §11.2): the signed request object encrypted to the bank's key, cty "JWT". */
export async function encryptRequestObject(signed: string, bankKey: JWK): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(signed))
    .setProtectedHeader({ alg: bankKey.alg!, enc: CONTENT_ENCRYPTION, kid: bankKey.kid!, cty: 'JWT' })
    .encrypt(await importJWK(bankKey, bankKey.alg));
}

/** The bundle's private encryption key for `alg`, or an error saying how to get a bundle that has one. */
export function clientEncryptionKey(bundle: ClientBundle, alg: KeyManagementAlg): JWK & { kid: string } {
  const key = bundle.encryption?.privateJwks.keys.find((k) => k.use === 'enc' && k.alg === alg);
  if (!key?.kid) {
    throw new Error(
      `the bundle has no ${alg} encryption key (encryption.privateJwks): download a new bundle from the directory's developer portal`,
    );
  }
  return key as JWK & { kid: string };
}

/**
 * openid-client decrypts encrypted ID tokens and JARM responses with the bundle's keys before it checks
 * them (one call: each registered alg's key, A256GCM only).
 */
export async function decryptResponsesWith(config: oidc.Configuration, keys: (JWK & { kid: string })[]) {
  const unique = keys.filter((key, at) => keys.findIndex((other) => other.kid === key.kid) === at);
  oidc.enableDecryptingResponses(
    config,
    [CONTENT_ENCRYPTION],
    ...(await Promise.all(
      unique.map(async (key) => ({
        key: (await importJWK(key, key.alg)) as oidc.CryptoKey,
        alg: key.alg as KeyManagementAlg,
        kid: key.kid,
      })),
    )),
  );
}

/**
 * OIDC Core §10.2, OIDC Registration §2: a client that registered id_token_encrypted_response_alg takes
 * only an encrypted ID token; one in clear was readable by everyone it passed through, so it is refused
 * (openid-client decrypts a JWE but would accept a JWS). Returns the JWE protected header.
 */
export function requireEncryptedIdToken(idToken: string | undefined): ProtectedHeaderParameters {
  if (!isJwe(idToken)) {
    throw new Error(
      'the bank sent the ID token in clear (a JWS), though this client registered id_token_encrypted_response_alg: refused (OIDC Core §10.2, OIDC Registration §2)',
    );
  }
  return decodeProtectedHeader(idToken);
}

/**
 * JARM §2.2, §3: a client that registered authorization_encrypted_response_alg takes only an encrypted JARM
 * response; one in clear showed the code and state to the browser and everything it passed through, so it
 * is refused (openid-client decrypts a JWE but would accept a JWS). Returns the JWE protected header.
 */
export function requireEncryptedJarm(callback: URL): ProtectedHeaderParameters {
  const response = callback.searchParams.get('response') ?? undefined;
  if (!isJwe(response)) {
    throw new Error(
      'the bank sent the JARM response in clear (a JWS), though this client registered authorization_encrypted_response_alg: refused (JARM §2.2, §3)',
    );
  }
  return decodeProtectedHeader(response);
}
