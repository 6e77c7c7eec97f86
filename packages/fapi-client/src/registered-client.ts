// A client the bank has registered, as every step needs it: how it authenticates at the back channel
// (private_key_jwt, RFC 7523 / FAPI 2.0 SP §5.3.3.1; or tls_client_auth, RFC 8705 §2), over which TLS
// client (and so which certificate), and what its tokens are bound to (a DPoP key, RFC 9449; or the
// transport certificate, RFC 8705 §3).
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { createDpopProof, type DpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import type { SigningKey } from '@fapi-sandbox/fapi-core/jose/keys';
import { jwkThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Dispatcher } from 'undici';
import { bendJwt } from './bend.js';
import type { EngineContext } from './exchange.js';
import type { StepRef } from './observer.js';

export type BackChannelEndpoint =
  | 'token_endpoint'
  | 'pushed_authorization_request_endpoint'
  | 'revocation_endpoint'
  | 'registration_endpoint'
  | 'backchannel_authentication_endpoint';

export type ClientAuthMethod = 'private_key_jwt' | 'tls_client_auth';

/** RFC 9449 §8/§9: the last DPoP-Nonce each server (origin) sent; the next proof to it carries it. */
export class DpopNonces {
  readonly #byOrigin = new Map<string, string>();
  get(url: string): string | undefined {
    return this.#byOrigin.get(new URL(url).origin);
  }
  remember(url: string, nonce: string | undefined): void {
    if (nonce) this.#byOrigin.set(new URL(url).origin, nonce);
  }
}

export interface RegisteredClient {
  clientId: string;
  /** The bank's issuer identifier: the audience of client assertions and request objects. */
  issuer: string;
  clientAuth: ClientAuthMethod;
  /** The URL of a back-channel endpoint (the RFC 8705 §5 mTLS alias when this client uses mutual TLS). */
  endpoint(name: BackChannelEndpoint): string;
  /** The TLS client for the bank's back channel: with the transport certificate when needed. */
  opDispatcher: Dispatcher;
  /** The TLS client for the bank API, which always asks for the transport certificate. */
  apiDispatcher: Dispatcher;
  /** The key private_key_jwt assertions and request objects are signed with. */
  signingKey?: SigningKey;
  /** RFC 9101 §6.1: the bank's public key its request objects are encrypted to, when it registered so. */
  requestObjectEncryptionKey?: JWK;
  /** RFC 9449 §4: the client's DPoP key, for DPoP-bound tokens, and the nonces servers gave it. */
  dpop?: { key: DpopKey; nonces: DpopNonces };
  /** The Authorization scheme of this client's access tokens (RFC 9449 §7.1: DPoP; RFC 6750: Bearer). */
  authorizationScheme: 'DPoP' | 'Bearer';
  /**
   * What the bank should put in the access token's cnf: the DPoP key's jkt or the certificate's x5t#S256;
   * null for a FAPI 1.0 Baseline bearer token, which carries no cnf (Part 1 §6.2.1-2).
   */
  expectedCnf: { jkt: string } | { 'x5t#S256': string } | null;
}

/** An extractable ES256 key pair, as a private JWK a TPP can store so a connection outlives a restart. */
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

/**
 * Client authentication form parameters. private_key_jwt (RFC 7523, FAPI 2.0 SP §5.3.3.1-5): a fresh,
 * short-lived assertion whose aud is the issuer. tls_client_auth (RFC 8705 §2): the handshake
 * authenticates, the form only names the client.
 */
export async function clientAuthentication(
  engine: Pick<EngineContext, 'bend'>,
  client: RegisteredClient,
  step: StepRef,
): Promise<Record<string, string>> {
  if (client.clientAuth === 'tls_client_auth') return { client_id: client.clientId };
  if (!client.signingKey) throw new Error('private_key_jwt needs the client’s signing key');
  const assertion = await createClientAssertion({
    clientId: client.clientId,
    issuer: client.issuer,
    signingKey: client.signingKey,
  });
  const bent = await bendJwt(engine.bend, step, 'client_assertion', assertion, {
    key: client.signingKey.key,
    alg: client.signingKey.alg,
  });
  return { client_id: client.clientId, ...clientAssertionParams(bent) };
}

/** RFC 9449 §4.2 (and §7.1 ath for resource requests): the DPoP header for one request, or none. */
export async function dpopHeaders(
  engine: Pick<EngineContext, 'bend'>,
  client: RegisteredClient,
  step: StepRef,
  method: string,
  url: string,
  accessToken?: string,
): Promise<Record<string, string>> {
  if (!client.dpop) return {};
  const { key, nonces } = client.dpop;
  const proof = await createDpopProof({ key, method, url, accessToken, nonce: nonces.get(url) });
  return {
    dpop: await bendJwt(engine.bend, step, 'dpop_proof', proof, {
      key: key.privateKey,
      alg: key.alg,
    }),
  };
}
