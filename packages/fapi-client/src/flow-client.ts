// A FAPI client from a script, step by step: what a TPP's back end does to read a customer's accounts at
// the sandbox bank, with no browser. Read it top to bottom beside the specs:
//
//   connect()                     discovery, the bank's keys, the SSA from the directory, DCR (RFC 7591)
//   clientCredentialsToken()      the TPP acting for itself (RFC 6749 §4.4), to create a consent
//   createAccountAccessConsent()  UK OB: the consent the customer will be asked about
//   pushAuthorizationRequest()    PAR (RFC 9126) with PKCE (RFC 7636), or a signed request object (JAR)
//   customerAuthorizes()          the customer signs in and allows it at the bank (CustomerBrowser)
//   authorizationCode()           the response checked: iss + state (RFC 9207), or the JARM JWT verified
//   exchangeCode()                code + PKCE verifier for a sender-constrained token; ID token verified
//   api()                         the bank API with that token: DPoP proof per request, or the certificate
//
// Everything is real: TLS against the sandbox CA, the participant's directory-issued transport certificate,
// its signing keys from the generated PKI, and fapi-core's JOSE helpers for every JWT it signs or checks.
import { randomUUID } from 'node:crypto';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createDirectoryClient } from '@fapi-sandbox/fapi-core/directory-client';
import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { createDpopProof, type DpopKey, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { verifyJarmResponse } from '@fapi-sandbox/fapi-core/jose/jarm';
import { loadSigningKeys, type SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import { createPkcePair, type PkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { createRequestObject } from '@fapi-sandbox/fapi-core/jose/request-object';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import type { Agent } from 'undici';
import { fetch } from 'undici';
import {
  type AccountChoice,
  type Customer,
  CustomerBrowser,
  redirectOf,
} from './customer/customer-browser.js';

/** One way of connecting: a security profile, a client authentication method and a token binding. */
export interface FlowVariant {
  id: 'fapi2-dpop' | 'fapi2-mtls' | 'fapi1-advanced';
  title: string;
  /** bank-op's `fapi_profile` client metadata: which profile's rules the bank holds this client to. */
  profile: 'fapi2' | 'fapi1-advanced';
  clientAuth: 'private_key_jwt' | 'tls_client_auth';
  /** How access tokens are sender-constrained: a DPoP key (RFC 9449) or the TLS certificate (RFC 8705). */
  binding: 'dpop' | 'mtls';
  /** JAR (RFC 9101): the authorization parameters travel in a request object the client signs. */
  signedRequest: boolean;
  /** JARM: the bank answers the authorization request with a JWT it signs. */
  jarm: boolean;
}

export const FLOW_VARIANTS: readonly FlowVariant[] = [
  {
    id: 'fapi2-dpop',
    title: 'FAPI 2.0 + DPoP + private_key_jwt',
    profile: 'fapi2',
    clientAuth: 'private_key_jwt',
    binding: 'dpop',
    signedRequest: false,
    jarm: false,
  },
  {
    id: 'fapi2-mtls',
    title: 'FAPI 2.0 + mTLS + tls_client_auth',
    profile: 'fapi2',
    clientAuth: 'tls_client_auth',
    binding: 'mtls',
    signedRequest: false,
    jarm: false,
  },
  {
    id: 'fapi1-advanced',
    title: 'FAPI 1.0 Advanced (JAR + JARM) + private_key_jwt',
    profile: 'fapi1-advanced',
    clientAuth: 'private_key_jwt',
    binding: 'mtls',
    signedRequest: true,
    jarm: true,
  },
];

/** Everything the client signs uses PS256 (FAPI 2.0 SP §5.4.1, FAPI 1.0 Adv §8.6). */
const SIGNING_ALG = 'PS256';

/** UK OB account-access permissions enough to read accounts, balances and transactions. */
export const READ_PERMISSIONS = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

export interface AccessToken {
  value: string;
  /** The Authorization scheme the token is sent with: DPoP for DPoP-bound tokens (RFC 9449 §7.1). */
  scheme: 'DPoP' | 'Bearer';
  /** RFC 6749 §6: the refresh token that came with it (account access), for new access tokens later. */
  refreshToken?: string;
}

/** What the client keeps between pushing the request and receiving the customer back. */
export interface PendingAuthorization {
  consentId: string;
  requestUri: string;
  state: string;
  nonce: string;
  pkce: PkcePair;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: UK OB bodies are read field by field by the caller
  body: any;
}

type BackChannelEndpoint = 'token_endpoint' | 'pushed_authorization_request_endpoint' | 'revocation_endpoint';

interface BankMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  pushed_authorization_request_endpoint: string;
  registration_endpoint: string;
  revocation_endpoint: string;
  jwks_uri: string;
  mtls_endpoint_aliases?: Partial<Record<BackChannelEndpoint, string>>;
}

export interface ConnectOptions {
  config: SandboxConfig;
  variant: FlowVariant;
  /** The TPP software that connects; the demo TPP (Moneywise) by default. */
  participant?: Participant;
  /** The DPoP key the client keeps, for DPoP-bound variants; a fresh ES256 key by default. */
  dpopKey?: DpopKey;
}

/** What a connected client holds: its registration, the bank's metadata and keys, its own keys and agents. */
interface ClientParts {
  variant: FlowVariant;
  clientId: string;
  metadata: Record<string, unknown>;
  config: SandboxConfig;
  participant: Participant;
  bank: BankMetadata;
  bankKeys: JSONWebKeySet;
  signingKeys: SigningKeySet;
  /** Trusts the sandbox CA and presents no certificate: the bank's public endpoints, the browser. */
  plain: Agent;
  /** Presents the participant's directory-issued transport certificate (mutual TLS). */
  transport: Agent;
  /** The client's DPoP key pair, for DPoP-bound tokens. */
  dpopKey: DpopKey | undefined;
}

export class FapiFlowClient {
  readonly variant: FlowVariant;
  readonly clientId: string;
  /** The client metadata the bank registered (RFC 7591 §3.2.1), e.g. fapi_profile, bound-token flags. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** How often a server asked for a fresh DPoP nonce and the request was sent again (RFC 9449 §8, §9). */
  dpopNonceRetries = 0;
  readonly #config: SandboxConfig;
  readonly #participant: Participant;
  readonly #bank: BankMetadata;
  readonly #bankKeys: ReturnType<typeof createLocalJWKSet>;
  readonly #signingKeys: SigningKeySet;
  readonly #plain: Agent;
  readonly #transport: Agent;
  readonly #dpopKey: DpopKey | undefined;
  /** The last DPoP-Nonce each server (origin) sent. */
  readonly #nonces = new Map<string, string>();

  private constructor(parts: ClientParts) {
    this.variant = parts.variant;
    this.clientId = parts.clientId;
    this.metadata = parts.metadata;
    this.#config = parts.config;
    this.#participant = parts.participant;
    this.#bank = parts.bank;
    this.#bankKeys = createLocalJWKSet(parts.bankKeys);
    this.#signingKeys = parts.signingKeys;
    this.#plain = parts.plain;
    this.#transport = parts.transport;
    this.#dpopKey = parts.dpopKey;
  }

  /**
   * Reads the bank's discovery document and keys, fetches the software statement (SSA) from the
   * directory over mutual TLS, and registers a client for `variant` at the bank (RFC 7591).
   */
  static async connect(options: ConnectOptions): Promise<FapiFlowClient> {
    const { config, variant } = options;
    const participant = options.participant ?? config.participants.demo;
    const plain = createSandboxAgent({}, config);
    const transport = transportAgentFor(participant, config);
    try {
      const bank = await getJson<BankMetadata>(
        `${config.bankOp.issuer}/.well-known/openid-configuration`,
        plain,
      );
      const bankKeys = await getJson<JSONWebKeySet>(bank.jwks_uri, plain);
      const signingKeys = await loadSigningKeys(participant.signingJwks, { profile: variant.profile });
      // RFC 9449 §4: the DPoP key is the client's own, made now; the bank binds tokens to its thumbprint.
      const dpopKey =
        variant.binding === 'dpop' ? (options.dpopKey ?? (await generateDpopKey('ES256'))) : undefined;

      // The directory hands the SSA only to the software's own transport certificate.
      const directory = createDirectoryClient({ config, dispatcher: plain });
      const ssa = await directory.fetchSsa(participant.orgId, participant.softwareId, transport);

      // RFC 7591 §3.1 over mutual TLS (RFC 8705 §2): the bank checks the SSA's signature and that the
      // certificate belongs to the same software. fapi_profile is bank-op's metadata naming the profile.
      const registration = await fetch(bank.registration_endpoint, {
        method: 'POST',
        dispatcher: transport,
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          software_statement: ssa,
          fapi_profile: variant.profile,
          token_endpoint_auth_method: variant.clientAuth,
          ...(variant.clientAuth === 'private_key_jwt'
            ? { token_endpoint_auth_signing_alg: SIGNING_ALG }
            : {}),
          redirect_uris: [participant.redirectUris[0]],
          response_types: ['code'],
          grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
          ...(variant.binding === 'mtls'
            ? { tls_client_certificate_bound_access_tokens: true }
            : { dpop_bound_access_tokens: true }),
          ...(variant.signedRequest ? { request_object_signing_alg: SIGNING_ALG } : {}),
          ...(variant.jarm ? { authorization_signed_response_alg: SIGNING_ALG } : {}),
        }),
      });
      const registered = await readJson(registration);
      if (registration.status !== 201 || typeof registered.client_id !== 'string') {
        throw new Error(`registration refused: ${registration.status} ${JSON.stringify(registered)}`);
      }
      return new FapiFlowClient({
        variant,
        clientId: registered.client_id,
        metadata: registered,
        config,
        participant,
        bank,
        bankKeys,
        signingKeys,
        plain,
        transport,
        dpopKey,
      });
    } catch (err) {
      await Promise.all([plain.close(), transport.close()]);
      throw err;
    }
  }

  /** RFC 6749 §4.4: a token for the TPP itself, e.g. scope `accounts` to create consents. */
  async clientCredentialsToken(scope: 'accounts' | 'payments'): Promise<AccessToken> {
    const response = await this.#backChannel('token_endpoint', { grant_type: 'client_credentials', scope });
    return this.#accessToken(response, 'client credentials grant');
  }

  /** UK OB v3.1 POST /aisp/account-access-consents: the consent then awaits the customer's authorisation. */
  async createAccountAccessConsent(
    token: AccessToken,
    permissions: readonly string[] = READ_PERMISSIONS,
  ): Promise<string> {
    const response = await this.api(token, 'POST', '/aisp/account-access-consents', {
      Data: { Permissions: permissions },
      Risk: {},
    });
    const consentId = response.body?.Data?.ConsentId;
    if (response.status !== 201 || typeof consentId !== 'string') {
      throw new Error(`consent creation refused: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return consentId;
  }

  /**
   * PAR (RFC 9126): the authorization request goes to the bank over the back channel, authenticated,
   * and the browser only carries the request_uri the bank returns. FAPI 1.0 Advanced clients put the
   * parameters in a signed request object (JAR, RFC 9101) and ask for a JARM response.
   */
  async pushAuthorizationRequest(
    consentId: string,
    scope = 'openid accounts',
  ): Promise<PendingAuthorization> {
    // FAPI 2.0 SP §5.3.3.2, RFC 7636 §4: PKCE with S256; the verifier stays here until the token request.
    const pkce = createPkcePair();
    const state = randomUUID();
    const nonce = randomUUID();
    const params: Record<string, string> = {
      response_type: 'code',
      ...(this.variant.jarm ? { response_mode: 'jwt' } : {}),
      redirect_uri: this.#participant.redirectUris[0]!,
      scope,
      state,
      nonce,
      code_challenge: pkce.codeChallenge,
      code_challenge_method: 'S256',
      // UK OB: the consent this authorization is about, and strong customer authentication.
      claims: JSON.stringify({
        id_token: {
          openbanking_intent_id: { value: consentId, essential: true },
          acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
        },
        userinfo: { openbanking_intent_id: { value: consentId, essential: true } },
      }),
    };
    const request: Record<string, string> = this.variant.signedRequest
      ? {
          request: await createRequestObject({
            clientId: this.clientId,
            issuer: this.#bank.issuer,
            signingKey: this.#signingKeys.forAlg(SIGNING_ALG),
            params,
          }),
        }
      : { client_id: this.clientId, ...params };
    const response = await this.#backChannel('pushed_authorization_request_endpoint', request);
    if (response.status !== 201 || typeof response.body.request_uri !== 'string') {
      throw new Error(`PAR refused: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return { consentId, requestUri: response.body.request_uri, state, nonce, pkce };
  }

  /** RFC 9126 §4: the authorization URL carries only client_id and the pushed request's request_uri. */
  authorizationUrl(pending: PendingAuthorization): URL {
    const url = new URL(this.#bank.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.clientId,
      request_uri: pending.requestUri,
    }).toString();
    return url;
  }

  /**
   * The customer's part, at the bank: sign in, allow (for the accounts they tick, every one by default).
   * Returns where the bank sent the customer back.
   */
  async customerAuthorizes(
    pending: PendingAuthorization,
    customer: Customer,
    accounts: AccountChoice = 'all',
  ): Promise<URL> {
    const browser = new CustomerBrowser({ dispatcher: this.#plain, bank: this.#bank.issuer });
    return redirectOf(await browser.authorize(this.authorizationUrl(pending), customer, { accounts })).url;
  }

  /** The authorization response at the redirect URI, checked before its code is trusted. */
  async authorizationCode(landing: URL, pending: PendingAuthorization): Promise<string> {
    const redirectUri = this.#participant.redirectUris[0]!;
    if (`${landing.origin}${landing.pathname}` !== redirectUri) {
      throw new Error(`the bank redirected to ${landing.href}, not to ${redirectUri}`);
    }
    const params = landing.searchParams;
    let code: string | undefined;
    let state: string | undefined;
    if (this.variant.jarm) {
      // JARM §4.4: the bank's signature, iss, aud (this client) and exp, before reading code and state.
      const verified = await verifyJarmResponse({
        response: params.get('response'),
        issuer: this.#bank.issuer,
        clientId: this.clientId,
        opKeys: this.#bankKeys,
        profile: this.variant.profile,
      });
      code = verified.code;
      state = verified.state;
    } else {
      if (params.has('error')) {
        throw new Error(`the bank answered ${params.get('error')}: ${params.get('error_description')}`);
      }
      // RFC 9207 §2.4, FAPI 2.0 SP §5.3.3.2: the response names the bank it came from (mix-up defence).
      if (params.get('iss') !== this.#bank.issuer) {
        throw new Error(`authorization response iss ${params.get('iss')} is not ${this.#bank.issuer}`);
      }
      code = params.get('code') ?? undefined;
      state = params.get('state') ?? undefined;
    }
    // RFC 6749 §10.12: the state ties the response to the request this client made.
    if (state !== pending.state) throw new Error('authorization response state does not match the request');
    if (!code) throw new Error('authorization response has no code');
    return code;
  }

  /**
   * RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5): the code becomes a token bound to this
   * client's DPoP key or certificate. The ID token is verified (OIDC Core §3.1.3.7) and must name the
   * consent the customer authorised.
   */
  async exchangeCode(pending: PendingAuthorization, code: string): Promise<AccessToken> {
    const response = await this.#backChannel('token_endpoint', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.#participant.redirectUris[0]!,
      code_verifier: pending.pkce.codeVerifier,
    });
    const token = this.#accessToken(response, 'code exchange');
    const idToken = await this.#verifyIdToken(response.body.id_token, pending);
    if (idToken.openbanking_intent_id !== pending.consentId) {
      throw new Error(
        `the ID token names consent ${idToken.openbanking_intent_id}, not ${pending.consentId}`,
      );
    }
    return token;
  }

  /** RFC 6749 §6: a new access token from the refresh token `token` came with (the same refresh token stays). */
  async refresh(token: AccessToken): Promise<AccessToken> {
    if (!token.refreshToken) throw new Error('this access token came without a refresh token');
    const response = await this.#backChannel('token_endpoint', {
      grant_type: 'refresh_token',
      refresh_token: token.refreshToken,
    });
    return { ...this.#accessToken(response, 'refresh'), refreshToken: token.refreshToken };
  }

  /** RFC 7009 §2.1: asks the bank to revoke a token of this client; the bank's answer as received. */
  revoke(
    token: string,
    hint: 'access_token' | 'refresh_token',
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.#backChannel('revocation_endpoint', { token, token_type_hint: hint });
  }

  /**
   * A call to the bank API (`path` under /open-banking/v3.1). DPoP-bound tokens go with a fresh proof
   * bound to the token (ath) and the server's nonce; certificate-bound tokens go over mutual TLS.
   */
  async api(token: AccessToken, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const url = `${this.#config.bankApi.baseUrl}${path}`;
    const send = async (): Promise<ApiResponse> => {
      const headers: Record<string, string> = {
        accept: 'application/json',
        authorization: `${token.scheme} ${token.value}`,
        // FAPI 1.0 Part 1 §6.2.2-5: a correlation id the bank echoes and records in its trace.
        [INTERACTION_ID_HEADER]: randomUUID(),
      };
      if (this.#dpopKey) {
        headers.dpop = await createDpopProof({
          key: this.#dpopKey,
          method,
          url,
          accessToken: token.value,
          ...this.#nonceFor(url),
        });
      }
      if (body !== undefined) headers['content-type'] = 'application/json';
      // UK OB R/W API v3.1: every POST carries an idempotency key.
      if (method === 'POST') headers['x-idempotency-key'] = randomUUID();
      const response = await fetch(url, {
        method,
        headers,
        dispatcher: this.variant.binding === 'mtls' ? this.#transport : this.#plain,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      this.#rememberNonce(url, response.headers);
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers as unknown as Headers,
        body: text ? JSON.parse(text) : undefined,
      };
    };
    const first = await send();
    // RFC 9449 §9: a resource server that wants a (new) nonce answers 401 with error use_dpop_nonce.
    if (
      this.#dpopKey &&
      first.status === 401 &&
      /use_dpop_nonce/.test(first.headers.get('www-authenticate') ?? '')
    ) {
      this.dpopNonceRetries++;
      return send();
    }
    return first;
  }

  async close(): Promise<void> {
    await Promise.all([this.#plain.close(), this.#transport.close()]);
  }

  /** Whether the client calls the bank's back channel with its certificate (RFC 8705 §5 aliases). */
  get #usesCertificate(): boolean {
    return this.variant.clientAuth === 'tls_client_auth' || this.variant.binding === 'mtls';
  }

  /**
   * A form POST to the token or PAR endpoint with client authentication and, for DPoP clients, a proof.
   * On a nonce challenge (400 use_dpop_nonce, RFC 9449 §8) it is sent once more with the nonce and a
   * fresh client assertion: the bank burns each assertion's jti (RFC 7523 §3).
   */
  async #backChannel(
    endpoint: BackChannelEndpoint,
    params: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const url = this.#usesCertificate
      ? (this.#bank.mtls_endpoint_aliases?.[endpoint] ?? this.#bank[endpoint])
      : this.#bank[endpoint];
    const send = async () => {
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      };
      if (this.#dpopKey) {
        headers.dpop = await createDpopProof({
          key: this.#dpopKey,
          method: 'POST',
          url,
          ...this.#nonceFor(url),
        });
      }
      const form = new URLSearchParams({ ...params, ...(await this.#clientAuthentication()) });
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: form.toString(),
        dispatcher: this.#usesCertificate ? this.#transport : this.#plain,
      });
      this.#rememberNonce(url, response.headers);
      return { status: response.status, body: await readJson(response) };
    };
    const first = await send();
    if (this.#dpopKey && first.status === 400 && first.body.error === 'use_dpop_nonce') {
      this.dpopNonceRetries++;
      return send();
    }
    return first;
  }

  /**
   * private_key_jwt (RFC 7523, FAPI 2.0 SP §5.3.3.1-5): a short-lived assertion signed with the key the
   * directory publishes. tls_client_auth (RFC 8705 §2.1): the certificate in the handshake is the proof,
   * and the form only names the client.
   */
  async #clientAuthentication(): Promise<Record<string, string>> {
    if (this.variant.clientAuth === 'tls_client_auth') return { client_id: this.clientId };
    const assertion = await createClientAssertion({
      clientId: this.clientId,
      issuer: this.#bank.issuer,
      signingKey: this.#signingKeys.forAlg(SIGNING_ALG),
    });
    return clientAssertionParams(assertion);
  }

  #accessToken(response: { status: number; body: Record<string, unknown> }, what: string): AccessToken {
    const { access_token: value, token_type: type, refresh_token: refreshToken } = response.body;
    if (response.status !== 200 || typeof value !== 'string') {
      throw new Error(`${what} refused: ${response.status} ${JSON.stringify(response.body)}`);
    }
    // RFC 9449 §5: a DPoP-bound token comes back with token_type DPoP, and is sent with that scheme.
    const expected = this.variant.binding === 'dpop' ? 'DPoP' : 'Bearer';
    if (String(type).toLowerCase() !== expected.toLowerCase()) {
      throw new Error(`${what}: token_type ${String(type)}, expected ${expected}`);
    }
    return { value, scheme: expected, ...(typeof refreshToken === 'string' ? { refreshToken } : {}) };
  }

  async #verifyIdToken(idToken: unknown, pending: PendingAuthorization): Promise<JWTPayload> {
    if (typeof idToken !== 'string')
      throw new Error('the token response has no id_token (OIDC Core §3.1.3.3)');
    // OIDC Core §3.1.3.7: signed by the bank, issued by it, for this client, not expired, this nonce.
    const { payload } = await jwtVerify(idToken, this.#bankKeys, {
      issuer: this.#bank.issuer,
      audience: this.clientId,
      algorithms: [SIGNING_ALG, 'ES256'],
    });
    if (payload.nonce !== pending.nonce)
      throw new Error('the ID token nonce is not the one this client sent');
    return payload;
  }

  #nonceFor(url: string): { nonce?: string } {
    const nonce = this.#nonces.get(new URL(url).origin);
    return nonce ? { nonce } : {};
  }

  /** RFC 9449 §8, §9: servers hand out nonces in DPoP-Nonce; the next proof to one carries its latest. */
  #rememberNonce(url: string, headers: { get(name: string): string | null }): void {
    const nonce = headers.get('dpop-nonce');
    if (nonce) this.#nonces.set(new URL(url).origin, nonce);
  }
}

async function getJson<T>(url: string, dispatcher: Agent): Promise<T> {
  const response = await fetch(url, { dispatcher, headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

async function readJson(response: Awaited<ReturnType<typeof fetch>>): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return { unparsable_body: text.slice(0, 300) };
  }
}
