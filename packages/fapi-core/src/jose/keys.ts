// A party's signing keys: a private JWK Set (RFC 7517 §5) as the sandbox PKI writes it (every key with
// `kid`, `alg`, `use: "sig"` and its certificate chain in `x5c`), checked against the FAPI algorithm and
// key-size rules (FAPI 2.0 SP §5.4.1), the key for an algorithm picked by name, and the public half published.
import fs from 'node:fs/promises';
import { type CryptoKey, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import {
  type AsymmetricKeyInput,
  assertFapiAlg,
  assertFapiKey,
  type FapiProfile,
  type FapiSigningAlg,
} from './algorithms.js';
import { rejectMisuse } from './reject.js';

/** A private key and the algorithm it signs with: what every `create…` helper takes. */
export interface SigningKey {
  key: AsymmetricKeyInput;
  alg: FapiSigningAlg;
  /** Put in the JWS header so the verifier can select the key from the signer's JWKS. */
  kid?: string;
}

export interface LoadedSigningKey extends SigningKey {
  kid: string;
  key: CryptoKey;
  /** The public half, as published in the JWKS (with `x5c` when the PKI issued a certificate). */
  publicJwk: JWK;
}

export interface SigningKeySet {
  readonly keys: readonly LoadedSigningKey[];
  /** The key that signs with `alg` (the one with `kid`, if given). Throws if there is none. */
  forAlg(alg: FapiSigningAlg, kid?: string): LoadedSigningKey;
  /** The public JWK Set to publish (jwks_uri, software statement, client registration). */
  publicJwks(): JSONWebKeySet;
  /** A copy of the private JWK Set, for libraries that take JWKs (oidc-provider's `jwks`). */
  privateJwks(): JSONWebKeySet;
}

/** RFC 7517 §9.3 / RFC 7518 §6.2.2, §6.3.2, §6.4: members that only a private or symmetric key has. */
export const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** The public half of a JWK: private members and `key_ops` (which would say "sign") removed. */
export function toPublicJwk(jwk: JWK): JWK {
  const copy: Record<string, unknown> = { ...jwk };
  for (const member of PRIVATE_JWK_MEMBERS) delete copy[member];
  delete copy.key_ops;
  delete copy.ext;
  return copy as JWK;
}

/** Reads a private JWKS file. A missing file names the command that creates it. */
export async function loadSigningKeys(
  file: string,
  options: { profile?: FapiProfile } = {},
): Promise<SigningKeySet> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${file} does not exist. Generate the sandbox PKI first: pnpm pki`);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not JSON; regenerate it with: pnpm pki`);
  }
  return signingKeysFromJwks(json, { source: file, profile: options.profile });
}

/** Imports a private JWK Set (already parsed) and checks every signing key against the FAPI rules. */
export async function signingKeysFromJwks(
  jwks: unknown,
  options: { source?: string; profile?: FapiProfile } = {},
): Promise<SigningKeySet> {
  const source = options.source ?? 'JWKS';
  const profile = options.profile ?? 'fapi2';
  const members = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(members) || members.length === 0) {
    throw new Error(`${source} has no "keys" array (RFC 7517 §5)`);
  }
  const all = members as JWK[];
  const loaded: LoadedSigningKey[] = [];
  for (const [index, jwk] of all.entries()) {
    // RFC 7517 §4.2: keys meant for encryption are published but never sign.
    if (jwk.use === 'enc') continue;
    const what = `${source} key #${index}${typeof jwk.kid === 'string' ? ` (kid ${jwk.kid})` : ''}`;
    // RFC 7517 §4.5: the verifier picks the key by kid, so every signing key has one.
    if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new Error(`${what} has no kid (RFC 7517 §4.5)`);
    // RFC 7517 §4.4: the PKI pins each key to one algorithm; FAPI 2.0 SP §5.4.1 limits which.
    assertFapiAlg(jwk.alg, what, rejectMisuse, { profile });
    if (typeof jwk.d !== 'string') throw new Error(`${what} is not a private key (no "d" member)`);
    assertFapiKey(jwk, jwk.alg, what, rejectMisuse, profile);
    const key = (await importJWK(jwk, jwk.alg)) as CryptoKey;
    loaded.push({ kid: jwk.kid, alg: jwk.alg, key, publicJwk: toPublicJwk(jwk) });
  }
  if (loaded.length === 0) throw new Error(`${source} has no signing keys (every key has use "enc")`);
  const kids = new Set(loaded.map((k) => k.kid));
  // FAPI 2.0 SP §5.4.3 / FAPI 1.0 Adv §8.11: one key per kid, so verifiers select unambiguously.
  if (kids.size !== loaded.length) throw new Error(`${source} has two signing keys with the same kid`);

  return {
    keys: loaded,
    forAlg(alg, kid) {
      const found = loaded.find((k) => k.alg === alg && (kid === undefined || k.kid === kid));
      if (!found) {
        const have = loaded.map((k) => `${k.kid} (${k.alg})`).join(', ');
        throw new Error(
          `${source} has no ${alg} signing key${kid ? ` with kid ${kid}` : ''}; it has ${have}`,
        );
      }
      return found;
    },
    publicJwks() {
      return { keys: all.map((jwk) => toPublicJwk(jwk)) };
    },
    privateJwks() {
      return structuredClone({ keys: all });
    },
  };
}
