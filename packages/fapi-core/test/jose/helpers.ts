// Test helpers: catching the OAuthError a check throws, and signing JWTs the helpers under test would
// refuse to produce (RS256, `none`, 1024-bit RSA, chosen headers and claims).
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type CryptoKey, type JWK, type JWTPayload, SignJWT } from 'jose';
import { expect } from 'vitest';
import { OAuthError } from '../../src/errors.js';

/** Runs `action`, expects it to throw an OAuthError, and returns it. */
export async function oauthError(action: Promise<unknown> | (() => unknown)): Promise<OAuthError> {
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError);
    return err as OAuthError;
  }
  throw new Error('expected an OAuthError, but nothing was thrown');
}

/** Signs `claims` with any header jose supports. */
export function signJwt(
  header: Record<string, unknown> & { alg: string },
  claims: JWTPayload,
  key: CryptoKey | KeyObject | JWK | Uint8Array,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned JWT: `alg: none` and an empty signature. */
export function unsignedJwt(header: Record<string, unknown>, claims: JWTPayload): string {
  return `${b64({ ...header, alg: 'none' })}.${b64(claims)}.`;
}

/** A 1024-bit RSA key pair (jose refuses to generate or sign with one). */
export function weakRsaKey(): { privateKey: KeyObject; publicJwk: JWK } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return { privateKey, publicJwk: publicKey.export({ format: 'jwk' }) as JWK };
}

/** A real PS256 signature made with node:crypto, for keys jose will not sign with. */
export function signPs256WithNodeKey(
  header: Record<string, unknown>,
  claims: JWTPayload,
  privateKey: KeyObject,
): string {
  const input = `${b64({ ...header, alg: 'PS256' })}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  });
  return `${input}.${signature.toString('base64url')}`;
}

/** A fixed clock: 2025-06-01T12:00:00Z, shifted by `offsetSeconds`. */
export const NOW_MS = Date.UTC(2025, 5, 1, 12, 0, 0);
export const NOW = NOW_MS / 1000;
export const clock =
  (offsetSeconds = 0) =>
  () =>
    NOW_MS + offsetSeconds * 1000;
