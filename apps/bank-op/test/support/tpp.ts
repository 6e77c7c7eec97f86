// A hand-written FAPI client for the tests: it registers through DCR with the participant's SSA and
// transport certificate, authenticates with private_key_jwt or its certificate, binds tokens with mTLS
// or DPoP (answering DPoP nonce challenges), and drives the customer's browser through sign-in and
// consent. The negative tests bend exactly one thing at a time.

import { CustomerBrowser, redirectOf } from '@fapi-sandbox/fapi-client/customer';
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { createDpopProof, type DpopKey, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { loadSigningKeys, type SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import { createPkcePair, type PkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { createRequestObject } from '@fapi-sandbox/fapi-core/jose/request-object';
import { type Agent, fetch, type Response } from 'undici';
import type { Sandbox } from './sandbox.js';

export type ProfileId = 'fapi2' | 'fapi1-advanced';
export type AuthMethod = 'private_key_jwt' | 'tls_client_auth';
export type SenderConstraint = 'mtls' | 'dpop';

export interface RegisteredClient {
  clientId: string;
  metadata: Record<string, unknown>;
  registrationAccessToken: string;
  registrationClientUri: string;
  participant: Participant;
  profile: ProfileId;
  authMethod: AuthMethod;
  senderConstraint: SenderConstraint;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export async function json(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { raw: text };
  }
  return { status: response.status, headers: response.headers as unknown as Headers, body };
}

/** A DPoP key with the last nonce each server handed out (RFC 9449 §8). */
export class DpopSession {
  readonly nonces = new Map<string, string>();
  constructor(readonly key: DpopKey) {}

  static async create(alg: 'ES256' | 'PS256' | 'EdDSA' = 'ES256'): Promise<DpopSession> {
    return new DpopSession(await generateDpopKey(alg));
  }

  proof(method: string, url: string, accessToken?: string): Promise<string> {
    const nonce = this.nonces.get(new URL(url).origin);
    return createDpopProof({
      key: this.key,
      method,
      url,
      ...(accessToken ? { accessToken } : {}),
      ...(nonce ? { nonce } : {}),
    });
  }

  remember(url: string, response: { headers: Headers }): void {
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) this.nonces.set(new URL(url).origin, nonce);
  }
}

export class TestTpp {
  readonly #keys: Promise<SigningKeySet>;

  constructor(
    readonly sandbox: Sandbox,
    readonly participant: Participant,
  ) {
    this.#keys = loadSigningKeys(participant.signingJwks);
  }

  get config() {
    return this.sandbox.config;
  }

  get issuer(): string {
    return this.config.bankOp.issuer;
  }

  /** The participant's transport certificate agent. */
  get transport(): Agent {
    return this.sandbox.transport(this.participant);
  }

  signingKeys(): Promise<SigningKeySet> {
    return this.#keys;
  }

  ssa(): Promise<string> {
    return this.sandbox.directoryClient.fetchSsa(
      this.participant.orgId,
      this.participant.softwareId,
      this.transport,
    );
  }

  async registerRaw(body: Record<string, unknown>, agent: Agent = this.transport): Promise<JsonResponse> {
    return json(
      await fetch(`${this.config.bankOp.mtls.origin}/register`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      }),
    );
  }

  async register(
    options: {
      profile?: ProfileId;
      authMethod?: AuthMethod;
      senderConstraint?: SenderConstraint;
      extra?: Record<string, unknown>;
    } = {},
  ): Promise<RegisteredClient> {
    const profile = options.profile ?? 'fapi2';
    const authMethod = options.authMethod ?? 'private_key_jwt';
    const senderConstraint = options.senderConstraint ?? 'mtls';
    const response = await this.registerRaw({
      software_statement: await this.ssa(),
      fapi_profile: profile,
      token_endpoint_auth_method: authMethod,
      redirect_uris: this.participant.redirectUris,
      ...(senderConstraint === 'mtls'
        ? { tls_client_certificate_bound_access_tokens: true }
        : { dpop_bound_access_tokens: true }),
      ...options.extra,
    });
    if (response.status !== 201) {
      throw new Error(`registration failed: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return {
      clientId: String(response.body.client_id),
      metadata: response.body,
      registrationAccessToken: String(response.body.registration_access_token),
      registrationClientUri: String(response.body.registration_client_uri),
      participant: this.participant,
      profile,
      authMethod,
      senderConstraint,
    };
  }

  /** Whether the client calls the back channel with its certificate (mTLS auth or mTLS-bound tokens). */
  usesCertificate(client: RegisteredClient): boolean {
    return client.authMethod !== 'private_key_jwt' || client.senderConstraint === 'mtls';
  }

  /** The back-channel endpoint the client uses: the mTLS alias with its certificate, else the top level. */
  endpoint(
    client: RegisteredClient,
    path: '/par' | '/token' | '/token/introspect' | '/token/revoke',
  ): string {
    const origin = this.usesCertificate(client) ? this.config.bankOp.mtls.origin : this.config.bankOp.issuer;
    return `${origin}${path}`;
  }

  dispatcher(client: RegisteredClient): Agent {
    return this.usesCertificate(client) ? this.transport : this.sandbox.plain;
  }

  /** A token request (client authentication added, fresh on a DPoP nonce retry). */
  token(
    client: RegisteredClient,
    params: Record<string, string>,
    options: {
      dpop?: DpopSession;
      agent?: Agent;
      url?: string;
      auth?: () => Promise<Record<string, string>>;
    } = {},
  ): Promise<JsonResponse> {
    return this.post(
      client,
      options.url ?? this.endpoint(client, '/token'),
      async () => ({ ...params, ...(options.auth ? await options.auth() : await this.clientAuth(client)) }),
      options,
    );
  }

  /** Redeems an authorization code (with the PKCE verifier). */
  redeem(
    client: RegisteredClient,
    code: string,
    pkce: PkcePair,
    options: {
      dpop?: DpopSession;
      agent?: Agent;
      url?: string;
      auth?: () => Promise<Record<string, string>>;
    } = {},
  ): Promise<JsonResponse> {
    return this.token(
      client,
      {
        grant_type: 'authorization_code',
        code,
        redirect_uri: this.participant.redirectUris[0]!,
        code_verifier: pkce.codeVerifier,
      },
      options,
    );
  }

  /** Client authentication parameters (RFC 7523 assertion or client_id for mTLS auth). */
  async clientAuth(
    client: RegisteredClient,
    overrides: { aud?: unknown; alg?: 'PS256' | 'ES256'; claims?: Record<string, unknown> } = {},
  ): Promise<Record<string, string>> {
    if (client.authMethod !== 'private_key_jwt') return { client_id: client.clientId };
    const keys = await this.signingKeys();
    const signingKey = keys.forAlg(overrides.alg ?? 'PS256');
    if (overrides.aud === undefined && overrides.claims === undefined) {
      return clientAssertionParams(
        await createClientAssertion({ clientId: client.clientId, issuer: this.issuer, signingKey }),
      );
    }
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({
      iss: client.clientId,
      sub: client.clientId,
      aud: (overrides.aud ?? this.issuer) as string,
      jti: crypto.randomUUID(),
      iat: now,
      exp: now + 60,
      ...overrides.claims,
    })
      .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid })
      .sign(signingKey.key);
    return clientAssertionParams(assertion);
  }

  /**
   * POSTs a form to a back-channel endpoint; with a DPoP session it sends a proof and, on a nonce
   * challenge (400 use_dpop_nonce), retries once with the nonce (RFC 9449 §8).
   */
  async post(
    client: RegisteredClient,
    url: string,
    form: Record<string, string> | (() => Promise<Record<string, string>>),
    options: {
      dpop?: DpopSession;
      agent?: Agent;
      retryNonce?: boolean;
      /** Extra request headers, e.g. x-fapi-interaction-id. */
      headers?: Record<string, string>;
    } = {},
  ): Promise<JsonResponse> {
    // A retry needs a fresh client assertion: the server burns each jti (RFC 7523 §3-7).
    const formFor = typeof form === 'function' ? form : async () => form;
    const send = async () => {
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...options.headers,
      };
      if (options.dpop) headers.dpop = await options.dpop.proof('POST', url);
      const response = await json(
        await fetch(url, {
          method: 'POST',
          headers,
          body: new URLSearchParams(await formFor()).toString(),
          dispatcher: options.agent ?? this.dispatcher(client),
        }),
      );
      options.dpop?.remember(url, response);
      return response;
    };
    const first = await send();
    if (
      options.dpop &&
      options.retryNonce !== false &&
      first.status === 400 &&
      first.body.error === 'use_dpop_nonce'
    ) {
      return send();
    }
    return first;
  }

  /** A complete set of FAPI authorization parameters for this client and a consent. */
  authorizationParams(
    client: RegisteredClient,
    consentId: string | undefined,
    pkce: PkcePair,
    scope = 'openid accounts',
  ): Record<string, string> {
    return {
      response_type: client.profile === 'fapi1-advanced' ? 'code id_token' : 'code',
      client_id: client.clientId,
      redirect_uri: this.participant.redirectUris[0]!,
      scope,
      state: crypto.randomUUID(),
      nonce: crypto.randomUUID(),
      code_challenge: pkce.codeChallenge,
      code_challenge_method: 'S256',
      ...(consentId
        ? {
            claims: JSON.stringify({
              id_token: {
                openbanking_intent_id: { value: consentId, essential: true },
                acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
              },
              userinfo: { openbanking_intent_id: { value: consentId, essential: true } },
            }),
          }
        : {}),
    };
  }

  /** A request object signed by this client (RFC 9101) carrying `params`. */
  async requestObject(
    client: RegisteredClient,
    params: Record<string, unknown>,
    alg: 'PS256' | 'ES256' = 'PS256',
  ) {
    const keys = await this.signingKeys();
    const { client_id: _clientId, ...rest } = params;
    return createRequestObject({
      clientId: client.clientId,
      issuer: this.issuer,
      signingKey: keys.forAlg(alg),
      params: rest,
    });
  }

  /** PAR with the given parameters (client authentication added). */
  async par(
    client: RegisteredClient,
    params: Record<string, string>,
    options: {
      dpop?: DpopSession;
      auth?: Record<string, string>;
      retryNonce?: boolean;
      headers?: Record<string, string>;
    } = {},
  ): Promise<JsonResponse> {
    return this.post(
      client,
      this.endpoint(client, '/par'),
      async () => ({ ...params, ...(options.auth ?? (await this.clientAuth(client))) }),
      options,
    );
  }

  authorizationUrl(client: RegisteredClient, requestUri: string): URL {
    const url = new URL(`${this.issuer}/authorize`);
    url.searchParams.set('client_id', client.clientId);
    url.searchParams.set('request_uri', requestUri);
    return url;
  }

  /** A fresh customer's browser: no cookies, no session at the bank. */
  newBrowser(): CustomerBrowser {
    return new CustomerBrowser({ dispatcher: this.sandbox.plain, bank: this.issuer });
  }

  /**
   * The customer's part: opens the authorization URL, signs in (username, password, passcode) and
   * allows (or denies) the consent, choosing `accounts` (default: the first one offered). Returns the
   * redirect back to the TPP (also when the bank refuses the request there); throws on any other page.
   */
  async customerAuthorizes(
    url: URL,
    options: {
      username?: string;
      password?: string;
      decision?: 'allow' | 'deny';
      accounts?: 'first' | 'all';
      browser?: CustomerBrowser;
    } = {},
  ): Promise<URL> {
    const browser = options.browser ?? this.newBrowser();
    const visit = await browser.authorize(
      url,
      { username: options.username ?? 'alice', password: options.password ?? 'wonderland' },
      { decision: options.decision ?? 'allow', accounts: options.accounts ?? 'first' },
    );
    return redirectOf(visit).url;
  }

  /** An account-access consent created as bank-api would for this client. */
  accountConsent(client: RegisteredClient): string {
    return this.sandbox.bank.consents.createAccountAccess({
      clientId: client.clientId,
      permissions: ['ReadAccountsBasic', 'ReadAccountsDetail', 'ReadBalances'],
    }).consentId;
  }

  /** The authorization response parameters, from the query or (hybrid flow) the fragment. */
  static responseParams(landing: URL): URLSearchParams {
    return landing.hash ? new URLSearchParams(landing.hash.slice(1)) : landing.searchParams;
  }

  pkce(): PkcePair {
    return createPkcePair();
  }
}
