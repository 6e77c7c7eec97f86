// DPoP proof keys (RFC 9449 §4.2 `jwk` header) seen recently: a client signs every proof with the same key,
// so its import and its RFC 7638 thumbprint are worked out once, not at every request. Keys are told apart
// by the canonical JSON of the WHOLE JWK, every member, so two keys that differ in any member (another
// `y`, a `use` or `alg` that jose refuses) never share an entry. Nothing is verified here: the proof's
// signature, and jose's checks of the JWK against the algorithm, still run on every request.
import type { JWK } from 'jose';
import { Lru } from '../lru.js';
import { jwkThumbprint } from './thumbprint.js';

export interface ProofKey {
  /**
   * The JWK as one object per distinct key. jose keeps each JWK object's imported key (a WeakMap on the
   * object), so handing it the same object again reuses the import; it is dropped with the entry.
   */
  jwk: JWK;
  /** RFC 7638 thumbprint of the key (`jkt`). */
  thumbprint(): Promise<string>;
}

/** Distinct proof keys remembered: far more clients than a sandbox has, a bounded cost for any sender. */
const REMEMBERED_KEYS = 1000;
const recent = new Lru<string, ProofKey>(REMEMBERED_KEYS);

/** JSON with object members in sorted order at every level: equal JWKs give equal text, whatever the order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonicalJson((value as Record<string, unknown>)[name])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The remembered entry for this exact JWK, or a new one. */
export function proofKeyOf(jwk: JWK): ProofKey {
  const id = canonicalJson(jwk);
  const known = recent.get(id);
  if (known) return known;
  const own = JSON.parse(id) as JWK;
  let thumbprint: Promise<string> | undefined;
  const entry: ProofKey = {
    jwk: own,
    thumbprint() {
      if (!thumbprint) {
        thumbprint = jwkThumbprint(own);
        // A failed thumbprint (a malformed key) is not remembered: the next request computes it again.
        thumbprint.catch(() => {
          thumbprint = undefined;
        });
      }
      return thumbprint;
    },
  };
  recent.set(id, entry);
  return entry;
}
