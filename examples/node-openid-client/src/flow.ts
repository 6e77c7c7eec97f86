// Bring your own client: openid-client 6 (an OpenID-certified FAPI 2.0 relying party) against the sandbox
// bank, FAPI 2.0 Security Profile with private_key_jwt client authentication and DPoP-bound tokens (or
// FAPI 1.0 Part 1 Baseline: a plain authorization request and bearer tokens), optionally with encrypted
// request objects and ID tokens, and a JARM response encrypted to the client (encryption.ts):
//
//   1. fetch the software statement assertion (SSA) from the directory with the transport certificate
//   2. discover the bank and register by DCR with the SSA (RFC 7591, over mutual TLS)
//   3. client_credentials token (RFC 6749 §4.4) to create an account-access consent at the bank's API
//   4. PAR (RFC 9126) with PKCE (RFC 7636), then the customer signs in and consents at the bank
//   5. the code grant: iss (RFC 9207), state, nonce and the ID token checked by openid-client
//   6. GET /accounts with the DPoP-bound access token (RFC 9449)
//
// Everything the flow needs comes from the client bundle; `authorize` is the human part (a browser, or a
// scripted customer in tests): it gets the authorization URL and returns the URL the bank redirected to.
import { decodeProtectedHeader, importJWK } from 'jose';
import * as oidc from 'openid-client';
import { type Agent, fetch } from 'undici';
import { bundleAgent, type ClientBundle } from './bundle.js';
import {
  bankEncryptionKey,
  CONTENT_ENCRYPTION,
  clientEncryptionKey,
  decryptResponsesWith,
  encryptRequestObject,
  type KeyManagementAlg,
  requireEncryptedIdToken,
  requireEncryptedJarm,
} from './encryption.js';

export interface FlowOptions {
  bundle: ClientBundle;
  /** Sends the customer to the bank; resolves with the callback URL the bank redirected them to. */
  authorize: (authorizationUrl: URL) => Promise<URL | string>;
  /** Where each step and HTTP message is printed (default: console.log). */
  log?: (line: string) => void;
  /** UK OB permissions asked for (default: ReadAccountsBasic, ReadAccountsDetail). */
  permissions?: string[];
  /**
   * 'opaque': register for opaque access tokens, which bank-api introspects at the bank at every call
   * (RFC 7662; the bank's sandbox metadata access_token_format). Default: the bank's JWTs (RFC 9068).
   */
  accessTokenFormat?: 'jwt' | 'opaque';
  /**
   * 'fapi1-baseline': FAPI 1.0 Part 1, a plain authorization request with PKCE and nonce (no PAR, no request
   * object, no JARM) and an unbound bearer token. Default 'fapi2': PAR and DPoP-bound tokens.
   */
  profile?: 'fapi2' | 'fapi1-baseline';
  /** RFC 9101 §6.1: register request_object_encryption_alg/enc; sign each request object, then encrypt it. */
  encryptRequestObject?: KeyManagementAlg;
  /** Break it on purpose: register for request object encryption, then send the signed request object in clear. */
  requestObjectInClear?: boolean;
  /** OIDC Core §10.2: register id_token_encrypted_response_alg/enc; the bank encrypts ID tokens to the bundle's key. */
  encryptIdToken?: KeyManagementAlg;
  /**
   * JARM §2.2, §3 (FAPI 2.0 only): ask for a JARM response (response_mode=jwt), registering
   * authorization_encrypted_response_alg/enc; the bank signs it, then encrypts it to the bundle's key.
   */
  encryptJarm?: KeyManagementAlg;
}

export interface FlowResult {
  clientId: string;
  consentId: string;
  accounts: { AccountId: string; Nickname?: string; Currency?: string }[];
  /** The JWE protected headers of the encrypted request object, ID token and JARM response, when encrypted. */
  requestObjectJwe?: Record<string, unknown>;
  idTokenJwe?: Record<string, unknown>;
  jarmJwe?: Record<string, unknown>;
}

const API_VERSION_PATH = '/open-banking/v3.1';

/** openid-client's HTTP, through the bundle's agent, each request and answer printed as it happens. */
function loggingFetch(agent: Agent, log: (line: string) => void): oidc.CustomFetch {
  return (async (url: string, options: oidc.CustomFetchOptions) => {
    log(`   → ${options.method} ${url}`);
    const response = await fetch(url, { ...(options as object), dispatcher: agent });
    const nonce = response.headers.get('dpop-nonce') ? ' (with a DPoP-Nonce)' : '';
    log(`   ← ${response.status} ${response.headers.get('content-type') ?? ''}${nonce}`);
    return response;
  }) as unknown as oidc.CustomFetch;
}

