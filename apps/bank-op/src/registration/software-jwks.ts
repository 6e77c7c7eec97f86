// The client's signing keys: the JWKS the directory publishes for the software (the SSA's
// software_jwks_uri), which becomes the client's jwks_uri. Checked once at registration so a client
// never registers with keys its profile would refuse later: RSA keys of at least 2048 bits, EC keys on
// P-256 or larger (FAPI 2.0 SP §5.4.1-2/3, FAPI 1.0 Part 1 §5.2.2-5/6), algorithms the profile allows.
import { createPublicKey } from 'node:crypto';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { JSONWebKeySet, JWK } from 'jose';
import { type Dispatcher, fetch as undiciFetch } from 'undici';
import { askDirectory } from '../participants/directory.js';
import type { ProfileDefinition } from '../profiles/index.js';

const MIN_RSA_BITS = 2048;
const ALLOWED_CURVES = new Set(['P-256', 'P-384', 'P-521', 'Ed25519']);

function invalidJwks(description: string, fix: string, clause: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_client_metadata', description, clause, fix });
}

function rsaBits(jwk: JWK): number {
  const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e } as never, format: 'jwk' });
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

/** Fetches the software's JWKS from the directory and checks every signing key against the profile. */
export async function checkSoftwareJwks(
  jwksUri: string,
  profile: ProfileDefinition,
  deps: { directoryOrigin: string; agent: Dispatcher },
): Promise<JSONWebKeySet> {
  if (new URL(jwksUri).origin !== deps.directoryOrigin) {
    throw invalidJwks(
      `The SSA's software_jwks_uri ${jwksUri} is not on the directory (${deps.directoryOrigin})`,
      'use an SSA issued by the sandbox directory',
      'OB DCR v3.3 §4.3',
    );
  }
  const response = await askDirectory(() =>
    undiciFetch(jwksUri, { dispatcher: deps.agent, headers: { accept: 'application/json' } }),
  );
  if (!response.ok) {
    throw invalidJwks(
      `The directory answered ${response.status} for the software's JWKS (${jwksUri})`,
      'check that the software statement is active in the directory',
      'RFC 7591 §2',
    );
  }
  const jwks = (await response.json()) as JSONWebKeySet;
  const signingKeys = (jwks.keys ?? []).filter((key) => key.use === undefined || key.use === 'sig');
  if (signingKeys.length === 0) {
    throw invalidJwks(
      "The software's JWKS has no signing keys",
      'upload a signing certificate (CSR) for the software to the directory',
      'RFC 7591 §2',
    );
  }

  const sizeClause =
    profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.4.1-2, §5.4.1-3' : 'FAPI 1.0 Part 1 §5.2.2-5, §5.2.2-6';
  const algClause = profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.4.1-1' : 'FAPI 1.0 Adv §8.6-1';
  for (const key of signingKeys) {
    if (key.kty === 'RSA' && rsaBits(key) < MIN_RSA_BITS) {
      throw invalidJwks(
        `Signing key ${key.kid ?? '(no kid)'} is RSA ${rsaBits(key)}; at least ${MIN_RSA_BITS} bits are required`,
        'replace it with an RSA 2048 (or larger) or a P-256 key',
        sizeClause,
      );
    }
    if ((key.kty === 'EC' || key.kty === 'OKP') && !ALLOWED_CURVES.has(String(key.crv))) {
      throw invalidJwks(
        `Signing key ${key.kid ?? '(no kid)'} uses curve ${String(key.crv)}`,
        'use P-256 (ES256)',
        sizeClause,
      );
    }
  }
  // Keys for other algorithms may sit beside them (the software serves several banks); the profile
  // refuses their signatures (provider/jwt-checks.ts), and at least one key must be usable.
  const usable = signingKeys.filter(
    (key) => key.alg === undefined || (profile.client.signingAlgs as readonly string[]).includes(key.alg),
  );
  if (usable.length === 0) {
    throw invalidJwks(
      `None of the software's signing keys is for ${profile.client.signingAlgs.join(', ')}`,
      `publish a key for one of ${profile.client.signingAlgs.join(', ')}`,
      algClause,
    );
  }
  return jwks;
}
