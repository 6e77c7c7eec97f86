// OIDC Registration §2: a client may register that it encrypts its request objects
// (request_object_encryption_alg/enc) and wants its ID tokens and JARM responses encrypted
// (id_token_encrypted_response_alg/enc, authorization_encrypted_response_alg/enc). Only fapi-core's
// algorithms (RFC 7518 §4.3, §4.6, §5.3); an _enc needs its _alg; the bank encrypts to the client only
// when the software JWKS holds a key of that alg with use enc (RFC 7517 §4.2).
import {
  contentEncryptionAlgs,
  encryptionKeyFor,
  isContentEncryptionAlg,
  isKeyManagementAlg,
  keyManagementAlgs,
} from '@fapi-sandbox/fapi-core/jose/encryption';
import type { JWK } from 'jose';
import { invalidMetadata, type MetadataCheck, optionalString } from './context.js';

const CLAUSE = 'OIDC Registration §2, RFC 9101 §6.1';

/** Each pair of metadata, and whether the bank encrypts to the client (needs the client's key). */
const PAIRS = [
  { alg: 'request_object_encryption_alg', enc: 'request_object_encryption_enc', toClient: false },
  { alg: 'id_token_encrypted_response_alg', enc: 'id_token_encrypted_response_enc', toClient: true },
  {
    alg: 'authorization_encrypted_response_alg',
    enc: 'authorization_encrypted_response_enc',
    toClient: true,
  },
] as const;

export const encryption: MetadataCheck = {
  name: 'encryption of request objects, ID tokens and JARM responses',
  run({ request, softwareJwks, metadata }) {
    for (const pair of PAIRS) {
      const alg = optionalString(request, pair.alg);
      const enc = optionalString(request, pair.enc);
      if (alg === undefined) {
        if (enc !== undefined) {
          throw invalidMetadata(`${pair.enc} is set without ${pair.alg}`, CLAUSE, `send ${pair.alg} too`);
        }
        continue;
      }
      if (!isKeyManagementAlg(alg)) {
        throw invalidMetadata(
          `${pair.alg} ${alg} is not an algorithm this bank accepts`,
          `${CLAUSE}, RFC 7518 §4`,
          `use one of ${keyManagementAlgs.join(', ')}`,
        );
      }
      if (enc !== undefined && !isContentEncryptionAlg(enc)) {
        throw invalidMetadata(
          `${pair.enc} ${enc} is not an algorithm this bank accepts`,
          `${CLAUSE}, RFC 7518 §5`,
          `use ${contentEncryptionAlgs.join(', ')}`,
        );
      }
      if (pair.toClient && !encryptionKeyFor(softwareJwks as { keys: JWK[] }, alg)) {
        throw invalidMetadata(
          `${pair.alg} ${alg} needs a key with alg ${alg} and use enc in the software JWKS, which has none`,
          'OIDC Core §10.2, RFC 7517 §4.2',
          'add an encryption key to the software at the directory, or register without encryption',
        );
      }
      metadata[pair.alg] = alg;
      // OIDC Registration §2: the _enc defaults to A128CBC-HS256, which the bank does not offer.
      metadata[pair.enc] = enc ?? contentEncryptionAlgs[0];
    }
  },
};
