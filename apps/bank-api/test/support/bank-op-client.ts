// A FAPI 2.0 client of the real bank-op, as a TPP is: it registers by DCR with the directory's SSA
// (RFC 7591, over its transport certificate), authenticates with private_key_jwt (RFC 7523), gets
// client-credentials tokens, and runs PAR + PKCE + the customer's sign-in and consent pages + code
// redemption, binding every token with DPoP (with nonce retries) or its mTLS certificate.
import { randomUUID } from 'node:crypto';
import { CustomerBrowser, redirectOf } from '@fapi-sandbox/bank-op/customer-browser';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { DirectoryClient } from '@fapi-sandbox/fapi-core/directory-client';
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { createDpopProof } from '@fapi-sandbox/fapi-core/jose/dpop';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { createPkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { type Dispatcher, fetch } from 'undici';
import type { TestClient } from './clients.js';
import type { CustomerApproval, TokenSource } from './token-source.js';

interface Json {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function asJson(response: Awaited<ReturnType<typeof fetch>>): Promise<Json> {
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers as unknown as Headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export interface BankOpTokenSourceOptions {
  config: SandboxConfig;
  directory: DirectoryClient;
  /** Trusts the sandbox CA, presents no certificate. */
  plain: Dispatcher;
}

export function bankOpTokenSource(options: BankOpTokenSourceOptions): TokenSource & {
  register(client: TestClient): Promise<void>;
} {
  const { config, plain } = options;
  const issuer = config.bankOp.issuer;

  /** The back channel: the mTLS alias with the certificate for mTLS-bound clients, else the issuer. */
  const endpoint = (client: TestClient, path: string) =>
    `${client.binding === 'mtls' ? config.bankOp.mtls.origin : issuer}${path}`;
  const dispatcherOf = (client: TestClient) => (client.binding === 'mtls' ? client.dispatcher : plain);

  async function clientAuth(client: TestClient): Promise<Record<string, string>> {
    const keys = await loadSigningKeys(client.participant.signingJwks);
    return clientAssertionParams(
      await createClientAssertion({ clientId: client.clientId, issuer, signingKey: keys.forAlg('PS256') }),
    );
  }

  /** A back-channel POST with client authentication, a DPoP proof and one retry on use_dpop_nonce. */
  async function post(client: TestClient, path: string, params: Record<string, string>): Promise<Json> {
    const url = endpoint(client, path);
    let nonce: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      };
      if (client.dpopKey) {
        headers.dpop = await createDpopProof({
          key: client.dpopKey,
          method: 'POST',
          url,
          ...(nonce ? { nonce } : {}),
        });
      }
      const response = await asJson(
        await fetch(url, {
          method: 'POST',
          headers,
          body: new URLSearchParams({ ...params, ...(await clientAuth(client)) }).toString(),
          dispatcher: dispatcherOf(client),
        }),
      );
      if (response.status === 400 && response.body.error === 'use_dpop_nonce' && attempt === 0) {
        nonce = response.headers.get('dpop-nonce') ?? undefined;
        continue;
      }
      return response;
    }
    throw new Error('unreachable');
  }

  function accessToken(response: Json, what: string): string {
    if (response.status !== 200 || typeof response.body.access_token !== 'string') {
      throw new Error(`bank-op ${what}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body.access_token;
  }

  return {
    async register(client) {
      const ssa = await options.directory.fetchSsa(
        client.participant.orgId,
        client.participant.softwareId,
        client.transport,
      );
      const response = await asJson(
        await fetch(`${config.bankOp.mtls.origin}/register`, {
          method: 'POST',
          dispatcher: client.transport,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({
            software_statement: ssa,
            fapi_profile: 'fapi2',
            token_endpoint_auth_method: 'private_key_jwt',
            redirect_uris: client.participant.redirectUris,
            ...(client.binding === 'mtls'
              ? { tls_client_certificate_bound_access_tokens: true }
              : { dpop_bound_access_tokens: true }),
          }),
        }),
      );
      if (response.status !== 201)
        throw new Error(`bank-op DCR: ${response.status} ${JSON.stringify(response.body)}`);
      client.clientId = String(response.body.client_id);
    },

    async clientCredentials(client, scope) {
      return accessToken(
        await post(client, '/token', { grant_type: 'client_credentials', scope }),
        'client credentials',
      );
    },

    async authorizationCode(client, scope, consentId, approval: CustomerApproval) {
      const pkce = createPkcePair();
      const state = randomUUID();
      const redirectUri = client.participant.redirectUris[0]!;
      const par = await post(client, '/par', {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: redirectUri,
        scope: `openid ${scope}`,
        state,
        nonce: randomUUID(),
        code_challenge: pkce.codeChallenge,
        code_challenge_method: 'S256',
        claims: JSON.stringify({
          id_token: {
            openbanking_intent_id: { value: consentId, essential: true },
            acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
          },
          userinfo: { openbanking_intent_id: { value: consentId, essential: true } },
        }),
      });
      if (par.status !== 201) throw new Error(`bank-op PAR: ${par.status} ${JSON.stringify(par.body)}`);

      // The customer signs in (password and the passcode "sent to their phone") and ticks the accounts.
      const authorize = new URL(`${issuer}/authorize`);
      authorize.search = new URLSearchParams({
        client_id: client.clientId,
        request_uri: String(par.body.request_uri),
      }).toString();
      const browser = new CustomerBrowser({ dispatcher: plain, bank: issuer });
      const landed = redirectOf(
        await browser.authorize(authorize, approval, { accounts: approval.accountIds }),
      );
      const code = landed.params.get('code');
      if (!code || landed.params.get('state') !== state) {
        throw new Error(`bank-op authorization response: ${landed.url.href}`);
      }
      return accessToken(
        await post(client, '/token', {
          grant_type: 'authorization_code',
          code,
          redirect_uri: redirectUri,
          code_verifier: pkce.codeVerifier,
        }),
        'code redemption',
      );
    },

    async stop() {},
  };
}
