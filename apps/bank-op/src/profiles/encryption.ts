// Encrypted request objects, ID tokens and JARM responses, whatever FAPI profile a client registered for:
// nested JWTs, signed by the client and then encrypted to the bank's published key (and back, for ID
// tokens and JARM responses).
// One line per rule, as in ecosystem.ts; enforced by oidc-provider (features.encryption) and bank-op.
import { contentEncryptionAlgs, keyManagementAlgs } from '@fapi-sandbox/fapi-core/jose/encryption';
import { bankOp, both, type Rule } from './rule.js';

const ACCEPTED = `${keyManagementAlgs.join(' or ')} with ${contentEncryptionAlgs.join(', ')}`;

export const encryptionRules: readonly Rule[] = [
  {
    id: 'request-object-encryption',
    clause: 'RFC 9101 §6.1, RFC 7516 §5.2',
    requirement: `An encrypted request object is a JWE to a key the bank publishes with use enc (${ACCEPTED}); it is decrypted with the bank's key, then its signature is verified`,
    enforcedBy: both(
      'features.encryption, enabledJWA.requestObjectEncryption*',
      'provider/request-object-encryption.ts',
    ),
    fix: `encrypt the signed request object with ${ACCEPTED} to a key with use enc from the bank's jwks_uri, naming its kid`,
    violations: [{ error: 'invalid_request_object', message: /^could not decrypt request object$/ }],
  },
  {
    id: 'request-object-nested-jwt',
    clause: 'OIDC Core §10.2, RFC 9101 §6.1',
    requirement:
      'An encrypted request object holds a signed JWT (sign, then encrypt): encryption hides the request, only the signature proves who sent it',
    enforcedBy: bankOp('provider/request-object-encryption.ts'),
    fix: 'sign the request object with your registered key first (PS256 or ES256), then encrypt that JWS',
  },
  {
    id: 'request-object-encryption-registered',
    clause: 'OIDC Registration §2 (request_object_encryption_alg), RFC 9101 §6.1',
    requirement:
      'A client that registered request_object_encryption_alg and _enc sends every request object encrypted with exactly those',
    enforcedBy: bankOp('provider/request-object-encryption.ts'),
    fix: 'encrypt the request object with the alg and enc this client registered, or update the registration (RFC 7592) to drop request_object_encryption_alg',
    violations: [{ error: 'invalid_request_object', message: /registered request_object_encryption_alg/ }],
  },
  {
    id: 'id-token-encryption',
    clause: 'OIDC Core §10.2, OIDC Registration §2 (id_token_encrypted_response_alg)',
    requirement: `A client that registered id_token_encrypted_response_alg gets its ID tokens signed by the bank, then encrypted to the client's key with use enc (${ACCEPTED})`,
    enforcedBy: both('features.encryption', 'registration/metadata-checks/encryption.ts'),
    fix: `register id_token_encrypted_response_alg ${keyManagementAlgs.join(' or ')} and _enc ${contentEncryptionAlgs.join(', ')} only with a key of that alg and use enc in the software JWKS`,
  },
  {
    id: 'authorization-response-encryption',
    clause: 'JARM §2.2, JARM §3 (authorization_encrypted_response_alg), OIDC Registration §2',
    requirement: `A client that registered authorization_encrypted_response_alg gets its JARM responses signed by the bank, then encrypted to the client's key with use enc (${ACCEPTED}): the code and state cross the browser unreadable`,
    enforcedBy: both(
      'features.encryption, features.jwtResponseModes',
      'registration/metadata-checks/encryption.ts',
    ),
    fix: `register authorization_encrypted_response_alg ${keyManagementAlgs.join(' or ')} and _enc ${contentEncryptionAlgs.join(', ')} only with a key of that alg and use enc in the software JWKS, and ask for response_mode=jwt`,
  },
];
