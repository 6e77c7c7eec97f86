// The conformance suites' client: a registered client per plan variant (client authentication × sender
// constraint) on the bank-op test client, which sends everything through the client engine. A module's
// scenario reads like the suite's: push, send the customer, redeem, and judge the outcome by what the
// suite accepts (a 400 from PAR, the bank's error page, or an error in the redirect).
import { type Bend, bendJwt, createExchange, type JwtMessage, tokenRequest } from '@fapi-sandbox/fapi-client';
import { pageError, type Visit } from '@fapi-sandbox/fapi-client/customer';
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import type { PkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { createLocalJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import { expectOAuthError, expectRedirectError } from '../support/expect-error.js';
import { bankJwks } from '../support/flows.js';
import { type Sandbox, startSandbox } from '../support/sandbox.js';
import {
  DpopSession,
  type JsonResponse,
  type ProfileId,
  type RegisteredClient,
  TestTpp,
} from '../support/tpp.js';
import { type Plan, type Variant, variantLabel } from './modules.js';

/** Parameters to change: a string replaces, undefined removes. */
export type Overrides = Record<string, string | undefined>;

/** What a pushed request left for the next steps. */
export interface Pushed {
  par: JsonResponse;
  params: Record<string, string>;
  pkce: PkcePair;
  /** The DPoP key the PAR proof was signed with (DPoP variants). */
  dpop?: DpopSession;
}

/** The customer's visit after a pushed request, and the authorization response if it came back. */
export interface Visited extends Pushed {
  visit: Visit;
  /** The authorization response parameters (query, fragment, or the verified JARM claims). */
  response: Record<string, string>;
}

export function applyOverrides<T extends Record<string, unknown>>(base: T, overrides: Overrides): T {
  const merged: Record<string, unknown> = { ...base, ...overrides };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return merged as T;
}

/** One client registered for a variant of a plan, and the calls a module makes with it. */
export class VariantClient {
  constructor(
    readonly tpp: TestTpp,
    readonly client: RegisteredClient,
    readonly variant: Variant,
    /** FAPI 2.0 Message Signing: signed request objects only (JAR) and JARM responses. */
    readonly messageSigning = false,
  ) {}

  static async register(
    sandbox: Sandbox,
    participant: Participant,
    profile: ProfileId,
    variant: Variant,
    options: { messageSigning?: boolean } = {},
  ): Promise<VariantClient> {
    const tpp = new TestTpp(sandbox, participant);
    const client = await tpp.register({
      profile,
      authMethod: variant.clientAuth,
      senderConstraint: variant.senderConstraint,
      // FAPI 2.0 Message Signing §5.3: a client set up for signed requests has unsigned ones refused.
      ...(options.messageSigning ? { extra: { require_signed_request_object: true } } : {}),
    });
    return new VariantClient(tpp, client, variant, options.messageSigning ?? false);
  }

  /** Whether this client pushes signed request objects (FAPI 1.0 Advanced, FAPI 2.0 Message Signing). */
  get signsRequests(): boolean {
    return this.client.profile === 'fapi1-advanced' || this.messageSigning;
  }

  /** What its authorization requests carry unless a module says otherwise. */
  get requestDefaults(): Overrides {
    if (this.client.profile === 'fapi1-advanced') return { response_type: 'code id_token' };
    // FAPI 2.0 Message Signing §5.4: the authorization response is a JARM JWT.
    return this.messageSigning ? { response_mode: 'jwt' } : {};
  }

  get label(): string {
    return variantLabel(this.variant);
  }

  get dpopBound(): boolean {
    return this.variant.senderConstraint === 'dpop';
  }

  get issuer(): string {
    return this.tpp.issuer;
  }

  /** A fresh DPoP key for a DPoP variant; none for an mTLS one. */
  async newDpop(): Promise<DpopSession | undefined> {
    return this.dpopBound ? DpopSession.create() : undefined;
  }

  /** Complete FAPI authorization parameters (PKCE S256, a consent to approve), then the overrides. */
  async params(pkce: PkcePair, overrides: Overrides = {}): Promise<Record<string, string>> {
    const base = this.tpp.authorizationParams(this.client, await this.tpp.accountConsent(this.client), pkce);
    return applyOverrides(base, overrides);
  }

  /**
   * PAR with these parameters (and a DPoP proof in a DPoP variant, unless `dpop: null`). A FAPI 1.0
   * Advanced client signs them into a request object (FAPI 1.0 Adv §5.2.2-1), with a hybrid response
   * unless the overrides say otherwise, and so does a FAPI 2.0 Message Signing client, with a JARM
   * response; `requestObject` bends it before signing, `outside` adds form parameters beside it.
   */
  async push(
    overrides: Overrides = {},
    options: {
      dpop?: DpopSession | null;
      auth?: Record<string, string>;
      requestObject?: (message: JwtMessage) => void;
      outside?: Record<string, string>;
    } = {},
  ): Promise<Pushed> {
    const pkce = this.tpp.pkce();
    const params = await this.params(pkce, { ...this.requestDefaults, ...overrides });
    const form = this.signsRequests
      ? { request: await this.requestObject(params, options.requestObject) }
      : params;
    Object.assign(form, options.outside);
    const dpop = options.dpop === null ? undefined : (options.dpop ?? (await this.newDpop()));
    // A bent assertion is sent once: fetch the DPoP nonce first (RFC 9449 §8) so that no retry burns it.
    if (dpop && options.auth) await this.tpp.par(this.client, form, { dpop, retryNonce: false });
    const par = await this.tpp.par(this.client, form, {
      ...(dpop ? { dpop } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
    });
    return { par, params, pkce, ...(dpop ? { dpop } : {}) };
  }

  /** A request object this client signs (RFC 9101 §4), bent before signing if `bend` is given. */
  async requestObject(params: Record<string, string>, bend?: (message: JwtMessage) => void): Promise<string> {
    const jwt = await this.tpp.requestObject(this.client, params);
    if (!bend) return jwt;
    return this.bentJwt(jwt, 'request_object', (message) => {
      if (message.kind !== 'jwt' || message.purpose !== 'request_object') return undefined;
      bend(message);
      return message;
    });
  }

  /** The authorization URL of a pushed request: client_id and request_uri only (RFC 9126 §4). */
  authorizationUrl(pushed: Pushed): URL {
    expect(pushed.par.status, JSON.stringify(pushed.par.body)).toBe(201);
    return this.tpp.authorizationUrl(this.client, String(pushed.par.body.request_uri));
  }

  /** The customer opens `url`, signs in and allows (or denies); the visit and the response it carried. */
  async visit(
    pushed: Pushed,
    url: URL = this.authorizationUrl(pushed),
    decision: 'allow' | 'deny' = 'allow',
  ): Promise<Visited> {
    const browser = this.tpp.newBrowser();
    const visit = await browser.authorize(
      url,
      { username: 'alice', password: 'wonderland' },
      { decision, accounts: 'first' },
    );
    const response = visit.kind === 'redirect' ? await this.responseOf(visit.params) : {};
    return { ...pushed, visit, response };
  }

  /** The authorization response parameters; a JARM response is verified against the bank's keys. */
  async responseOf(params: URLSearchParams): Promise<Record<string, string>> {
    const jarm = params.get('response');
    if (!jarm) return Object.fromEntries(params);
    const { payload } = await jwtVerify(jarm, createLocalJWKSet(await bankJwks(this.tpp)), {
      issuer: this.issuer,
      audience: this.client.clientId,
    });
    return Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, String(v)]));
  }

  /** PAR, then the customer allows: the authorization response must carry a code. */
  async authorize(overrides: Overrides = {}, options: { dpop?: DpopSession | null } = {}): Promise<Visited> {
    const visited = await this.visit(await this.push(overrides, options));
    expectCode(visited);
    return visited;
  }

  /** Redeems the code of `visited` with its PKCE verifier and the PAR's DPoP key. */
  redeem(
    visited: Visited,
    options: Parameters<TestTpp['redeem']>[3] & { redirectUri?: string } = {},
  ): Promise<JsonResponse> {
    const dpop = 'dpop' in options ? options.dpop : visited.dpop;
    return this.tpp.token(
      this.client,
      {
        grant_type: 'authorization_code',
        code: visited.response.code!,
        redirect_uri:
          options.redirectUri ?? visited.params.redirect_uri ?? this.tpp.participant.redirectUris[0]!,
        code_verifier: visited.pkce.codeVerifier,
      },
      { ...options, ...(dpop ? { dpop } : {}) },
    );
  }

  /** A token request whose JWTs (client assertion, DPoP proof) pass through `bend` before signing. */
  async tokenBent(
    params: Record<string, string>,
    bend: Bend,
    dpop: DpopSession | undefined,
  ): Promise<JsonResponse> {
    const engineClient = await this.tpp.engineClient(this.client, dpop ? { dpop } : {});
    const response = await tokenRequest(
      { exchange: createExchange({ bend }), bend },
      engineClient,
      { step: `token:${params.grant_type}`, clause: 'RFC 6749 §3.2' },
      params,
    );
    const body =
      response.body !== null && typeof response.body === 'object'
        ? (response.body as Record<string, unknown>)
        : { raw: response.text };
    return { status: response.status, headers: new Headers(response.headers), body };
  }

  /** Whole flow to a token: PAR, the customer allows, the code redeemed (200 asserted). */
  async tokens(overrides: Overrides = {}): Promise<{ visited: Visited; token: JsonResponse }> {
    const visited = await this.authorize(overrides);
    const token = await this.redeem(visited);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    return { visited, token };
  }

  /** A JWT the client signs, passed through `bend` (claims, header, key) as the engine would. */
  async bentJwt(jwt: string, purpose: 'client_assertion' | 'request_object', bend: Bend): Promise<string> {
    const key = (await this.tpp.signingKeys()).forAlg('PS256');
    return bendJwt(bend, { step: purpose, clause: 'RFC 7515' }, purpose, jwt, { key: key.key, alg: key.alg });
  }
}

