// Encrypted request objects, client side (RFC 9101 §6.1, OIDC Core §10.2): the client signs its request
// object, then encrypts it to a key the bank publishes for that purpose. The bank's discovery document
// must list the algorithms (OIDC Discovery §3 request_object_encryption_*_values_supported) and its
// JWKS a key with that alg and use enc (RFC 7517 §4.2); otherwise the client does not guess.

import fs from 'node:fs';
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import {
  type ContentEncryptionAlg,
  contentEncryptionAlgs,
  encryptionKeyFor,
  type KeyManagementAlg,
} from '@fapi-sandbox/fapi-core/jose/encryption';
import type { JSONWebKeySet, JWK } from 'jose';
import type { OpMetadata } from './discovery.js';

/** The bank's public key to encrypt request objects to with `alg`, or an error naming what is missing. */
export function bankRequestObjectKey(
  bank: OpMetadata,
  jwks: JSONWebKeySet,
  alg: KeyManagementAlg,
  enc: ContentEncryptionAlg = contentEncryptionAlgs[0],
): JWK {
  const advertised = bank as Record<string, unknown>;
  const algs = advertised.request_object_encryption_alg_values_supported;
  const encs = advertised.request_object_encryption_enc_values_supported;
  if (!Array.isArray(algs) || !algs.includes(alg) || !Array.isArray(encs) || !encs.includes(enc)) {
    throw new Error(
      `the bank does not advertise request object encryption with ${alg}/${enc} (OIDC Discovery §3, RFC 9101 §6.1)`,
    );
  }
  const key = encryptionKeyFor(jwks as { keys: JWK[] }, alg);
  if (!key) throw new Error(`the bank's JWKS has no key with alg ${alg} and use enc (RFC 7517 §4.2)`);
  return key;
}

/** The participant's private encryption keys (use enc), for ID tokens encrypted to it (OIDC Core §10.2). */
export function participantDecryptionKeys(participant: Participant): { keys: JWK[] } {
  const file = participant.encryptionJwks;
  if (!file || !fs.existsSync(file))
    throw new Error(`${participant.clientName} has no encryption keys (certs: pnpm pki:ensure)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: JWK[] };
}
