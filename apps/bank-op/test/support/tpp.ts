// The bank-op tests' FAPI client, built on the client engine (@fapi-sandbox/fapi-client): it registers
// through DCR with the participant's SSA and transport certificate, and sends its PAR and token requests
// with the engine's calls, which add client authentication (private_key_jwt or the certificate), DPoP
// proofs and the DPoP nonce retry. The negative tests bend exactly one thing at a time, as a Bend.

import { readFileSync } from 'node:fs';
import {
  type Bend,
  clientAuthentication,
  createExchange,
  DpopNonces,
  dpopHeaders,
  type RegisteredClient as EngineClient,
  type EngineContext,
  type ExchangeResponse,
  fetchSoftwareStatement,
  type HttpMessage,
  pushAuthorizationRequest,
  type StepRef,
  sendWithDpopNonce,
  tokenRequest,
} from '@fapi-sandbox/fapi-client';
import { CustomerBrowser, redirectOf } from '@fapi-sandbox/fapi-client/customer';
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import { type DpopKey, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { loadSigningKeys, type SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import { createPkcePair, type PkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { createRequestObject } from '@fapi-sandbox/fapi-core/jose/request-object';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { type Agent, fetch, type Response } from 'undici';
import type { Sandbox } from './sandbox.js';

export type ProfileId = 'fapi2' | 'fapi1-advanced' | 'fapi1-baseline';
export type AuthMethod = 'private_key_jwt' | 'tls_client_auth';
export type SenderConstraint = 'mtls' | 'dpop' | 'none';

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

/** The engine's answer in the shape the tests read: fetch Headers, and a JSON object (or `{ raw }`). */
export function fromExchange(response: ExchangeResponse): JsonResponse {
  const body =
    response.body !== null && typeof response.body === 'object'
      ? (response.body as Record<string, unknown>)
      : response.text
        ? { raw: response.text }
        : {};
  return { status: response.status, headers: new Headers(response.headers), body };
}

/** Client authentication form parameters the engine may add; an `auth` knob replaces all of them. */
const CLIENT_AUTH_FIELDS = ['client_id', 'client_assertion', 'client_assertion_type'] as const;

/**
 * The Bend that sends the form a test asked for: the test's own parameters win over those the engine
 * added (a test may send a foreign client_id), and an `auth` knob replaces the engine's client
 * authentication (`auth[1]` on the RFC 9449 §8 nonce retry, as the bank burns each assertion's jti).
 * `headers` are sent too (an interaction id, a broken DPoP header); the engine's own proof wins.
 */
function formAsAsked(
  params: Record<string, string>,
  auth: readonly (Record<string, string> | undefined)[] | undefined,
  dropEngineClientId: boolean,
  headers: Record<string, string> = {},
): Bend {
  return (message) => {
    if (message.kind !== 'http' || !message.form) return undefined;
    const form = { ...message.form };
    const override = auth?.[message.nonceRetry ? 1 : 0];
    if (override) for (const field of CLIENT_AUTH_FIELDS) delete form[field];
    else if (dropEngineClientId) delete form.client_id;
    message.form = { ...form, ...params, ...override };
    message.headers = { ...headers, ...message.headers };
    return message;
  };
}

/** A DPoP key with the last nonce each server handed out (RFC 9449 §8), kept as the engine keeps it. */
export class DpopSession {
  readonly nonces = new DpopNonces();
  constructor(readonly key: DpopKey) {}

  static async create(alg: 'ES256' | 'PS256' | 'EdDSA' = 'ES256'): Promise<DpopSession> {
    return new DpopSession(await generateDpopKey(alg));
  }

  /** The engine's proof for one request (RFC 9449 §4.2), with the nonce this server last sent. */
  async proof(method: string, url: string, accessToken?: string): Promise<string> {
    const { dpop } = await dpopHeaders(
      {},
      { dpop: { key: this.key, nonces: this.nonces } } as EngineClient,
      { step: 'dpop', clause: 'RFC 9449 §4.2' },
      method,
      url,
      accessToken,
    );
    return dpop!;
  }

  remember(url: string, response: { headers: Headers }): void {
    this.nonces.remember(url, response.headers.get('dpop-nonce') ?? undefined);
  }
}

type BackChannelPath = '/par' | '/token' | '/token/introspect' | '/token/revoke' | '/backchannel';

const ENGINE_ENDPOINT_PATHS: Record<string, BackChannelPath> = {
  pushed_authorization_request_endpoint: '/par',
  token_endpoint: '/token',
  backchannel_authentication_endpoint: '/backchannel',
  revocation_endpoint: '/token/revoke',
};

export class TestTpp {
  readonly #keys: Promise<SigningKeySet>;
  /** RFC 8705 §3.1: the x5t#S256 an mTLS-bound token of this participant carries. */
  readonly #certificateThumbprint: string;

  constructor(
    readonly sandbox: Sandbox,
    readonly participant: Participant,
  ) {
    this.#keys = loadSigningKeys(participant.signingJwks);
    this.#certificateThumbprint = certificateThumbprint(readFileSync(participant.transportCert));
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

  /** The participant's SSA, fetched over mutual TLS with its transport certificate (RFC 7591 §2.3). */
  async ssa(): Promise<string> {
    const fetched = await fetchSoftwareStatement(
      this.#engine(),
      { step: 'ssa', clause: 'RFC 7591 §2.3' },
      { directory: this.config.directory, software: this.participant, transport: this.transport },
    );
    if ('failed' in fetched)
      throw new Error(`SSA fetch failed: ${fetched.failed.status} ${fetched.failed.text}`);
    return fetched.ssa;
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
    // FAPI 1.0 Baseline tokens are bearer tokens (Part 1 §6.2.1-2); the other profiles bind them.
    const senderConstraint = options.senderConstraint ?? (profile === 'fapi1-baseline' ? 'none' : 'mtls');
    const response = await this.registerRaw({
      software_statement: await this.ssa(),
      fapi_profile: profile,
      token_endpoint_auth_method: authMethod,
      redirect_uris: this.participant.redirectUris,
      ...(senderConstraint === 'mtls'
        ? { tls_client_certificate_bound_access_tokens: true }
        : senderConstraint === 'dpop'
          ? { dpop_bound_access_tokens: true }
          : {}),
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
  endpoint(client: RegisteredClient, path: BackChannelPath): string {
    const origin = this.usesCertificate(client) ? this.config.bankOp.mtls.origin : this.config.bankOp.issuer;
    return `${origin}${path}`;
  }

  dispatcher(client: RegisteredClient): Agent {
    return this.usesCertificate(client) ? this.transport : this.sandbox.plain;
  }

  /**
   * The client as the engine sees it. `url` and `agent` are the knobs of a test that sends a request to
   * another endpoint or over another TLS client (another certificate, or none).
   */
  async engineClient(
    client: RegisteredClient,
    options: { dpop?: DpopSession; agent?: Agent; url?: string } = {},
  ): Promise<EngineClient> {
    const { dpop } = options;
    return {
      clientId: client.clientId,
      issuer: this.issuer,
      clientAuth: client.authMethod,
      endpoint: (name) => {
        const path = ENGINE_ENDPOINT_PATHS[name];
        if (!path) throw new Error(`the test client does not call ${name} through the engine`);
        return options.url ?? this.endpoint(client, path);
      },
      opDispatcher: options.agent ?? this.dispatcher(client),
      apiDispatcher: this.transport,
      signingKey: (await this.signingKeys()).forAlg('PS256'),
      ...(dpop ? { dpop: { key: dpop.key, nonces: dpop.nonces } } : {}),
      authorizationScheme: dpop ? 'DPoP' : 'Bearer',
      expectedCnf: dpop
        ? { jkt: dpop.key.jkt }
        : client.senderConstraint === 'none'
          ? null
          : { 'x5t#S256': this.#certificateThumbprint },
    };
  }

  /** An engine context whose exchanges go through `bend` (and nothing watching). */
  #engine(bend?: Bend): EngineContext {
    return { exchange: createExchange({ bend }), bend };
  }

  /** An `auth` knob evaluated for the first request and, for a DPoP client, the nonce retry. */
  async #authAttempts(
    auth: (() => Promise<Record<string, string>>) | undefined,
    dpop: DpopSession | undefined,
  ): Promise<Record<string, string>[] | undefined> {
    if (!auth) return undefined;
    return dpop ? [await auth(), await auth()] : [await auth()];
  }

  /** A token request through the engine (RFC 6749 §3.2), client authentication and DPoP proof added. */
  async token(
    client: RegisteredClient,
    params: Record<string, string>,
    options: {
      dpop?: DpopSession;
      agent?: Agent;
      url?: string;
      auth?: () => Promise<Record<string, string>>;
    } = {},
  ): Promise<JsonResponse> {
    const bend = formAsAsked(
      params,
      await this.#authAttempts(options.auth, options.dpop),
      client.authMethod === 'private_key_jwt' && !('client_id' in params),
    );
    const step: StepRef = { step: `token:${params.grant_type}`, clause: 'RFC 6749 §3.2' };
    return fromExchange(
      await tokenRequest(this.#engine(bend), await this.engineClient(client, options), step, params),
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

  /**
   * Client authentication parameters from the engine (RFC 7523 assertion, or client_id for mTLS auth),
   * without the client_id the engine adds beside an assertion. The knobs bend the assertion before it is
   * signed: its aud, its claims (undefined removes one) or the key (`alg`) that signs it.
   */
  async clientAuth(
    client: RegisteredClient,
    overrides: { aud?: unknown; alg?: 'PS256' | 'ES256'; claims?: Record<string, unknown> } = {},
  ): Promise<Record<string, string>> {
    const keys = await this.signingKeys();
    const bend: Bend = (message) => {
      if (message.kind !== 'jwt' || message.purpose !== 'client_assertion') return undefined;
      if (overrides.aud !== undefined) message.claims.aud = overrides.aud as string;
      Object.assign(message.claims, overrides.claims);
      if (overrides.alg) {
        const key = keys.forAlg(overrides.alg);
        message.key = { key: key.key, alg: key.alg };
        message.header = { alg: key.alg, ...(key.kid ? { kid: key.kid } : {}) };
      }
      return message;
    };
    const { client_id, ...assertion } = await clientAuthentication(
      { bend },
      await this.engineClient(client),
      { step: 'client_assertion', clause: 'RFC 7523 §3' },
    );
    return client.authMethod === 'private_key_jwt' ? assertion : { client_id: client_id! };
  }

  /**
   * POSTs a form to a back-channel endpoint (introspection, revocation, or a request the engine has no
   * call for) with the engine's exchange; with a DPoP session it sends the engine's proof and, on a nonce
   * challenge (400 use_dpop_nonce), the engine retries once with the nonce (RFC 9449 §8).
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
    const engine = this.#engine();
    const engineClient = await this.engineClient(client, options);
    const step: StepRef = { step: 'back-channel', clause: 'RFC 6749 §2.3' };
    const build = async (): Promise<HttpMessage> => ({
      ...step,
      kind: 'http',
      method: 'POST',
      url,
      dispatcher: engineClient.opDispatcher,
      headers: { ...options.headers, ...(await dpopHeaders(engine, engineClient, step, 'POST', url)) },
      form: await formFor(),
    });
    if (options.retryNonce === false) {
      const response = await engine.exchange(await build());
      engineClient.dpop?.nonces.remember(url, response.headers['dpop-nonce']);
      return fromExchange(response);
    }
    return fromExchange(await sendWithDpopNonce(engine, engineClient, build));
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

  /** PAR through the engine (RFC 9126 §2.1) with the given parameters, client authentication added. */
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
    // The engine's PAR call always answers a nonce challenge: a test that wants the challenge itself
    // takes the generic back-channel POST.
    if (options.retryNonce === false) {
      return this.post(
        client,
        this.endpoint(client, '/par'),
        async () => ({ ...params, ...(options.auth ?? (await this.clientAuth(client))) }),
        options,
      );
    }
    const bend = formAsAsked(
      params,
      options.auth ? [options.auth, options.auth] : undefined,
      client.authMethod === 'private_key_jwt' && !('client_id' in params),
      options.headers,
    );
    const step: StepRef = { step: 'par', clause: 'RFC 9126 §2.1' };
    return fromExchange(
      await pushAuthorizationRequest(
        this.#engine(bend),
        await this.engineClient(client, options),
        step,
        params,
        {
          signedRequest: false,
        },
      ),
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
  async accountConsent(client: RegisteredClient): Promise<string> {
    return (
      await this.sandbox.bank.consents.createAccountAccess({
        clientId: client.clientId,
        permissions: ['ReadAccountsBasic', 'ReadAccountsDetail', 'ReadBalances'],
      })
    ).consentId;
  }

  /** The authorization response parameters, from the query or (hybrid flow) the fragment. */
  static responseParams(landing: URL): URLSearchParams {
    return landing.hash ? new URLSearchParams(landing.hash.slice(1)) : landing.searchParams;
  }

  pkce(): PkcePair {
    return createPkcePair();
  }
}