/** Client 1 (the demo TPP) and client 2 (the second TPP), registered for one variant. */
export interface PlanClients {
  client1: VariantClient;
  client2: VariantClient;
  sandbox: Sandbox;
}

/**
 * One sandbox for a plan's test file, with client 1 and client 2 registered for each variant of the plan;
 * the clock is real again after each test.
 */
export function conformanceSandbox(
  plan: Plan,
  profile: ProfileId,
  options: { messageSigning?: boolean } = {},
) {
  let sandbox: Sandbox | undefined;
  const clients = new Map<string, PlanClients>();
  beforeAll(async () => {
    sandbox = await startSandbox();
    const { demo, second } = sandbox.config.participants;
    for (const variant of plan.variants) {
      clients.set(variantLabel(variant), {
        client1: await VariantClient.register(sandbox, demo, profile, variant, options),
        client2: await VariantClient.register(sandbox, second, profile, variant, options),
        sandbox,
      });
    }
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return {
    sandbox: () => sandbox!,
    clients: (variant: Variant) => clients.get(variantLabel(variant))!,
  };
}

/** Moves bank-op's clock (this process's Date) forward, as the suite's waits do. */
export function advanceClock(seconds: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(Date.now() + seconds * 1000));
}

/** A claims bend for a client assertion: `claims` merged in (undefined removes one). */
export function assertionClaims(claims: (now: number) => JWTPayload): Bend {
  return (message) => {
    if (message.kind !== 'jwt' || message.purpose !== 'client_assertion') return undefined;
    const now = Math.floor(Date.now() / 1000);
    message.claims = applyOverrides(message.claims, claims(now) as Overrides);
    return message;
  };
}

/** A claims bend for every DPoP proof (iat moved, extra claims). */
export function proofClaims(claims: (now: number) => JWTPayload): Bend {
  return (message) => {
    if (message.kind !== 'jwt' || message.purpose !== 'dpop_proof') return undefined;
    const now = Math.floor(Date.now() / 1000);
    Object.assign(message.claims, claims(now));
    return message;
  };
}

export function expectCode(visited: Visited): void {
  expect(visited.visit.kind, describe(visited.visit)).toBe('redirect');
  expect(visited.response.error, JSON.stringify(visited.response)).toBeUndefined();
  expect(visited.response.code, JSON.stringify(visited.response)).toEqual(expect.any(String));
}

function describe(visit: Visit): string {
  return visit.kind === 'redirect' ? visit.url.href : `page ${visit.status}: ${pageError(visit)}`;
}

/** The suite's "error page, or a redirect with one of these errors" (and never a code). */
export async function expectAuthorizationRefused(
  client: VariantClient,
  visit: Visit,
  errors: string[],
): Promise<void> {
  if (visit.kind === 'page') {
    expect(visit.status, describe(visit)).toBeGreaterThanOrEqual(400);
    expect(errors, describe(visit)).toContain(pageError(visit)?.split(':')[0]);
    return;
  }
  expectRedirectError(new URLSearchParams(await client.responseOf(visit.params)), { error: errors });
}

/**
 * A refusal at PAR or the token endpoint: status, OAuth error, RFC 6749 §5.2 characters; with `clause`,
 * the error_description names it and the fix.
 */
export const expectRefused = expectOAuthError;
