// A FAPI client from a script, step by step: what a TPP's back end does to read a customer's accounts at
// the sandbox bank, with no browser. Read it top to bottom beside the specs:
//
//   connect()                     the bank from the directory, discovery, its keys, the SSA, DCR (RFC 7591)
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
import type { AccessTokenFormat } from '@fapi-sandbox/fapi-core/introspection';
import { type DpopKey, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import type { KeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { createPkcePair, type PkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { createSandboxAgent, readPem, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import type { JWK, JWTVerifyGetKey } from 'jose';
import type { Agent } from 'undici';
import { type AuthorizationDetail, checkGrantedDetails } from './authorization-details.js';
import { checkAuthorizationResponse } from './authorization-response.js';
import { bankApiCall } from './bank-api.js';
import type { Bend } from './bend.js';
import { requestedMetadata, SIGNING_ALG, scopeForRoles } from './client-metadata.js';
import {
  type AccountChoice,
  type Customer,
  CustomerBrowser,
  redirectOf,
} from './customer/customer-browser.js';
import { checkSoftwareStatement, fetchSoftwareStatement, findAuthorisationServer } from './directory.js';
import { discoverBank, endpointOf, type OpMetadata } from './discovery.js';
import { bankRequestObjectKey, participantDecryptionKeys } from './encryption.js';
import { createExchange, type EngineContext, type ExchangeResponse } from './exchange.js';
import { verifyIdToken } from './id-token.js';
import { type FapiObserver, reportChecks, type StepRef } from './observer.js';
import { authorizationUrl, pushAuthorizationRequest } from './par.js';
import { PROFILE_FACTS, type ProfileFacts, type ProfileId, type SenderConstraint } from './profiles.js';
import {
  type BackChannelEndpoint,
  type ClientAuthMethod,
  DpopNonces,
  type RegisteredClient,
} from './registered-client.js';
import { registerClient } from './registration.js';
import { checkTokenBinding, isTokenResponse, revokeToken, tokenRequest } from './token-endpoint.js';

/** One way of connecting: a security profile, a client authentication method and a token binding. */
export interface FlowVariant {
  id: ProfileId;
  title: string;
  /** bank-op's `fapi_profile` client metadata: which profile's rules the bank holds this client to. */
  profile: ProfileFacts['fapiProfile'];
  clientAuth: ClientAuthMethod;
  /** How access tokens are sender-constrained: a DPoP key (RFC 9449), the TLS certificate (RFC 8705), or not (Baseline). */
  binding: SenderConstraint;
  /** JAR (RFC 9101): the authorization parameters travel in a request object the client signs. */
  signedRequest: boolean;
  /** JARM: the bank answers the authorization request with a JWT it signs. */
  jarm: boolean;
  /** RFC 9101 §6.1: request objects signed, then encrypted to the bank's key with this algorithm. */
  encryptRequestObject?: KeyManagementAlg;
  /** OIDC Core §10.2: ID tokens encrypted to the participant's key with this algorithm. */
  encryptedIdToken?: KeyManagementAlg;
  /** JARM §2.2: with `jarm`, authorization responses signed by the bank, then encrypted to the participant. */
  encryptedJarm?: KeyManagementAlg;
  /**
   * Opaque access tokens that bank-api introspects at bank-op (RFC 7662) instead of JWTs it checks
   * offline (RFC 9068, the default): bank-op's access_token_format client metadata.
   */
  accessTokenFormat?: AccessTokenFormat;
  /** FAPI 1.0 Baseline: the authorization parameters travel in the browser's URL, not pushed (PAR). */
  plainRequest?: boolean;
}

/** A variant from the engine's profile facts and a client authentication method. */
function flowVariant(id: ProfileId, title: string, clientAuth: ClientAuthMethod): FlowVariant {
  const facts = PROFILE_FACTS[id];
  return {
    id,
    title,
    profile: facts.fapiProfile,
    clientAuth,
    binding: facts.senderConstraint,
    signedRequest: facts.signedRequestObject,
    jarm: facts.jarm,
    ...(facts.accessTokenFormat ? { accessTokenFormat: facts.accessTokenFormat } : {}),
    ...(facts.plainAuthorizationRequest ? { plainRequest: true } : {}),
  };
}

export const FLOW_VARIANTS: readonly FlowVariant[] = [
  flowVariant('fapi2-dpop', 'FAPI 2.0 + DPoP + private_key_jwt', 'private_key_jwt'),
  flowVariant('fapi2-mtls', 'FAPI 2.0 + mTLS + tls_client_auth', 'tls_client_auth'),
  flowVariant('fapi1-advanced', 'FAPI 1.0 Advanced (JAR + JARM) + private_key_jwt', 'private_key_jwt'),
  flowVariant(
    'fapi1-baseline',
    'FAPI 1.0 Baseline (plain request, bearer token) + private_key_jwt',
    'private_key_jwt',
  ),
];

/**
 * One variant per profile the TPP offers: FLOW_VARIANTS and FAPI 2.0 + DPoP with opaque access tokens
 * (fapi2-dpop-opaque), which the attack lab runs under too.
 */
export const PROFILE_VARIANTS: readonly FlowVariant[] = [
  ...FLOW_VARIANTS,
  flowVariant(
    'fapi2-dpop-opaque',
    'FAPI 2.0 + DPoP + private_key_jwt, opaque access tokens (introspected)',
    'private_key_jwt',
  ),
];

/** The same way of connecting, with opaque access tokens (introspected by bank-api, RFC 7662). */
export function withOpaqueAccessTokens(variant: FlowVariant): FlowVariant {
  return {
    ...variant,
    title: `${variant.title} + opaque access tokens (introspected)`,
    accessTokenFormat: 'opaque',
  };
}

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
  /** RFC 9396 §7: the authorization_details the bank granted, when the request carried some. */
  authorizationDetails?: unknown[];
}

/** What the client keeps between pushing the request and receiving the customer back. */
export interface PendingAuthorization {
  /** The UK OB intent the request names; none for a rich authorization request. */
  consentId?: string;
  /** RFC 9396: the authorization_details pushed instead of an intent. */
  authorizationDetails?: AuthorizationDetail[];
  /** RFC 9126 §2.2: the pushed request's handle; absent for a plain (Baseline) request. */
  requestUri?: string;
  /** FAPI 1.0 Part 1: a plain request's parameters, which the browser carries in the URL. */
  plainParams?: Record<string, string>;
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

export interface ConnectOptions {
  config: SandboxConfig;
  variant: FlowVariant;
  /** The TPP software that connects; the demo TPP (Moneywise) by default. */
  participant?: Participant;
  /** The DPoP key the client keeps, for DPoP-bound variants; a fresh ES256 key by default. */
  dpopKey?: DpopKey;
  /** Sees every exchange and every check the client makes, with its clause. */
  observer?: FapiObserver;
  /** May change one outgoing message (a claim before signing, a header, the key) for an attack test. */
  bend?: Bend;
  /**
   * The x-fapi-interaction-id of every request this client sends (FAPI 1.0 Part 1 §6.2.1-11), so each
   * party files them under the caller's interaction (a TPP's connection); one per API call by default.
   */
  interactionId?: string;
}

/** What a connected client holds: its registration, the bank's metadata and keys, its own keys and agents. */
interface ClientParts {
  variant: FlowVariant;
  metadata: Record<string, unknown>;
  config: SandboxConfig;
  participant: Participant;
  bank: OpMetadata;
  bankKeys: JWTVerifyGetKey;
  /** The registered client as the engine's steps use it. */
  registered: RegisteredClient;
  engine: EngineContext;
  /** Trusts the sandbox CA and presents no certificate: the bank's public endpoints, the browser. */
  plain: Agent;
  /** Presents the participant's directory-issued transport certificate (mutual TLS). */
  transport: Agent;
}

/** The steps' names and clauses, as the observer sees them. */
const STEP = {
  participants: { step: 'participants', clause: 'FAPI 2.0 SP §5.3.3.1, UK OB Directory §Participants' },
  ssa: { step: 'ssa', clause: 'RFC 7591 §2.3' },
  ssaCheck: { step: 'ssa-check', clause: 'RFC 7591 §2.3, RFC 7515 §5.2' },
  discovery: { step: 'discovery', clause: 'OIDC Discovery §4, RFC 8414 §3' },
  registration: { step: 'registration', clause: 'RFC 7591 §3.1, RFC 8705 §2' },
  clientCredentials: { step: 'token:client_credentials', clause: 'RFC 6749 §4.4' },
  par: { step: 'par', clause: 'RFC 9126 §2.1, FAPI 2.0 SP §5.3.3.2-2' },
  plainRequest: { step: 'authorization-request', clause: 'RFC 6749 §4.1.1, FAPI 1.0 Part 1 §5.2.2-7' },
  authorizationResponse: { step: 'authorization-response', clause: 'RFC 9207 §2.4, RFC 6749 §10.12' },
  code: { step: 'token:authorization_code', clause: 'RFC 6749 §4.1.3, RFC 7636 §4.5' },
  idToken: { step: 'id-token', clause: 'OIDC Core §3.1.3.7' },
  refresh: { step: 'token:refresh_token', clause: 'RFC 6749 §6' },
  revoke: { step: 'revoke', clause: 'RFC 7009 §2.1' },
  api: { step: 'api', clause: 'FAPI 2.0 SP §5.3.4, UK OB R/W API v3.1' },
} satisfies Record<string, StepRef>;

export class FapiFlowClient {
  readonly variant: FlowVariant;
  readonly clientId: string;
  /** The client metadata the bank registered (RFC 7591 §3.2.1), e.g. fapi_profile, bound-token flags. */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** How often a server asked for a fresh DPoP nonce and the request was sent again (RFC 9449 §8, §9). */
  dpopNonceRetries = 0;
  readonly #config: SandboxConfig;
  readonly #participant: Participant;
  readonly #bank: OpMetadata;
  readonly #bankKeys: JWTVerifyGetKey;
  readonly #registered: RegisteredClient;
  readonly #engine: EngineContext;
  readonly #plain: Agent;
  readonly #transport: Agent;

  private constructor(parts: ClientParts) {
    this.variant = parts.variant;
    this.clientId = parts.registered.clientId;
    this.metadata = parts.metadata;
    this.#config = parts.config;
    this.#participant = parts.participant;
    this.#bank = parts.bank;
    this.#bankKeys = parts.bankKeys;
    this.#registered = parts.registered;
    // Counts nonce retries for callers that only want the number (benchmarks, tests).
    this.#engine = {
      ...parts.engine,
      exchange: (message) => {
        if (message.nonceRetry) this.dpopNonceRetries++;
        return parts.engine.exchange(message);
      },
    };
    this.#plain = parts.plain;
    this.#transport = parts.transport;
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
    const send = createExchange({ observer: options.observer, bend: options.bend });
    const { interactionId } = options;
    const engine: EngineContext = {
      exchange: interactionId ? (message) => send({ ...message, interactionId }) : send,
      observer: options.observer,
      bend: options.bend,
    };
    try {
      // FAPI 2.0 SP §5.3.3.1: the bank's issuer and discovery document come from the directory's list.
      const found = await findAuthorisationServer(engine, STEP.participants, {
        directory: config.directory,
        bank: config.bank,
        dispatcher: plain,
      });
      if ('failed' in found) throw new Error(`participants list answered ${describeAnswer(found.failed)}`);
      if ('refusal' in found) throw new Error(describeRefusal(found.refusal));
      const discovered = await discoverBank(
        engine,
        { discovery: STEP.discovery, jwks: STEP.discovery },
        { discoveryUrl: found.server.discoveryUrl, issuer: found.server.issuer, dispatcher: plain },
      );
      if ('failed' in discovered) throw new Error(`discovery answered ${describeAnswer(discovered.failed)}`);
      if ('refusal' in discovered) throw new Error(describeRefusal(discovered.refusal));
      const { metadata: bank, keys: bankKeys, jwks: bankJwks } = discovered;
      const endpoint = (name: BackChannelEndpoint, mutualTls: boolean): string => {
        const url = endpointOf(bank, name, mutualTls);
        if (!url) throw new Error(`the bank's discovery document has no ${name} (RFC 8414 §2)`);
        return url;
      };
      const signingKeys = await loadSigningKeys(participant.signingJwks, { profile: variant.profile });
      // RFC 9449 §4: the DPoP key is the client's own, made now; the bank binds tokens to its thumbprint.
      const dpopKey =
        variant.binding === 'dpop' ? (options.dpopKey ?? (await generateDpopKey('ES256'))) : undefined;

      // The directory hands the SSA only to the software's own transport certificate; the client checks
      // it before sending it to the bank (RFC 7591 §2.3).
      const fetched = await fetchSoftwareStatement(engine, STEP.ssa, {
        directory: config.directory,
        software: participant,
        transport,
      });
      if ('failed' in fetched) throw new Error(`the SSA fetch answered ${describeAnswer(fetched.failed)}`);
      const { ssa } = fetched;
      const checked = await checkSoftwareStatement(engine, STEP.ssaCheck, {
        ssa,
        directory: config.directory,
        software: participant,
        dispatcher: plain,
      });
      if ('failed' in checked)
        throw new Error(`the directory's keys answered ${describeAnswer(checked.failed)}`);
      if ('refusal' in checked) throw new Error(describeRefusal(checked.refusal));

      // RFC 7591 §3.1 over mutual TLS (RFC 8705 §2): the bank checks the SSA's signature and that the
      // certificate belongs to the same software. fapi_profile is bank-op's metadata naming the profile.
      const registration = await registerClient(engine, STEP.registration, {
        registrationEndpoint: endpoint('registration_endpoint', false),
        transport,
        metadata: {
          software_statement: ssa,
          ...requestedMetadata({
            profile: {
              ...PROFILE_FACTS[variant.id],
              title: variant.title,
              requestObjectEncryption: variant.encryptRequestObject,
              idTokenEncryption: variant.encryptedIdToken,
              jarmEncryption: variant.encryptedJarm,
            },
            clientAuth: variant.clientAuth,
            redirectUri: participant.redirectUris[0]!,
            clientName: participant.clientName,
            scope: scopeForRoles(participant.roles),
            ...(variant.accessTokenFormat ? { accessTokenFormat: variant.accessTokenFormat } : {}),
          }),
        },
      });
      const registered = jsonObject(registration);
      if (registration.status !== 201 || typeof registered.client_id !== 'string') {
        throw new Error(`registration refused: ${registration.status} ${JSON.stringify(registered)}`);
      }
      // RFC 8705 §5: a client that uses its certificate calls the mTLS aliases of the back channel.
      const usesCertificate = variant.clientAuth === 'tls_client_auth' || variant.binding === 'mtls';
      return new FapiFlowClient({
        variant,
        metadata: registered,
        config,
        participant,
        bank,
        bankKeys,
        engine,
        plain,
        transport,
        registered: {
          clientId: registered.client_id,
          issuer: bank.issuer,
          clientAuth: variant.clientAuth,
          endpoint: (name) => endpoint(name, usesCertificate),
          opDispatcher: usesCertificate ? transport : plain,
          // bank-api asks a Bearer caller for its transport certificate (a Baseline client's too).
          apiDispatcher: variant.binding === 'dpop' ? plain : transport,
          signingKey: signingKeys.forAlg(SIGNING_ALG),
          ...(variant.encryptRequestObject
            ? {
                requestObjectEncryptionKey: bankRequestObjectKey(
                  bank,
                  bankJwks,
                  variant.encryptRequestObject,
                ),
              }
            : {}),
          ...(dpopKey ? { dpop: { key: dpopKey, nonces: new DpopNonces() } } : {}),
          authorizationScheme: dpopKey ? 'DPoP' : 'Bearer',
          expectedCnf: dpopKey
            ? { jkt: dpopKey.jkt }
            : variant.binding === 'none'
              ? null
              : { 'x5t#S256': certificateThumbprint(readPem(participant.transportCert).toString('utf8')) },
        },
      });
    } catch (err) {
      await Promise.all([plain.close(), transport.close()]);
      throw err;
    }
  }

  /** RFC 6749 §4.4: a token for the TPP itself, e.g. scope `accounts` to create consents. */
  async clientCredentialsToken(scope: 'accounts' | 'payments'): Promise<AccessToken> {
    const response = await tokenRequest(this.#engine, this.#registered, STEP.clientCredentials, {
      grant_type: 'client_credentials',
      scope,
    });
    return this.#accessToken(response, STEP.clientCredentials, 'client credentials grant');
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

  /** The participant's private encryption keys (use enc), for ID tokens and JARM responses encrypted to it. */
  #decryptionKeys(): { keys: JWK[] } {
    return participantDecryptionKeys(this.#participant);
  }

  /**
   * PAR (RFC 9126): the authorization request goes to the bank over the back channel, authenticated,
   * and the browser only carries the request_uri the bank returns. FAPI 1.0 Advanced clients put the
   * parameters in a signed request object (JAR, RFC 9101) and ask for a JARM response.
   */
  async pushAuthorizationRequest(
    consentId: string | undefined,
    scope = 'openid accounts',
    options: { authorizationDetails?: AuthorizationDetail[] } = {},
  ): Promise<PendingAuthorization> {
    const details = options.authorizationDetails;
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
      // UK OB: the consent this authorization is about, and strong customer authentication; or (RFC 9396)
      // the details themselves instead of an intent.
      claims: JSON.stringify(
        consentId
          ? {
              id_token: {
                openbanking_intent_id: { value: consentId, essential: true },
                acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
              },
              userinfo: { openbanking_intent_id: { value: consentId, essential: true } },
            }
          : { id_token: { acr: { essential: true, values: ['urn:openbanking:psd2:sca'] } } },
      ),
      ...(details ? { authorization_details: JSON.stringify(details) } : {}),
    };
    const asked = {
      ...(consentId ? { consentId } : {}),
      ...(details ? { authorizationDetails: details } : {}),
    };
    if (this.variant.plainRequest) {
      // FAPI 1.0 Part 1 allows it: nothing pushed, nothing signed; the browser (and whatever runs in it)
      // sees and could change every parameter. PKCE still ties the code to this client (§5.2.2-7).
      reportChecks(this.#engine.observer, STEP.plainRequest, [
        {
          name: 'plain authorization request: the parameters travel unsigned in the browser URL, with PKCE S256',
          passed: true,
          clause: STEP.plainRequest.clause,
          detail: `response_type code, code_challenge_method S256, state and nonce; Advanced signs them (JAR), FAPI 2.0 pushes them (PAR)`,
        },
      ]);
      return { ...asked, plainParams: params, state, nonce, pkce };
    }
    const response = await pushAuthorizationRequest(this.#engine, this.#registered, STEP.par, params, {
      signedRequest: this.variant.signedRequest,
    });
    const body = jsonObject(response);
    if (response.status !== 201 || typeof body.request_uri !== 'string') {
      throw new Error(`PAR refused: ${response.status} ${JSON.stringify(body)}`);
    }
    return { ...asked, requestUri: body.request_uri, state, nonce, pkce };
  }

  /** RFC 9126 §4: the authorization URL carries only client_id and the pushed request's request_uri. */
  authorizationUrl(pending: PendingAuthorization): URL {
    if (pending.plainParams) {
      // RFC 6749 §4.1.1: every parameter in the query of the authorization endpoint.
      const url = new URL(this.#bank.authorization_endpoint);
      url.search = new URLSearchParams({ client_id: this.clientId, ...pending.plainParams }).toString();
      return url;
    }
    return authorizationUrl(this.#bank.authorization_endpoint, this.clientId, pending.requestUri!);
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
    // RFC 6749 §3.1.2: the response is read only at the redirect URI this client registered.
    const atRedirectUri = `${landing.origin}${landing.pathname}` === redirectUri;
    reportChecks(this.#engine.observer, STEP.authorizationResponse, [
      {
        name: 'the response arrived at the registered redirect URI',
        passed: atRedirectUri,
        clause: 'RFC 6749 §3.1.2',
        detail: landing.href,
      },
    ]);
    if (!atRedirectUri) throw new Error(`the bank redirected to ${landing.href}, not to ${redirectUri}`);
    const { code } = await checkAuthorizationResponse({
      params: Object.fromEntries(landing.searchParams),
      state: pending.state,
      issuer: this.#bank.issuer,
      clientId: this.clientId,
      bankKeys: this.#bankKeys,
      jarm: this.variant.jarm,
      ...(this.variant.encryptedJarm
        ? {
            jarmDecryption: { alg: this.variant.encryptedJarm, enc: 'A256GCM', keys: this.#decryptionKeys() },
          }
        : {}),
      observer: this.#engine.observer,
      step: STEP.authorizationResponse,
    });
    return code;
  }

  /**
   * RFC 6749 §4.1.3 with the PKCE verifier (RFC 7636 §4.5): the code becomes a token bound to this
   * client's DPoP key or certificate. The ID token is verified (OIDC Core §3.1.3.7) and must name the
   * consent the customer authorised.
   */
  async exchangeCode(pending: PendingAuthorization, code: string): Promise<AccessToken> {
    const response = await tokenRequest(this.#engine, this.#registered, STEP.code, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.#participant.redirectUris[0]!,
      code_verifier: pending.pkce.codeVerifier,
    });
    const token = this.#accessToken(response, STEP.code, 'code exchange');
    if (pending.authorizationDetails) {
      const check = checkGrantedDetails(pending.authorizationDetails, token.authorizationDetails);
      reportChecks(this.#engine.observer, STEP.code, [check]);
      if (!check.passed)
        throw new Error(`code exchange: ${check.name} failed (${check.clause}): ${check.detail}`);
    }
    await verifyIdToken({
      idToken: jsonObject(response).id_token,
      issuer: this.#bank.issuer,
      clientId: this.clientId,
      bankKeys: this.#bankKeys,
      nonce: pending.nonce,
      consentId: pending.consentId,
      observer: this.#engine.observer,
      step: STEP.idToken,
      ...(this.variant.encryptedIdToken ? { decryptionKeys: this.#decryptionKeys() } : {}),
    });
    return token;
  }

  /** RFC 6749 §6: a new access token from the refresh token `token` came with (the same refresh token stays). */
  async refresh(token: AccessToken): Promise<AccessToken> {
    if (!token.refreshToken) throw new Error('this access token came without a refresh token');
    const response = await tokenRequest(this.#engine, this.#registered, STEP.refresh, {
      grant_type: 'refresh_token',
      refresh_token: token.refreshToken,
    });
    return { ...this.#accessToken(response, STEP.refresh, 'refresh'), refreshToken: token.refreshToken };
  }

  /** RFC 7009 §2.1: asks the bank to revoke a token of this client; the bank's answer as received. */
  async revoke(
    token: string,
    hint: 'access_token' | 'refresh_token',
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await revokeToken(this.#engine, this.#registered, STEP.revoke, token, hint);
    return { status: response.status, body: jsonObject(response) };
  }

  /**
   * A call to the bank API (`path` under /open-banking/v3.1). DPoP-bound tokens go with a fresh proof
   * bound to the token (ath) and the server's nonce; certificate-bound tokens go over mutual TLS. A POST
   * goes with `idempotencyKey`, or a new one: a client retrying a POST whose answer it lost sends the
   * first key again, and the bank answers with what it did then (UK OB R/W API v3.1, Idempotency).
   */
  async api(
    token: AccessToken,
    method: string,
    path: string,
    body?: unknown,
    options: { idempotencyKey?: string } = {},
  ): Promise<ApiResponse> {
    const response = await bankApiCall(this.#engine, this.#registered, STEP.api, {
      method: method as 'GET' | 'POST' | 'PUT' | 'DELETE',
      url: `${this.#config.bankApi.baseUrl}${path}`,
      accessToken: token.value,
      // FAPI 1.0 Part 1 §6.2.2-5: a correlation id the bank echoes and records in its trace.
      interactionId: randomUUID(),
      json: body,
      // UK OB R/W API v3.1: every POST carries an idempotency key.
      ...(method === 'POST' ? { idempotencyKey: options.idempotencyKey ?? randomUUID() } : {}),
    });
    return {
      status: response.status,
      headers: new Headers(response.headers),
      body: response.text ? JSON.parse(response.text) : undefined,
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.#plain.close(), this.#transport.close()]);
  }

  /** RFC 6749 §5.1 token response, checked for the binding this client asked for (RFC 9449 §5, RFC 8705 §3). */
  #accessToken(response: ExchangeResponse, step: StepRef, what: string): AccessToken {
    const body = jsonObject(response);
    if (response.status !== 200 || !isTokenResponse(body)) {
      throw new Error(`${what} refused: ${response.status} ${JSON.stringify(body)}`);
    }
    const failed = checkTokenBinding(this.#engine, this.#registered, step, body);
    if (failed) throw new Error(`${what}: ${failed.name} failed (${failed.clause}): ${failed.detail}`);
    return {
      value: body.access_token,
      // RFC 9449 §7.1: a DPoP-bound token is sent with the DPoP scheme.
      scheme: this.#registered.authorizationScheme,
      ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
      ...(Array.isArray(body.authorization_details)
        ? { authorizationDetails: body.authorization_details }
        : {}),
    };
  }
}

/** The answer's JSON object, or a note that it was not one (a proxy's HTML page, say). */
function jsonObject(response: ExchangeResponse): Record<string, unknown> {
  if (response.body && typeof response.body === 'object') return response.body as Record<string, unknown>;
  return response.text ? { unparsable_body: response.text.slice(0, 300) } : {};
}

/** An answer the script stops at: its status and the start of its body. */
function describeAnswer(response: ExchangeResponse): string {
  return `${response.status}: ${response.text.slice(0, 300)}`;
}

/** A refusal the script stops at, with its clause. */
function describeRefusal(refusal: { description: string; clause: string }): string {
  return `${refusal.description} (${refusal.clause})`;
}
