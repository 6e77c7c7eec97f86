// The TPP side of the tests: clients registered at bank-op by the honest FAPI client (@fapi-sandbox/
// fapi-client), with their transport certificates or DPoP keys, and a caller that sends UK OB requests
// the way a FAPI client must (Authorization header, DPoP proof per request with ath and the server's
// nonce, FAPI headers, x-idempotency-key) or, on a test's request, bends one of them; each exchange is
// validated against the OpenAPI document.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { FapiFlowClient, FLOW_VARIANTS, type FlowVariant } from '@fapi-sandbox/fapi-client';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { type MessageSigningKey, signRequest } from '@fapi-sandbox/fapi-core/http-signatures';
import { createDpopProof, type DpopKey, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { type Dispatcher, fetch } from 'undici';
import type { OpenApiValidator } from './openapi.js';

export interface TestClient {
  name: string;
  /** The honest client that registered at bank-op and gets its tokens (token-source.ts). */
  flow: FapiFlowClient;
  /** Assigned by bank-op at dynamic client registration. */
  clientId: string;
  participant: Participant;
  binding: 'mtls' | 'dpop' | 'none';
  dpopKey?: DpopKey;
  /** x5t#S256 of the participant's transport certificate. */
  certificateThumbprint: string;
  /** What the client calls bank-api with: mTLS clients present their transport certificate, DPoP clients none. */
  dispatcher: Dispatcher;
  /** The last DPoP-Nonce the bank sent this client. */
  nonce?: string;
}

export interface TestClients {
  moneywiseDpop: TestClient;
  moneywiseMtls: TestClient;
  budgetlyDpop: TestClient;
  budgetlyMtls: TestClient;
}

/** Registers one client at bank-op (discovery, SSA, DCR) with the honest flow client of `variant`. */
export async function connectTestClient(
  config: SandboxConfig,
  participant: Participant,
  variant: FlowVariant,
  name: string,
): Promise<TestClient> {
  const binding = variant.binding;
  // The caller signs proofs with the same key the flow client's tokens are bound to.
  const dpopKey = binding === 'dpop' ? await generateDpopKey('ES256') : undefined;
  const flow = await FapiFlowClient.connect({
    config,
    variant,
    participant,
    ...(dpopKey ? { dpopKey } : {}),
  });
  return {
    name,
    flow,
    clientId: flow.clientId,
    participant,
    binding,
    ...(dpopKey ? { dpopKey } : {}),
    certificateThumbprint: certificateThumbprint(fs.readFileSync(participant.transportCert, 'utf8')),
    dispatcher: binding === 'dpop' ? createSandboxAgent({}, config) : transportAgentFor(participant, config),
  };
}

/** Registers the four clients at bank-op (discovery, SSA, DCR) as FAPI 2.0 clients. */
export async function createTestClients(config: SandboxConfig): Promise<TestClients> {
  const make = (participant: Participant, binding: 'mtls' | 'dpop', name: string) =>
    connectTestClient(
      config,
      participant,
      FLOW_VARIANTS.find((v) => v.id === (binding === 'dpop' ? 'fapi2-dpop' : 'fapi2-mtls'))!,
      name,
    );
  const { demo, second } = config.participants;
  return {
    moneywiseDpop: await make(demo, 'dpop', 'Moneywise (DPoP)'),
    moneywiseMtls: await make(demo, 'mtls', 'Moneywise (mTLS)'),
    budgetlyDpop: await make(second, 'dpop', 'Budgetly (DPoP)'),
    budgetlyMtls: await make(second, 'mtls', 'Budgetly (mTLS)'),
  };
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
  body: any;
  /** The body as received, for its Content-Digest. */
  text: string;
  /** The request as sent (after any signing), to verify a response signature against. */
  sent: { method: string; url: string; headers: Record<string, string>; body?: string };
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Extra or replacing request headers. */
  headers?: Record<string, string>;
  /** Sent as x-idempotency-key on POSTs; a fresh UUID by default, `false` to omit. */
  idempotencyKey?: string | false;
  /** The Authorization scheme as written (default: 'DPoP' for DPoP clients, 'Bearer' otherwise). */
  scheme?: string;
  /** Another TLS identity than the client's own (another client's certificate, or none). */
  dispatcher?: Dispatcher;
  /** A DPoP proof built by the test, or `false` to send none. Disables the nonce retry. */
  proof?: string | false;
  /** The clock DPoP proofs are made with (ms since the epoch), when the server's clock is moved. */
  proofClock?: () => number;
  /** A body sent as is, with Content-Type application/json (e.g. malformed JSON). */
  rawBody?: string;
  /** Validate request and response against the OpenAPI document (default true). */
  validate?: boolean;
  /**
   * Sign the request (RFC 9421, FAPI 2.0 HTTP Signatures §5.3.1.1) with this key; `fields`, `created`
   * bend the signature, `bodyAfterSigning` replaces the body once it is signed.
   */
  signed?: { key: MessageSigningKey; fields?: string[]; created?: Date; bodyAfterSigning?: string };
}

export type Caller = (
  client: TestClient,
  method: string,
  path: string,
  options?: CallOptions,
) => Promise<ApiResponse>;

export function createCaller(config: SandboxConfig, openapi: OpenApiValidator): Caller {
  const call: Caller = async (client, method, path, options = {}) => {
    const url = `${config.bankApi.baseUrl}${path}`;
    const validate = options.validate ?? true;
    const apiPath = new URL(url).pathname.replace('/open-banking/v3.1', '');
    if (validate && options.body !== undefined) openapi.request(method, apiPath, options.body);

    const send = async () => {
      const headers: Record<string, string> = {
        'x-fapi-interaction-id': randomUUID(),
        accept: 'application/json',
      };
      if (options.token !== undefined) {
        const scheme = options.scheme ?? (client.binding === 'dpop' ? 'DPoP' : 'Bearer');
        headers.authorization = `${scheme} ${options.token}`;
      }
      if (options.proof !== undefined) {
        if (options.proof !== false) headers.dpop = options.proof;
      } else if (client.dpopKey && options.token !== undefined) {
        headers.dpop = await createDpopProof({
          key: client.dpopKey,
          method,
          url,
          accessToken: options.token,
          ...(client.nonce ? { nonce: client.nonce } : {}),
          ...(options.proofClock ? { now: options.proofClock } : {}),
        });
      }
      if (method === 'POST' && options.idempotencyKey !== false) {
        headers['x-idempotency-key'] = options.idempotencyKey ?? randomUUID();
      }
      let body = options.rawBody ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
      if (body !== undefined) headers['content-type'] = 'application/json';
      Object.assign(headers, options.headers);
      if (options.signed) {
        const { key, bodyAfterSigning, ...bent } = options.signed;
        const signature = await signRequest(key, { method, url, headers, ...(body ? { body } : {}) }, bent);
        Object.assign(headers, signature.headers);
        if (bodyAfterSigning !== undefined) body = bodyAfterSigning;
      }
      const response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        dispatcher: options.dispatcher ?? client.dispatcher,
      });
      const nonce = response.headers.get('dpop-nonce');
      if (nonce) client.nonce = nonce;
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers as unknown as Headers,
        body: text ? JSON.parse(text) : undefined,
        text,
        sent: { method, url, headers, ...(body !== undefined ? { body } : {}) },
      };
    };

    let response = await send();
    // RFC 9449 §9: a resource server that wants a nonce answers 401 use_dpop_nonce; retry once with it.
    const challenge = response.headers.get('www-authenticate') ?? '';
    if (
      response.status === 401 &&
      challenge.includes('use_dpop_nonce') &&
      options.proof === undefined &&
      client.dpopKey
    ) {
      response = await send();
    }
    if (validate && apiPath !== '/openapi.json')
      openapi.response(method, apiPath, response.status, response.body);
    return response;
  };
  return call;
}
