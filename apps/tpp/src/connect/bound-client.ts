// Moneywise as one registered client on one connection: how it authenticates to the bank
// (private_key_jwt or tls_client_auth), over which transport, and how it proves possession of what its
// tokens are bound to (a DPoP key, or the transport certificate).
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { createDpopProof, type DpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import type { SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import { jwkThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Dispatcher } from 'undici';
import type { BankMetadata, EndpointName } from '../onboarding/bank-metadata.js';
import { SIGNING_ALG } from '../onboarding/client-metadata.js';
import { type ClientAuthMethod, type ConnectionProfile, usesMutualTls } from './profiles.js';

export interface BoundClient {
  clientId: string;
  profile: ConnectionProfile;
  clientAuth: ClientAuthMethod;
  bank: BankMetadata;
  /** The URL of a bank-op endpoint this client must call (the mTLS alias when it uses mutual TLS). */
  endpoint(name: EndpointName): string;
  /** The dispatcher for bank-op's back-channel endpoints: with the transport certificate when needed. */
  opDispatcher: Dispatcher;
  /** bank-api's listener always asks for a certificate; the transport certificate identifies the TPP. */
  apiDispatcher: Dispatcher;
  /** Client authentication form parameters (RFC 7521 §4.2 assertion, or just client_id for RFC 8705 §2). */
  authenticationParams(): Promise<Record<string, string>>;
  /** RFC 9449 §4: the DPoP header for one request (none for mTLS-bound clients). */
  proofHeaders(method: string, url: string, accessToken?: string): Promise<Record<string, string>>;
  /** RFC 9449 §8/§9: the nonce a server asked for, used in every later proof to that server. */
  rememberNonce(url: string, nonce: string): void;
  /** The Authorization scheme of this client's access tokens (RFC 9449 §7.1: DPoP; RFC 6750: Bearer). */
  authorizationScheme: 'DPoP' | 'Bearer';
  /** What the bank should put in cnf: the DPoP key's jkt or the certificate's x5t#S256. */
  expectedCnf: { jkt: string } | { 'x5t#S256': string };
  dpopKey?: DpopKey;
}

/** An extractable ES256 key pair (kept in the TPP's store so a connection outlives a restart). */
export async function newDpopPrivateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), alg: 'ES256' };
}

export async function dpopKeyFrom(privateJwk: JWK): Promise<DpopKey> {
  const { d: _d, ...publicJwk } = privateJwk;
  const privateKey = await importJWK(privateJwk, 'ES256');
  return {
    privateKey: privateKey as DpopKey['privateKey'],
    publicJwk: { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y },
    alg: 'ES256',
    jkt: await jwkThumbprint(publicJwk),
  };
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
  /** Shared across the TPP: the last nonce each server sent. */
  nonces: Map<string, string>;
}): Promise<BoundClient> {
  const { profile, clientAuth, bank, nonces } = input;
  const mutualTls = usesMutualTls(profile, clientAuth);
  const dpopKey =
    profile.senderConstraint === 'dpop'
      ? await dpopKeyFrom(input.dpopPrivateJwk ?? (await newDpopPrivateJwk()))
      : undefined;
  const originOf = (url: string) => new URL(url).origin;

  return {
    clientId: input.clientId,
    profile,
    clientAuth,
    bank,
    endpoint: (name) => bank.endpoint(name, mutualTls),
    opDispatcher: mutualTls ? input.transportAgent : input.webAgent,
    apiDispatcher: input.transportAgent,
    authorizationScheme: dpopKey ? 'DPoP' : 'Bearer',
    expectedCnf: dpopKey ? { jkt: dpopKey.jkt } : { 'x5t#S256': input.transportThumbprint },
    dpopKey,

    async authenticationParams() {
      if (clientAuth === 'tls_client_auth') {
        // RFC 8705 §2: the TLS handshake authenticates; the request names the client.
        return { client_id: input.clientId };
      }
      // FAPI 2.0 SP §5.3.3.1 (client side of §5.3.2.1-8): aud is the issuer, a fresh assertion per request.
      const assertion = await createClientAssertion({
        clientId: input.clientId,
        issuer: bank.metadata.issuer,
        signingKey: input.signingKeys.forAlg(SIGNING_ALG),
      });
      return { client_id: input.clientId, ...clientAssertionParams(assertion) };
    },

    async proofHeaders(method, url, accessToken): Promise<Record<string, string>> {
      if (!dpopKey) return {};
      const proof = await createDpopProof({
        key: dpopKey,
        method,
        url,
        accessToken,
        nonce: nonces.get(originOf(url)),
      });
      return { dpop: proof };
    },

    rememberNonce(url, nonce) {
      nonces.set(originOf(url), nonce);
    },
  };
}
