// Moneywise as one registered client on one connection: the engine's RegisteredClient (how it
// authenticates, over which TLS client, what its tokens are bound to) plus the profile it connected
// with and the bank's metadata.
import {
  bankRequestObjectKey,
  DpopNonces,
  dpopKeyFrom,
  newDpopPrivateJwk,
  type RegisteredClient,
  SIGNING_ALG,
  usesMutualTls,
} from '@fapi-sandbox/fapi-client';
import type { DpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import type { KeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { JarmDecryption } from '@fapi-sandbox/fapi-core/jose/jarm';
import type { SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import type { JWK } from 'jose';
import type { Dispatcher } from 'undici';
import type { BankMetadata } from '../onboarding/bank-metadata.js';
import type { ClientAuthMethod, ConnectionProfile } from './profiles.js';

export { DpopNonces, newDpopPrivateJwk };

export interface BoundClient extends RegisteredClient {
  profile: ConnectionProfile;
  bank: BankMetadata;
  dpopKey?: DpopKey;
  /** OIDC Core §10.2: when registered for encrypted ID tokens, the private keys that decrypt them. */
  idTokenDecryptionKeys?: { keys: JWK[] };
  /** JARM §2.2: when registered for encrypted JARM responses, what was registered and the keys to decrypt. */
  jarmDecryption?: JarmDecryption;
}

export async function createBoundClient(input: {
  clientId: string;
  profile: ConnectionProfile;
  clientAuth: ClientAuthMethod;
  bank: BankMetadata;
  signingKeys: SigningKeySet;
  transportAgent: Dispatcher;
  webAgent: Dispatcher;
  transportThumbprint: string;
  dpopPrivateJwk?: JWK;
  /** RFC 9101 §6.1: encrypt request objects to the bank's key for this algorithm. */
  requestObjectEncryption?: KeyManagementAlg;
  idTokenDecryptionKeys?: { keys: JWK[] };
  jarmDecryption?: JarmDecryption;
  /** Shared across the TPP: the last nonce each server sent. */
  nonces: DpopNonces;
}): Promise<BoundClient> {
  const { profile, clientAuth, bank } = input;
  const mutualTls = usesMutualTls(profile, clientAuth);
  const dpopKey =
    profile.senderConstraint === 'dpop'
      ? await dpopKeyFrom(input.dpopPrivateJwk ?? (await newDpopPrivateJwk()))
      : undefined;

  return {
    clientId: input.clientId,
    issuer: bank.metadata.issuer,
    profile,
    clientAuth,
    bank,
    endpoint: (name) => bank.endpoint(name, mutualTls),
    opDispatcher: mutualTls ? input.transportAgent : input.webAgent,
    // bank-api's listener always asks for a certificate; the transport certificate identifies the TPP.
    apiDispatcher: input.transportAgent,
    signingKey: input.signingKeys.forAlg(SIGNING_ALG),
    ...(input.requestObjectEncryption
      ? {
          requestObjectEncryptionKey: bankRequestObjectKey(
            bank.metadata,
            bank.jwks,
            input.requestObjectEncryption,
          ),
        }
      : {}),
    ...(input.idTokenDecryptionKeys ? { idTokenDecryptionKeys: input.idTokenDecryptionKeys } : {}),
    ...(input.jarmDecryption ? { jarmDecryption: input.jarmDecryption } : {}),
    authorizationScheme: dpopKey ? 'DPoP' : 'Bearer',
    // FAPI 1.0 Part 1 §6.2.1-2: a Baseline client's token is a bearer token, with no cnf to expect.
    expectedCnf: dpopKey
      ? { jkt: dpopKey.jkt }
      : profile.senderConstraint === 'none'
        ? null
        : { 'x5t#S256': input.transportThumbprint },
    ...(dpopKey ? { dpopKey, dpop: { key: dpopKey, nonces: input.nonces } } : {}),
  };
}
