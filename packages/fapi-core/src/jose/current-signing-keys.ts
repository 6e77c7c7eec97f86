// A participant's signing keys that follow their file, as CurrentTransportAgent follows the transport
// certificate: when the directory reissues a fixture participant's signing certificate (a new key with a new
// kid written over certs/participants/<slug>/signing.private.jwks.json), a long-running party such as the
// demo TPP signs with the new key at its next use, with no restart. The bank finds the new kid in the
// software's JWKS (RFC 7515 §4.1.4; OIDC Core §10.1.1 key rotation).
import { stampOf } from '../current-transport-agent.js';
import type { FapiProfile } from './algorithms.js';
import { loadSigningKeys, type SigningKeySet } from './keys.js';

/** The keys in `file` now: read again only when the file changed (the directory rewrites it atomically). */
export function currentSigningKeys(
  file: string,
  options: { profile?: FapiProfile } = {},
): () => Promise<SigningKeySet> {
  let loaded: { stamp: string; keys: Promise<SigningKeySet> } | undefined;
  return () => {
    const stamp = stampOf([file]);
    if (loaded?.stamp !== stamp) {
      const keys = loadSigningKeys(file, options);
      // A file that fails to load is read again at the next use, not remembered as broken.
      keys.catch(() => {
        if (loaded?.keys === keys) loaded = undefined;
      });
      loaded = { stamp, keys };
    }
    return loaded.keys;
  };
}