export async function runFlow(options: FlowOptions): Promise<FlowResult> {
  const { bundle } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const agent = bundleAgent(bundle);
  const customFetch = loggingFetch(agent, log);
  const baseline = options.profile === 'fapi1-baseline';
  if (baseline && options.encryptJarm) {
    throw new Error(
      'encrypted JARM responses need JARM, which Baseline does not use here: use --profile fapi2',
    );
  }
  const jwe: Pick<FlowResult, 'requestObjectJwe' | 'idTokenJwe' | 'jarmJwe'> = {};
  try {
    log(
      '1. The software statement assertion, over mutual TLS with the transport certificate (RFC 7591 §2.3)',
    );
    const ssaResponse = await customFetch(bundle.endpoints.ssa, {
      method: 'GET',
      headers: { accept: 'application/jwt' },
      body: undefined,
      redirect: 'manual',
    } as oidc.CustomFetchOptions);
    if (ssaResponse.status !== 200) {
      throw new Error(`the directory refused the SSA: ${ssaResponse.status} ${await ssaResponse.text()}`);
    }
    const ssa = await ssaResponse.text();

    log('2. Discovery and dynamic client registration with the SSA (RFC 7591 §3.1, FAPI 2.0 SP §5.3.3.1)');
    const {
      encryptRequestObject: requestObjectAlg,
      encryptIdToken: idTokenAlg,
      encryptJarm: jarmAlg,
    } = options;
    const decryptionKeys = [idTokenAlg, jarmAlg]
      .filter((alg) => alg !== undefined)
      .map((alg) => clientEncryptionKey(bundle, alg));
    const signing = bundle.signing.privateJwks.keys.find((key) => key.alg === 'PS256');
    if (!signing?.kid)
      throw new Error('the bundle has no PS256 signing key with a kid (signing.privateJwks)');
    const clientAuth = oidc.PrivateKeyJwt({
      key: (await importJWK(signing, 'PS256')) as oidc.CryptoKey,
      kid: signing.kid,
    });
    const config = await oidc.dynamicClientRegistration(
      new URL(bundle.endpoints.bankIssuer),
      {
        software_statement: ssa,
        redirect_uris: [bundle.software.redirectUris[0]!],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'PS256',
        // bank-op holds each client to the profile it registers with (default FAPI 2.0).
        ...(baseline
          ? { fapi_profile: 'fapi1-baseline', require_pushed_authorization_requests: false }
          : { dpop_bound_access_tokens: true }),
        id_token_signed_response_alg: 'PS256',
        ...(requestObjectAlg
          ? {
              request_object_signing_alg: 'PS256',
              request_object_encryption_alg: requestObjectAlg,
              request_object_encryption_enc: CONTENT_ENCRYPTION,
            }
          : {}),
        ...(idTokenAlg
          ? {
              id_token_encrypted_response_alg: idTokenAlg,
              id_token_encrypted_response_enc: CONTENT_ENCRYPTION,
            }
          : {}),
        // JARM §3: the bank signs the authorization response (PS256), then encrypts it to the bundle's key.
        ...(jarmAlg
          ? {
              authorization_signed_response_alg: 'PS256',
              authorization_encrypted_response_alg: jarmAlg,
              authorization_encrypted_response_enc: CONTENT_ENCRYPTION,
            }
          : {}),
        ...(options.accessTokenFormat ? { access_token_format: options.accessTokenFormat } : {}),
      },
      clientAuth,
      { [oidc.customFetch]: customFetch },
    );
    const clientId = config.clientMetadata().client_id;
    log(`   registered: client_id ${clientId}`);
    if (decryptionKeys.length > 0) await decryptResponsesWith(config, decryptionKeys);
    // response_mode=jwt on every authorization request; openid-client then verifies the JARM response.
    if (jarmAlg) oidc.useJwtResponseMode(config);

    // RFC 9449: one key pair for this session; every token the bank issues is bound to it (cnf.jkt).
    // FAPI 1.0 Part 1 §6.2.1-2: Baseline's tokens are bearer tokens, bound to nothing.
    const DPoP = baseline ? undefined : oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));

    log(
      '3. A client_credentials token to create the consent (RFC 6749 §4.4, private_key_jwt RFC 7523, DPoP)',
    );
    const appToken = await oidc.clientCredentialsGrant(config, { scope: 'accounts' }, { DPoP });
    log('   POST /aisp/account-access-consents (UK OB Account and Transaction API v3.1)');
    const consentResponse = await oidc.fetchProtectedResource(
      config,
      appToken.access_token,
      new URL(`${bundle.endpoints.bankApi}${API_VERSION_PATH}/aisp/account-access-consents`),
      'POST',
      JSON.stringify({
        Data: { Permissions: options.permissions ?? ['ReadAccountsBasic', 'ReadAccountsDetail'] },
        Risk: {},
      }),
      new Headers({ 'content-type': 'application/json', 'x-fapi-interaction-id': crypto.randomUUID() }),
      { DPoP },
    );
    const consent = (await consentResponse.json()) as { Data?: { ConsentId?: string } };
    const consentId = consent.Data?.ConsentId;
    if (consentResponse.status !== 201 || !consentId) {
      throw new Error(`the bank refused the consent: ${consentResponse.status} ${JSON.stringify(consent)}`);
    }
    log(`   consent ${consentId} awaits the customer`);

    log(
      baseline
        ? '4. A plain authorization request with PKCE S256 and nonce (FAPI 1.0 Part 1 §5.2.2, RFC 7636), then the customer at the bank'
        : '4. PAR with PKCE S256 (RFC 9126, RFC 7636; FAPI 2.0 SP §5.3.3.2), then the customer at the bank',
    );
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    let parameters: Record<string, string> = {
      redirect_uri: bundle.software.redirectUris[0]!,
      scope: 'openid accounts',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      // UK OB: the consent this authorization is for, as an essential ID token claim.
      claims: JSON.stringify({
        id_token: {
          openbanking_intent_id: { value: consentId, essential: true },
          acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
        },
      }),
    };
    if (requestObjectAlg) {
      // RFC 9101 §6.1: sign every parameter into a request object (JAR), then encrypt it to the bank.
      const jar = await oidc.buildAuthorizationUrlWithJAR(config, parameters, {
        key: (await importJWK(signing, 'PS256')) as oidc.CryptoKey,
        kid: signing.kid,
      });
      let request = jar.searchParams.get('request')!;
      if (!options.requestObjectInClear) {
        request = await encryptRequestObject(
          request,
          await bankEncryptionKey(config, requestObjectAlg, customFetch),
        );
        jwe.requestObjectJwe = decodeProtectedHeader(request);
        log(`   request object signed, then encrypted: JWE header ${JSON.stringify(jwe.requestObjectJwe)}`);
      }
      parameters = { client_id: clientId, request };
    }
    const authorizationUrl = baseline
      ? oidc.buildAuthorizationUrl(config, parameters)
      : await oidc.buildAuthorizationUrlWithPAR(config, parameters, { DPoP });
    const callback = new URL(await options.authorize(authorizationUrl));
    if (jarmAlg) {
      jwe.jarmJwe = requireEncryptedJarm(callback);
      log(
        `   JARM response signed by the bank, then encrypted to this client: JWE header ${JSON.stringify(jwe.jarmJwe)}`,
      );
    }

    log('5. The code grant: iss, state, PKCE, nonce and the ID token checked (RFC 9207, OIDC Core §3.1.3.7)');
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callback,
      { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
      undefined,
      { DPoP },
    );
    if (idTokenAlg) {
      jwe.idTokenJwe = requireEncryptedIdToken(tokens.id_token);
      log(
        `   ID token signed by the bank, then encrypted to this client: JWE header ${JSON.stringify(jwe.idTokenJwe)}`,
      );
    }
    log(
      `   token_type ${tokens.token_type}, ID token for intent ${String(tokens.claims()?.openbanking_intent_id)}`,
    );

    log(
      baseline
        ? '6. GET /aisp/accounts with the bearer access token (RFC 6750 §2.1: bound to nothing)'
        : '6. GET /aisp/accounts with the DPoP-bound access token (RFC 9449 §7)',
    );
    const accountsResponse = await oidc.fetchProtectedResource(
      config,
      tokens.access_token,
      new URL(`${bundle.endpoints.bankApi}${API_VERSION_PATH}/aisp/accounts`),
      'GET',
      undefined,
      new Headers({ 'x-fapi-interaction-id': crypto.randomUUID() }),
      { DPoP },
    );
    const body = (await accountsResponse.json()) as { Data?: { Account?: FlowResult['accounts'] } };
    if (accountsResponse.status !== 200) {
      throw new Error(
        `the bank refused the accounts read: ${accountsResponse.status} ${JSON.stringify(body)}`,
      );
    }
    const accounts = body.Data?.Account ?? [];
    for (const account of accounts) {
      log(`   account ${account.AccountId} ${account.Nickname ?? ''} ${account.Currency ?? ''}`.trimEnd());
    }
    return { clientId, consentId, accounts, ...jwe };
  } finally {
    await agent.close();
  }
}

/** What the bank or the library said, in one line: an OAuth error with its description, never a stack trace. */
export function describeFailure(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError) {
    return `the bank answered ${err.status} ${err.error}: ${err.error_description ?? '(no description)'}`;
  }
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    const [challenge] = err.cause;
    const parameters = challenge?.parameters ?? {};
    return `the bank answered ${err.status} ${parameters.error ?? ''}: ${parameters.error_description ?? ''}`;
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    return `the bank answered the authorization request with ${err.error}: ${err.error_description ?? '(no description)'}`;
  }
  if (err instanceof oidc.ClientError) return `${err.message}${err.cause ? ` (${String(err.cause)})` : ''}`;
  return err instanceof Error ? err.message : String(err);
}
